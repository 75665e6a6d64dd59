package dev.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.janus.core.Generator;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults under load: versions swapped and refused while clients keep sending, and malformed requests among good ones. */
class FaultTest {
    @TempDir
    Path repo;
    @TempDir
    Path staging;

    /** Clients that send the same few requests in a loop and check each answer against the version that gave it. */
    static final class Load {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger sent = new AtomicInteger(), failed = new AtomicInteger();
        final Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
        final List<String> problems = new ArrayList<>();
        final ExecutorService pool;
        final List<Future<?>> running = new ArrayList<>();

        Load(Http http, int clients, Map<String, Sequential> versions, int maxRequests) {
            pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                int seed = c;
                running.add(pool.submit(() -> {
                    Generator g = new Generator(seed);
                    while (!stop.get() && sent.incrementAndGet() <= maxRequests) {
                        float[] x = ModelServerTest.row(g);
                        Http.Answer a = http.post("/v2/models/iris/infer", ModelServerTest.v2Body(x));
                        if (a.status != 200) {
                            fail("status " + a.status + ": " + a.text());
                            continue;
                        }
                        JsonNode r = a.json();
                        String v = r.get("model_version").asText();
                        byVersion.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                        float[] want = ModelServerTest.expected(versions.get(v), x), got = ModelServerTest.data(r);
                        for (int k = 0; k < 3; k++) if (Math.abs(want[k] - got[k]) > 1e-5) fail("version " + v + " answered " + r);
                    }
                }));
            }
        }

        private void fail(String why) {
            failed.incrementAndGet();
            synchronized (problems) {
                if (problems.size() < 5) problems.add(why);
            }
        }

        int count(String version) {
            AtomicInteger n = byVersion.get(version);
            return n == null ? 0 : n.get();
        }

        void finish() throws Exception {
            stop.set(true);
            for (Future<?> f : running) f.get(30, TimeUnit.SECONDS);
            pool.shutdown();
        }
    }

    /** Writes a version folder elsewhere and moves it in whole, as a deployment does. */
    void deploy(Sequential model, long version) throws Exception {
        Path tmp = staging.resolve("v" + version);
        TestModels.irisOnnx(staging, "v" + version, 1, model);
        Files.move(tmp.resolve("1"), repo.resolve("iris").resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    static ModelServer polling(Path repo) {
        return ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ofMillis(50)).start();
    }

    static Http client(ModelServer server) {
        return new Http(HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build(), server.uri());
    }

    @Test
    void hotReloadUnderLoadFailsNoRequest() throws Exception {
        Map<String, Sequential> versions = new HashMap<>();
        for (int v = 1; v <= 3; v++) versions.put(Integer.toString(v), TestModels.iris(10 + v));
        TestModels.irisOnnx(repo, "iris", 1, versions.get("1"));
        TestModels.config(repo, "iris", "{\"max_batch_size\": 32, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 500}}");
        try (ModelServer server = polling(repo)) {
            Load load = new Load(client(server), 8, versions, 20_000);
            waitFor(() -> load.count("1") > 50, "version 1 answers");
            deploy(versions.get("2"), 2);
            waitFor(() -> load.count("2") > 50, "version 2 to take over");
            deploy(versions.get("3"), 3);
            waitFor(() -> load.count("3") > 50, "version 3 to take over");
            load.finish();
            assertEquals(0, load.failed.get(), load.problems.toString());
            assertTrue(load.byVersion.keySet().containsAll(List.of("1", "2", "3")), load.byVersion.toString());
        }
    }

    @Test
    void aCorruptVersionUnderLoadIsRefusedAndTheOldOneKeepsServing() throws Exception {
        Map<String, Sequential> versions = Map.of("1", TestModels.iris(21));
        TestModels.irisOnnx(repo, "iris", 1, versions.get("1"));
        try (ModelServer server = polling(repo)) {
            Http http = new Http(server.uri());
            Load load = new Load(client(server), 8, versions, 20_000);
            waitFor(() -> load.count("1") > 50, "version 1 answers");
            Path broken = staging.resolve("2");
            Files.createDirectories(broken);
            byte[] good = Files.readAllBytes(repo.resolve("iris/1/model.onnx"));
            Files.write(broken.resolve("model.onnx"), java.util.Arrays.copyOf(good, good.length / 2));   // truncated
            Files.move(broken, repo.resolve("iris/2"), StandardCopyOption.ATOMIC_MOVE);
            waitFor(() -> http.get("/v1/models/iris/versions/2").status == 200, "version 2 to be refused");
            int before = load.count("1");
            waitFor(() -> load.count("1") > before + 100, "version 1 to go on serving");
            load.finish();
            assertEquals(0, load.failed.get(), load.problems.toString());
            assertEquals(List.of("1"), new ArrayList<>(load.byVersion.keySet()));
            JsonNode status = http.get("/v1/models/iris/versions/2").json().get("model_version_status").get(0);
            assertEquals("END", status.get("state").asText());
        }
    }

    /** 1,000 malformed requests of many kinds among good ones: each bad one gets its 4xx and error JSON, each good one its right answer. */
    @Test
    void malformedRequestsAmongGoodOnesHurtNone() throws Exception {
        Sequential model = TestModels.iris(31);
        TestModels.irisOnnx(repo, "iris", 1, model);
        TestModels.config(repo, "iris", "{\"max_batch_size\": 16, \"dynamic_batching\": {\"max_queue_delay_microseconds\": 300}}");
        String v2 = "/v2/models/iris/infer", v1 = "/v1/models/iris:predict";
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String[][] bad = {
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3"},
            {v2, "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 5], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 5]}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"INT64\", \"data\": [1, 2, 3, 4]}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, \"3\", 4]}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": " + deep + "}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1000000000, 4], \"datatype\": \"FP32\", \"data\": [1]}]}"},
            {v2, "{\"inputs\": [{\"name\": \"input\", \"shape\": [100, 4], \"datatype\": \"FP32\", \"data\": [" + "1,".repeat(399) + "1]}]}"},
            {v2, ""},
            {v2, "\u0000\u00ff\u00fe garbage"},
            {v2, "null"},
            {v1, "{\"instances\": [[1, 2, 3, 4]], \"inputs\": [[1, 2, 3, 4]]}"},
            {v1, "{\"instances\": [[1, 2, 3, 4], [1, 2]]}"},
            {v1, "{\"inputs\": {\"input\": [[true, false, true, false]]}}"},
            {v1, "{\"instances\": " + deep + "}"},
            {"/v2/models/iris/versions/99/infer", "{}"},
            {"/v1/models/other:predict", "{\"instances\": [[1, 2, 3, 4]]}"},
        };
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).start()) {
            Http http = client(server);
            int clients = 4, perClient = 250;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<String>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = c;
                results.add(pool.submit(() -> {
                    Generator g = new Generator(seed);
                    for (int i = 0; i < perClient; i++) {
                        String[] b = bad[(seed * perClient + i) % bad.length];
                        Http.Answer a = http.post(b[0], b[1]);
                        if (a.status < 400 || a.status >= 500) return "malformed " + b[0] + " " + b[1].substring(0, Math.min(80, b[1].length())) + " answered " + a.status;
                        a.error();   // the body is {"error": "..."}
                        if (i % 2 == 1) continue;   // a good request after every other bad one
                        float[] x = ModelServerTest.row(g);
                        Http.Answer ok = http.post(i % 4 == 0 ? v2 : v1, i % 4 == 0 ? ModelServerTest.v2Body(x) : "{\"instances\": [" + Http.JSON.valueToTree(x) + "]}");
                        if (ok.status != 200) return "good request answered " + ok.status + ": " + ok.text();
                        float[] want = ModelServerTest.expected(model, x);
                        JsonNode r = ok.json();
                        float[] got = i % 4 == 0 ? ModelServerTest.data(r) : Http.JSON.treeToValue(r.get("predictions").get(0), float[].class);
                        assertArrayEquals(want, got, 1e-5f);
                    }
                    return null;
                }));
            }
            for (Future<String> f : results) assertEquals(null, f.get(120, TimeUnit.SECONDS));
            pool.shutdown();
            String metrics = http.get("/metrics").text();
            assertTrue(ModelServerTest.value(metrics, "janus_http_responses_total{code=\"400\"}") >= 700, metrics);
            assertEquals(500.0, ModelServerTest.value(metrics, "janus_inference_request_success_total{model=\"iris\",version=\"1\"}"));
            assertEquals(200, http.get("/v2/health/live").status);
        }
    }
}
