package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Versions, reloads, refusals, unloading, configs, and names that try to leave the repository. */
class ModelRepositoryTest {
    static final float[] X = {0.5f, -1.0f, 2.0f, 0.25f};

    @TempDir
    Path repo;

    static ModelServer start(Path repo) {
        return ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).drainTimeout(Duration.ofSeconds(5)).start();
    }

    static float[] infer(Http http, String path) {
        Http.Answer a = http.post(path, ModelServerTest.v2Body(X));
        assertEquals(200, a.status, a.text());
        return ModelServerTest.data(a.json());
    }

    static void delete(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) Files.delete(q);
        }
    }

    @Test
    void newVersionsTakeOverCorruptOrIncompatibleOnesAreRefusedRemovedOnesUnload() throws Exception {
        Sequential v1 = TestModels.iris(1), v2 = TestModels.iris(2);
        TestModels.irisOnnx(repo, "iris", 1, v1);
        try (ModelServer server = start(repo)) {
            Http http = new Http(server.uri());
            assertArrayEquals(ModelServerTest.expected(v1, X), infer(http, "/v2/models/iris/infer"), 1e-5f);

            TestModels.irisOnnx(repo, "iris", 2, v2);
            server.refresh();
            assertArrayEquals(ModelServerTest.expected(v2, X), infer(http, "/v2/models/iris/infer"), 1e-5f);
            assertEquals(404, http.post("/v2/models/iris/versions/1/infer", ModelServerTest.v2Body(X)).status, "latest 1: version 1 unloaded");

            // A corrupt version 3 is refused; version 2 keeps serving, and the status says why.
            TestModels.write(TestModels.versionDir(repo, "iris", 3).resolve("model.onnx"), "not a model".getBytes(StandardCharsets.UTF_8));
            server.refresh();
            assertArrayEquals(ModelServerTest.expected(v2, X), infer(http, "/v2/models/iris/infer"), 1e-5f);
            JsonNode status = http.get("/v1/models/iris").json().get("model_version_status");
            assertEquals("3", status.get(0).get("version").asText());
            assertEquals("END", status.get(0).get("state").asText());
            assertTrue(status.get(0).get("status").get("error_message").asText().contains("not an ONNX model"), status.toString());
            assertEquals("AVAILABLE", status.get(1).get("state").asText());
            assertEquals(200, http.get("/v2/health/ready").status);
            assertTrue(http.get("/metrics").text().contains("janus_model_load_failures_total{model=\"iris\"} 1.0"));

            // An incompatible one (5 features instead of 4) is refused too.
            Sequential five = new Sequential();
            five.add(new dev.janus.layers.Input(5));
            five.add(new dev.janus.layers.core.Dense(3, "softmax"));
            Files.delete(repo.resolve("iris/3/model.onnx"));
            TestModels.irisOnnx(repo, "iris", 4, five);
            server.refresh();
            assertArrayEquals(ModelServerTest.expected(v2, X), infer(http, "/v2/models/iris/infer"), 1e-5f);
            assertTrue(http.get("/v1/models/iris/versions/4").json().toString().contains("incompatible with version 2"));

            // Mending the file in place loads it.
            Files.delete(repo.resolve("iris/4/model.onnx"));
            TestModels.irisOnnx(repo, "iris", 4, v1);
            server.refresh();
            assertArrayEquals(ModelServerTest.expected(v1, X), infer(http, "/v2/models/iris/versions/4/infer"), 1e-5f);

            // Removing the model unloads it.
            delete(repo.resolve("iris"));
            server.refresh();
            assertEquals(404, http.post("/v2/models/iris/infer", ModelServerTest.v2Body(X)).status);
            assertEquals(404, http.get("/v1/models/iris").status);
        }
    }

    @Test
    void versionPoliciesAndSavedModels() throws Exception {
        Sequential a = TestModels.iris(4), b = TestModels.iris(5);
        TestModels.irisOnnx(repo, "all", 1, a);
        TestModels.irisJanus(repo, "all", 2, b);
        TestModels.config(repo, "all", "{\"version_policy\": {\"all\": {}}}");
        TestModels.irisOnnx(repo, "pinned", 1, a);
        TestModels.irisOnnx(repo, "pinned", 2, b);
        TestModels.config(repo, "pinned", "{\"version_policy\": {\"specific\": {\"versions\": [1]}}}");
        try (ModelServer server = start(repo)) {
            Http http = new Http(server.uri());
            assertArrayEquals(ModelServerTest.expected(a, X), infer(http, "/v2/models/all/versions/1/infer"), 1e-5f);
            assertArrayEquals(ModelServerTest.expected(b, X), infer(http, "/v2/models/all/versions/2/infer"), 1e-5f);
            assertArrayEquals(ModelServerTest.expected(b, X), infer(http, "/v2/models/all/infer"), 1e-5f);
            assertEquals("[\"1\",\"2\"]", http.get("/v2/models/all").json().get("versions").toString());
            assertArrayEquals(ModelServerTest.expected(a, X), infer(http, "/v2/models/pinned/infer"), 1e-5f);
            assertEquals(404, http.get("/v2/models/pinned/versions/2/ready").status);
        }
    }

    @Test
    void aBadConfigIsRefusedWithItsReason() throws Exception {
        TestModels.halfPlusThree(repo, "hpt", 1);
        TestModels.config(repo, "hpt", "{\"max_batch_size\": 4, \"dynamic_batching\": {\"max_queue_delay_micros\": 5}}");
        try (ModelServer server = start(repo)) {
            Http http = new Http(server.uri());
            Http.Answer a = http.get("/v2/models/hpt");
            assertEquals(404, a.status);
            assertTrue(a.error().contains("unknown field \"dynamic_batching.max_queue_delay_micros\""), a.text());
            assertEquals(400, http.get("/v2/health/ready").status, "a model with no version ready: the server is not ready");
            TestModels.config(repo, "hpt", "{\"max_batch_size\": 4, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 5}}");
            server.refresh();
            assertEquals(200, http.get("/v2/models/hpt/ready").status);
            assertEquals(200, http.get("/v2/health/ready").status);
        }
    }

    /**
     * Names from a URL never reach the file system, and the repository never loads what lies outside
     * it: a symlinked model folder, version folder or model file that leads out is ignored.
     */
    @Test
    void nothingOutsideTheRepositoryIsReachable(@TempDir Path outside) throws Exception {
        Path repoDir = repo.resolve("models");
        Files.createDirectories(repoDir);
        TestModels.halfPlusThree(repoDir, "inside", 1);
        TestModels.halfPlusThree(outside, "secret", 1);
        Files.writeString(outside.resolve("passwd"), "root:x:0:0", StandardCharsets.UTF_8);
        Files.createSymbolicLink(repoDir.resolve("linked_model"), outside.resolve("secret"));
        Files.createDirectories(repoDir.resolve("linked_version"));
        Files.createSymbolicLink(repoDir.resolve("linked_version/1"), outside.resolve("secret/1"));
        Files.createDirectories(repoDir.resolve("linked_file/1"));
        Files.createSymbolicLink(repoDir.resolve("linked_file/1/model.onnx"), outside.resolve("secret/1/model.onnx"));
        // A link that stays inside the repository is fine.
        Files.createSymbolicLink(repoDir.resolve("alias"), repoDir.resolve("inside"));
        try (ModelServer server = start(repoDir)) {
            Http http = new Http(server.uri());
            assertEquals(200, http.get("/v2/models/inside/ready").status);
            assertEquals(200, http.get("/v2/models/alias/ready").status);
            for (String m : new String[] {"linked_model", "linked_version", "linked_file", "secret"}) {
                assertEquals(404, http.get("/v2/models/" + m + "/ready").status, m);
                assertEquals(404, http.post("/v1/models/" + m + ":predict", "{\"instances\": [1.0]}").status, m);
            }
            String[] hostile = {
                "/v2/models/../../passwd", "/v2/models/..%2F..%2Fpasswd/infer", "/v2/models/%2e%2e/infer", "/v2/models/inside%2F..%2F..%2Fsecret/ready",
                "/v2/models/%2Fetc%2Fpasswd", "/v2/models//etc/passwd/ready", "/v2/models/inside/versions/..%2F1/infer", "/v2/models/inside/versions/%2e%2e/ready",
                "/v1/models/..%2Fsecret:predict", "/v1/models/inside/versions/1%2F..%2F..:predict", "/v2/models/.%2e/ready", "/v2/models/inside%00/ready",
                "/v2/models/" + outside.resolve("secret") + "/ready"
            };
            for (String path : hostile) {
                int status = raw(server.port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                assertTrue(status == 400 || status == 404, path + " answered " + status);
            }
            // The server still serves after all that.
            assertEquals(200, http.post("/v1/models/inside:predict", "{\"instances\": [1.0]}").status);
        }
    }

    /** Sends a raw request line (no client normalises the path first); returns the status. */
    static int raw(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertTrue(head.startsWith("HTTP/1.1 "), head);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void namesTheRepositoryIgnores() throws Exception {
        TestModels.halfPlusThree(repo, "ok", 1);
        TestModels.halfPlusThree(repo, "bad name", 1);
        TestModels.halfPlusThree(repo, ".hidden", 1);
        TestModels.halfPlusThree(repo, "noversions", 0);   // version 0 is not a version
        Files.createDirectories(repo.resolve("both/1"));
        Files.copy(repo.resolve("ok/1/model.onnx"), repo.resolve("both/1/model.onnx"));
        Files.writeString(repo.resolve("both/1/model.janus"), "x");
        try (ModelServer server = start(repo)) {
            Http http = new Http(server.uri());
            assertEquals(200, http.get("/v2/models/ok/ready").status);
            assertEquals(400, http.get("/v2/models/bad%20name/ready").status);
            assertEquals(400, http.get("/v2/models/.hidden/ready").status);
            assertEquals(404, http.get("/v2/models/noversions/ready").status);
            assertEquals(404, http.get("/v2/models/both/ready").status);
            assertFalse(http.get("/v2/health/ready").status == 200, "models without a version: not ready");
        }
    }
}
