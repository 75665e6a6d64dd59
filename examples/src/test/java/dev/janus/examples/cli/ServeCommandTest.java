package dev.janus.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.janus.core.Generator;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.serving.ModelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** janus serve, and the README's curl commands sent as they are written to a server of the demo's iris model. */
class ServeCommandTest {
    private static final Pattern CURL = Pattern.compile("^curl -s localhost:8080(\\S+) -d '(.*)'$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** The demo's compiled iris model (4 -> 64 relu -> dropout -> 32 relu -> 3 softmax), exported as the demo exports it. */
    static void irisRepository(Path repo) throws java.io.IOException {
        Files.createDirectories(repo.resolve("iris/1"));
        Sequential model = new Sequential();
        model.generator(new Generator(0));
        model.add(new Input(4));
        model.add(new Dense(64, "relu"));
        model.add(new Dropout(0.3));
        model.add(new Dense(32, "relu"));
        model.add(new Dense(3, "softmax"));
        ModelExport.toOnnx(model, repo.resolve("iris/1/model.onnx"), ExportOptions.defaults());
    }

    static List<String[]> readmeCurls() throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
            Matcher m = CURL.matcher(line.replaceAll("\\s+#.*$", "").strip());
            if (m.matches()) out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    static JsonNode post(URI base, String path, String body) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void theReadmeCurlCommandsAgainstJanusServe() throws Exception {
        Path repo = dir.resolve("models");
        irisRepository(repo);
        List<String[]> curls = readmeCurls();
        assertTrue(curls.size() >= 2, "README shows curl for both protocols: " + curls.size());

        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        AtomicInteger status = new AtomicInteger(-1);
        Thread serve = new Thread(() -> status.set(Janus.run(new String[] {"serve", "--model-repository", repo.toString(), "--port", "0"}, out, out)));
        serve.start();
        URI base = null;
        for (int i = 0; i < 600 && base == null; i++) {
            Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)").matcher(outBytes.toString(StandardCharsets.UTF_8));
            if (m.find()) base = URI.create(m.group(1));
            else Thread.sleep(50);
        }
        assertTrue(base != null, "janus serve started: " + outBytes.toString(StandardCharsets.UTF_8));
        try {
            boolean v1 = false, v2 = false;
            for (String[] c : curls) {
                JsonNode r = post(base, c[0], c[1]);
                JsonNode probabilities = c[0].startsWith("/v2/") ? r.get("outputs").get(0).get("data") : r.get("predictions").get(0);
                v2 |= c[0].startsWith("/v2/");
                v1 |= c[0].startsWith("/v1/");
                assertEquals(3, probabilities.size(), r.toString());
                double sum = 0;
                for (JsonNode p : probabilities) sum += p.asDouble();
                assertEquals(1.0, sum, 1e-5, r.toString());
            }
            assertTrue(v1 && v2, "both protocols");
        } finally {
            serve.interrupt();
            serve.join(30_000);
        }
        assertEquals(0, status.get());
        String printed = outBytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("\"POST /v2/models/iris/infer HTTP/1.1\" 200"), "access log: " + printed);
        assertTrue(printed.contains("janus serve: stopped"), printed);
    }

    @Test
    void theJavaWay() throws Exception {
        Path repository = dir.resolve("models");
        irisRepository(repository);
        String token = "s3cret";
        // README: serve
        ModelServer server = ModelServer.builder()
                .modelRepository(repository)    // models/<model>/<version>/model.onnx (or model.janus)
                .port(0)                        // any free port (default 8080)
                .bearerToken(token)             // optional: every request but the health checks needs it
                .start();
        URI address = server.uri();             // http://127.0.0.1:<port>: loopback unless .host("0.0.0.0")
        // ... POST address/v2/models/iris/infer, address/v1/models/iris:predict ...
        server.close();                         // stops accepting, finishes requests in flight, unloads the models
        // README: end
        assertEquals("127.0.0.1", address.getHost());
    }

    @Test
    void badArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Janus.run(new String[] {"serve"}, e, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--model-repository DIR is required"));
        assertEquals(2, Janus.run(new String[] {"serve", "--model-repository", dir.resolve("nope").toString()}, e, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such folder"));
        assertEquals(2, Janus.run(new String[] {"serve", "--model-repository", dir.toString(), "--port", "70000"}, e, e));
    }
}
