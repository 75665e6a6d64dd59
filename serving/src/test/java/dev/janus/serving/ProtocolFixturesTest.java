package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every endpoint and error of both protocols against the fixtures in resources/fixtures (see its README). */
class ProtocolFixturesTest {
    @TempDir
    static Path repo;
    static ModelServer server;
    static Http http;

    @BeforeAll
    static void start() {
        TestModels.halfPlusThree(repo, "half_plus_three", 1);
        TestModels.twoInTwoOut(repo, "two_in_two_out", 1);
        TestModels.config(repo, "two_in_two_out", "{\"max_batch_size\": 2}");
        server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start();
        http = new Http(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @TestFactory
    List<DynamicTest> kserveV2() throws IOException {
        return cases("kserve_v2.json");
    }

    @TestFactory
    List<DynamicTest> tfServing() throws IOException {
        return cases("tf_serving.json");
    }

    private List<DynamicTest> cases(String file) throws IOException {
        JsonNode all;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + file)) {
            assertNotNull(in, file);
            all = Http.JSON.readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : all) tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> run(c)));
        return tests;
    }

    private static void run(JsonNode c) throws IOException {
        String body = c.has("bodyText") ? c.get("bodyText").asText() : c.has("body") ? Http.JSON.writeValueAsString(c.get("body")) : null;
        Http.Answer a = http.send(c.get("method").asText(), c.get("path").asText(), body);
        assertEquals(c.get("status").asInt(), a.status, () -> "status; body: " + a.text());
        if (c.has("empty")) {
            assertEquals(0, a.response.body().length, "a health answer has an empty body");
        } else if (c.has("error")) {
            assertEquals("application/json", a.header("Content-Type"));
            String message = a.error();
            assertTrue(message.contains(c.get("error").asText()), () -> "error message '" + message + "' should contain '" + c.get("error").asText() + "'");
        } else {
            assertEquals("application/json", a.header("Content-Type"));
            JsonNode expected = c.has("responseText") ? Http.JSON.readTree(c.get("responseText").asText()) : c.get("response");
            assertJson(expected, a.json(), "$");
        }
    }

    /** JSON equality; numbers within 1e-6 (relative), NaN equal to NaN. */
    static void assertJson(JsonNode expected, JsonNode actual, String at) {
        if (expected.isNumber()) {
            if (!actual.isNumber()) fail(at + ": expected " + expected + ", got " + actual);
            double e = expected.doubleValue(), g = actual.doubleValue();
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, g, at);
            } else {
                assertEquals(e, g, 1e-6 * Math.max(1, Math.abs(e)), at);
            }
        } else if (expected.isObject()) {
            if (!actual.isObject()) fail(at + ": expected an object, got " + actual);
            List<String> want = new ArrayList<>(), got = new ArrayList<>();
            expected.fieldNames().forEachRemaining(want::add);
            actual.fieldNames().forEachRemaining(got::add);
            assertEquals(new java.util.TreeSet<>(want), new java.util.TreeSet<>(got), at + ": fields");
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertJson(expected.get(f), actual.get(f), at + "." + f);
            }
        } else if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) fail(at + ": expected " + expected + ", got " + actual);
            for (int i = 0; i < expected.size(); i++) assertJson(expected.get(i), actual.get(i), at + "[" + i + "]");
        } else {
            assertEquals(expected, actual, at);
        }
    }
}
