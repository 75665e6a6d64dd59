package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server with Java's HttpClient: engines, concurrency, batching, binary data, metrics, logs, limits, overload, auth, TLS, shutdown. */
class ModelServerTest {
    @TempDir
    Path repo;

    static float[] row(Generator g) {
        return Tensor.randn(g, 4).toFloatArray();
    }

    static String v2Body(float[] x) {
        StringBuilder sb = new StringBuilder("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [");
        for (int i = 0; i < x.length; i++) sb.append(i == 0 ? "" : ", ").append(x[i]);
        return sb.append("]}]}").toString();
    }

    static float[] data(JsonNode v2Response) {
        JsonNode d = v2Response.get("outputs").get(0).get("data");
        float[] out = new float[d.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) d.get(i).doubleValue();
        return out;
    }

    /** Janus's own predict, one caller at a time (a compiled model is not yet safe to share between threads: issue 11). */
    static synchronized float[] expected(Sequential model, float[] x) {
        return model.predict(Tensor.of(x, 1, 4)).toFloatArray();
    }

    @Test
    void theSameModelOnEveryEngineAndFileGivesItsOwnNumbers() {
        Sequential model = TestModels.iris(7);
        TestModels.irisOnnx(repo, "iris", 1, model);
        TestModels.irisJanus(repo, "iris_saved", 1, model);
        TestModels.irisOnnx(repo, "iris_ort", 1, model);
        TestModels.config(repo, "iris_ort", "{\"backend\": \"onnxruntime\"}");
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Http http = new Http(server.uri());
            Generator g = new Generator(1);
            for (int i = 0; i < 5; i++) {
                float[] x = row(g), want = expected(model, x);
                for (String name : List.of("iris", "iris_saved", "iris_ort")) {
                    Http.Answer a = http.post("/v2/models/" + name + "/infer", v2Body(x));
                    assertEquals(200, a.status, a.text());
                    assertArrayEquals(want, data(a.json()), 1e-5f, name);
                    JsonNode p = http.post("/v1/models/" + name + ":predict", "{\"instances\": [" + Http.JSON.valueToTree(x) + "]}").json();
                    assertEquals(3, p.get("predictions").get(0).size());
                    for (int k = 0; k < 3; k++) assertEquals(want[k], p.get("predictions").get(0).get(k).floatValue(), 1e-5f);
                }
            }
            assertEquals("onnxruntime_onnx", http.get("/v2/models/iris_ort").json().get("platform").asText());
            assertEquals("janus", http.get("/v2/models/iris_saved").json().get("platform").asText());
        }
    }

    /** 64 clients at once, each with its own inputs, on one model: every answer is its own request's (with and without dynamic batching). */
    @Test
    void manyConcurrentClientsEachGetTheirOwnAnswer() throws Exception {
        Sequential model = TestModels.iris(3);
        TestModels.irisOnnx(repo, "plain", 1, model);
        TestModels.config(repo, "plain", "{\"instance_group\": [{\"count\": 2}]}");
        TestModels.irisOnnx(repo, "batched", 1, model);
        TestModels.config(repo, "batched", "{\"max_batch_size\": 16, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 2000}}");
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Http http = new Http(HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build(), server.uri());
            for (String name : List.of("plain", "batched")) {
                ExecutorService pool = Executors.newFixedThreadPool(64);
                List<Future<Integer>> wrong = new ArrayList<>();
                for (int c = 0; c < 64; c++) {
                    int seed = c;
                    wrong.add(pool.submit(() -> {
                        Generator g = new Generator(100 + seed);
                        int bad = 0;
                        for (int i = 0; i < 15; i++) {
                            float[] x = row(g);
                            Http.Answer a = http.post("/v2/models/" + name + "/infer", v2Body(x));
                            float[] got = data(a.json()), want = expected(model, x);
                            for (int k = 0; k < 3; k++) if (a.status != 200 || Math.abs(got[k] - want[k]) > 1e-5) bad++;
                        }
                        return bad;
                    }));
                }
                int bad = 0;
                for (Future<Integer> f : wrong) bad += f.get(60, TimeUnit.SECONDS);
                pool.shutdown();
                assertEquals(0, bad, name + ": wrong answers");
            }
            String metrics = http.get("/metrics").text();
            assertTrue(metrics.contains("janus_inference_request_success_total{model=\"batched\",version=\"1\"} 960.0"), metrics);
            // With 64 clients and a 2 ms window, requests were merged: fewer model runs than requests.
            double runs = value(metrics, "janus_inference_exec_count_total{model=\"batched\",version=\"1\"}");
            assertTrue(runs < 960, "batched runs: " + runs);
            assertEquals(960.0, value(metrics, "janus_inference_count_total{model=\"batched\",version=\"1\"}"));
        }
    }

    static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        throw new AssertionError("no series " + series + " in\n" + metrics);
    }

    /** Triton's binary tensor data extension, as tritonclient sends it by default. */
    @Test
    void binaryTensorData() throws Exception {
        TestModels.halfPlusThree(repo, "hpt", 1);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Http http = new Http(server.uri());
            byte[] header = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":12}}],\"parameters\":{\"binary_data_output\":true}}"
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            data.putFloat(1).putFloat(2).putFloat(5);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(header);
            body.writeBytes(data.array());
            Http.Answer a = http.post("/v2/models/hpt/infer", body.toByteArray(), "Inference-Header-Content-Length", Integer.toString(header.length),
                    "Content-Type", "application/octet-stream");
            assertEquals(200, a.status, a.text());
            int json = Integer.parseInt(a.header("Inference-Header-Content-Length"));
            byte[] all = a.response.body();
            assertEquals(json + 12, all.length);
            JsonNode head = Http.JSON.readTree(new String(all, 0, json, StandardCharsets.UTF_8));
            assertEquals(12, head.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
            ByteBuffer out = ByteBuffer.wrap(all, json, 12).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(3.5f, out.getFloat());
            assertEquals(4.0f, out.getFloat());
            assertEquals(5.5f, out.getFloat());
            // A header length past the body, and binary data left over, are refused.
            assertEquals(400, http.post("/v2/models/hpt/infer", body.toByteArray(), "Inference-Header-Content-Length", "99999").status);
            body.writeBytes(new byte[] {1, 2});
            Http.Answer extra = http.post("/v2/models/hpt/infer", body.toByteArray(), "Inference-Header-Content-Length", Integer.toString(header.length));
            assertTrue(extra.error().contains("2 bytes after"), extra.text());
        }
    }

    @Test
    void metricsAndAccessLog() {
        TestModels.halfPlusThree(repo, "hpt", 1);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).accessLog(log::add).start()) {
            Http http = new Http(server.uri());
            for (int i = 0; i < 3; i++) assertEquals(200, http.post("/v1/models/hpt:predict", "{\"instances\": [1, 2]}").status);
            assertEquals(400, http.post("/v1/models/hpt:predict", "{\"instances\": [\"x\"]}").status);
            Http.Answer m = http.get("/metrics");
            assertEquals(200, m.status);
            assertTrue(m.header("Content-Type").startsWith("text/plain"), m.header("Content-Type"));
            String text = m.text();
            assertEquals(3.0, value(text, "janus_inference_request_success_total{model=\"hpt\",version=\"1\"}"));
            assertEquals(1.0, value(text, "janus_inference_request_failure_total{model=\"hpt\",reason=\"invalid\",version=\"1\"}"));
            assertEquals(6.0, value(text, "janus_inference_count_total{model=\"hpt\",version=\"1\"}"));
            assertEquals(4.0, value(text, "janus_inference_request_duration_seconds_count{model=\"hpt\",version=\"1\"}"));
            assertEquals(3.0, value(text, "janus_inference_queue_duration_seconds_count{model=\"hpt\",version=\"1\"}"));
            assertEquals(3.0, value(text, "janus_inference_batch_size_bucket{model=\"hpt\",version=\"1\",le=\"2.0\"}"));
            assertEquals(1.0, value(text, "janus_model_ready{model=\"hpt\",version=\"1\"}"));
            assertEquals(3.0, value(text, "janus_http_responses_total{code=\"200\"}"));
        }
        // The log is written as each request completes; the last lines may follow the answer by a moment.
        assertTrue(log.size() >= 4, log.toString());
        assertTrue(log.get(0).contains("\"POST /v1/models/hpt:predict HTTP/1.1\" 200"), log.get(0));
    }

    @Test
    void bodiesOverTheLimitAre413EvenWithoutALength() throws Exception {
        TestModels.halfPlusThree(repo, "hpt", 1);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).maxBodyBytes(1000).start()) {
            Http http = new Http(server.uri());
            String big = "{\"instances\": [" + "1.0, ".repeat(400) + "1.0]}";
            Http.Answer declared = http.post("/v1/models/hpt:predict", big);
            assertEquals(413, declared.status);
            assertTrue(declared.error().contains("over the limit of 1000 bytes"), declared.text());
            byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
            Http.Answer chunked = http.send(HttpRequest.newBuilder(server.uri().resolve("/v1/models/hpt:predict"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
            assertEquals(413, chunked.status);
            assertEquals(200, http.post("/v1/models/hpt:predict", "{\"instances\": [1.0]}").status);
        }
    }

    /** A full queue answers 503 with Retry-After at once; what is queued is still answered. */
    @Test
    void overloadIs503WithRetryAfter() throws Exception {
        TestModels.halfPlusThree(repo, "slow", 1);
        // The first request waits 600 ms in a queue of one for others to batch with: the ones meanwhile find it full.
        TestModels.config(repo, "slow", "{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 600000, "
                + "\"default_queue_policy\": {\"max_queue_size\": 1}}}");
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Http http = new Http(server.uri());
            List<CompletableFuture<Http.Answer>> sent = new ArrayList<>();
            for (int i = 0; i < 6; i++) sent.add(CompletableFuture.supplyAsync(() -> http.post("/v1/models/slow:predict", "{\"instances\": [1.0]}")));
            int ok = 0, refused = 0;
            for (CompletableFuture<Http.Answer> f : sent) {
                Http.Answer a = f.get(20, TimeUnit.SECONDS);
                if (a.status == 200) {
                    ok++;
                    assertEquals(3.5, a.json().get("predictions").get(0).asDouble(), 1e-6);
                } else {
                    refused++;
                    assertEquals(503, a.status, a.text());
                    assertEquals("1", a.header("Retry-After"));
                    assertTrue(a.error().contains("overloaded"), a.text());
                }
            }
            assertTrue(ok >= 1 && refused >= 1, ok + " answered, " + refused + " refused");
        }
    }

    @Test
    void bearerToken() {
        TestModels.halfPlusThree(repo, "hpt", 1);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).bearerToken("s3cret").start()) {
            Http http = new Http(server.uri());
            Http.Answer none = http.post("/v1/models/hpt:predict", "{\"instances\": [1.0]}");
            assertEquals(401, none.status);
            assertEquals("Bearer realm=\"janus\"", none.header("WWW-Authenticate"));
            assertTrue(none.error().contains("missing bearer token"));
            http.token = "wrong";
            assertEquals(401, http.get("/v2/models/hpt").status);
            assertEquals(401, http.get("/metrics").status);
            assertEquals(401, http.get("/v2/models/nope").status, "no answer about which models exist without the token");
            http.token = "s3cret";
            assertEquals(200, http.post("/v1/models/hpt:predict", "{\"instances\": [1.0]}").status);
            assertEquals(200, http.get("/metrics").status);
            http.token = null;
            assertEquals(200, http.get("/v2/health/live").status, "probes need no token");
            assertEquals(200, http.get("/v2/health/ready").status);
        }
    }

    @Test
    void tlsFromAKeystore(@TempDir Path keys) throws Exception {
        TestModels.halfPlusThree(repo, "hpt", 1);
        Path keystore = keys.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "janus",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).tls(keystore, "changeit").start()) {
            assertEquals("https", server.uri().getScheme());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            URI base = URI.create("https://localhost:" + server.port());
            Http https = new Http(HttpClient.newBuilder().sslContext(ssl).build(), base);
            Http.Answer a = https.post("/v1/models/hpt:predict", "{\"instances\": [1.0, 2.0]}");
            assertEquals(200, a.status, a.text());
            assertEquals(3.5, a.json().get("predictions").get(0).asDouble(), 1e-6);
            // Plain HTTP to the TLS port gets no answer, and a client that does not trust the certificate fails the handshake.
            Http plain = new Http(URI.create("http://localhost:" + server.port()));
            assertThrows(RuntimeException.class, () -> {
                Http.Answer b = plain.get("/v2/health/live");
                if (b.status != 400) throw new IllegalStateException("status " + b.status);
                throw new IllegalStateException("plain HTTP was answered");
            });
            assertThrows(RuntimeException.class, () -> new Http(base).get("/v2/health/live"));
        }
    }

    @Test
    void bindsToLoopbackByDefault() throws Exception {
        TestModels.halfPlusThree(repo, "hpt", 1);
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            assertEquals("127.0.0.1", server.uri().getHost());
            InetAddress other = null;
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) if (a instanceof Inet4Address && !a.isLoopbackAddress()) other = a;
            }
            if (other != null) {   // this machine's own non-loopback address: nothing listens there
                InetAddress addr = other;
                assertThrows(ConnectException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(addr, server.port()), 2000);
                    }
                });
            }
        }
    }

    /** close() lets a request already queued finish, then refuses new connections. */
    @Test
    void gracefulShutdownDrainsRequestsInFlight() throws Exception {
        TestModels.halfPlusThree(repo, "slow", 1);
        TestModels.config(repo, "slow", "{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 500000}}");
        ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start();
        Http http = new Http(server.uri());
        CompletableFuture<Http.Answer> inFlight = CompletableFuture.supplyAsync(() -> http.post("/v1/models/slow:predict", "{\"instances\": [1.0]}"));
        Thread.sleep(150);
        long t0 = System.nanoTime();
        server.close();
        Http.Answer a = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, a.status, a.text());
        assertEquals(3.5, a.json().get("predictions").get(0).asDouble(), 1e-6);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200), "close waited for the request");
        assertThrows(RuntimeException.class, () -> http.get("/v2/health/live"));
    }
}
