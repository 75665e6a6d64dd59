package dev.janus.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Flatten;
import dev.janus.serving.ModelServer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load test of the model server on loopback: 64 keep-alive clients, each sending one-row KServe v2
 * requests back to back (a closed loop, as wrk does), against iris and the digits CNN, on Janus's
 * compiled plan and on ONNX Runtime (the peer, behind the same server), each with and without
 * dynamic batching. Bounded: a warm-up, then a fixed time and at most a fixed number of requests per
 * case. Reports inferences/s and p50/p99/p99.9 latency, and counts every answer that is not a 200
 * or whose numbers are wrong (one answer in 64 is parsed and checked against the model).
 *
 * <p>The clients write the request bytes and read the answer through a minimal HTTP/1.1 reader
 * (status line, Content-Length, body): a load generator must cost the 2 cores less than the
 * server it measures, which Java's HttpClient does not.
 *
 * <pre>mvn -q -pl benchmarks -am package -DskipTests && java -cp ... dev.janus.benchmarks.ServingLoad [--seconds 10] [--only REGEX]</pre>
 */
public final class ServingLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServingLoad() {
    }

    record Case(String model, String engine, boolean batching) {
        String name() {
            return model + "_" + engine + (batching ? "_batched" : "");
        }
    }

    record Result(Case c, long requests, double seconds, long errors, long wrong, double p50, double p99, double p999, double cpuLoad) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10, warmup = 3, clients = 64;
        long maxRequests = 5_000_000;
        String only = ".*";
        long delayMicros = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--clients": clients = Integer.parseInt(args[++i]); break;
                case "--only": only = args[++i]; break;
                case "--delay-us": delayMicros = Long.parseLong(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path repo = Files.createTempDirectory("janus-serving-load");
        Sequential iris = iris(), digits = digits();
        List<Case> cases = new ArrayList<>();
        for (String model : List.of("iris", "digits")) {
            for (String engine : List.of("janus", "onnxruntime")) {
                for (boolean batching : List.of(false, true)) {
                    Case c = new Case(model, engine, batching);
                    if (!c.name().matches(only)) continue;
                    cases.add(c);
                    Path file = repo.resolve(c.name()).resolve("1").resolve("model.onnx");
                    Files.createDirectories(file.getParent());
                    ModelExport.toOnnx(model.equals("iris") ? iris : digits, file, ExportOptions.defaults());
                    String config = "{\"backend\": \"" + engine + "\"" + (batching
                            ? ", \"max_batch_size\": 64, \"dynamic_batching\": {\"max_queue_delay_microseconds\": " + delayMicros + "}" : "") + "}";
                    Files.writeString(repo.resolve(c.name()).resolve("config.json"), config);
                }
            }
        }
        System.out.printf(Locale.ROOT, "machine: %d cores, %s; load average before: %.2f%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), loadAverage());
        List<Result> results = new ArrayList<>();
        try (ModelServer server = ModelServer.builder().modelRepository(repo).port(0).pollInterval(Duration.ZERO).maxQueueSize(4096).start()) {
            for (Case c : cases) {
                Sequential model = c.model().equals("iris") ? iris : digits;
                run(server.port(), c, model, clients, warmup, 0, 200_000);
                Result r = run(server.port(), c, model, clients, seconds, maxRequests, maxRequests);
                results.add(r);
                System.out.printf(Locale.ROOT, "%-28s %9.0f inferences/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  errors %d  wrong %d  (%d requests, %.1f s, load %.2f)%n",
                        c.name(), r.requests() / r.seconds(), r.p50(), r.p99(), r.p999(), r.errors(), r.wrong(), r.requests(), r.seconds(), r.cpuLoad());
            }
        }
        System.out.println();
        System.out.println("| model | engine | dynamic batching | inferences/s | p50 | p99 | p99.9 | errors |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %d |%n", r.c().model(),
                    r.c().engine().equals("janus") ? "Janus" : "ONNX Runtime", r.c().batching() ? "on (max 64, delay " + delayMicros + " µs)" : "off",
                    r.requests() / r.seconds(), r.p50(), r.p99(), r.p999(), r.errors() + r.wrong());
        }
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The demo's iris MLP: 4 -> 64 relu -> 32 relu -> 3 softmax. */
    static Sequential iris() {
        Sequential m = new Sequential();
        m.generator(new Generator(0));
        m.add(new Input(4));
        m.add(new Dense(64, "relu"));
        m.add(new Dense(32, "relu"));
        m.add(new Dense(3, "softmax"));
        return m;
    }

    /** The digits CNN of DigitsCnn: 8x8x1 -> conv 16 -> pool -> conv 32 -> pool -> dense 10 softmax. */
    static Sequential digits() {
        Sequential m = new Sequential();
        m.generator(new Generator(0));
        m.add(new Input(8, 8, 1));
        m.add(new Conv2D(16, 3, "relu").padding("same"));
        m.add(new MaxPooling2D());
        m.add(new Conv2D(32, 3, "relu").padding("same"));
        m.add(new MaxPooling2D());
        m.add(new Flatten());
        m.add(new Dense(10, "softmax"));
        return m;
    }

    static Result run(int port, Case c, Sequential model, int clients, int seconds, long maxRequests, long cap) throws Exception {
        int features = c.model().equals("iris") ? 4 : 64;
        int[] shape = c.model().equals("iris") ? new int[] {1, 4} : new int[] {1, 8, 8, 1};
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong sent = new AtomicLong(), errors = new AtomicLong(), wrong = new AtomicLong();
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < clients; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                Generator g = new Generator(1000 + id);
                float[] x = Tensor.randn(g, features).toFloatArray();
                float[] want;
                synchronized (model) {
                    want = model.predict(Tensor.of(x, shape)).toFloatArray();
                }
                byte[] request = request(port, c.name(), x, shape);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
                    while (System.nanoTime() < deadline && sent.incrementAndGet() <= cap) {
                        long t0 = System.nanoTime();
                        out.write(request);
                        out.flush();
                        int status = readStatus(in);
                        byte[] body = readBody(in);
                        long dt = System.nanoTime() - t0;
                        if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                        lat[n++] = dt;
                        if (status != 200) errors.incrementAndGet();
                        else if (n % 64 == 1 && !matches(body, want)) wrong.incrementAndGet();
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                } finally {
                    latencies[id] = lat;
                    counts[id] = n;
                    done.countDown();
                }
            }, "load-" + t);
            threads.add(th);
            th.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (int n : counts) total += n;
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < clients; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Result(c, total, elapsed, errors.get(), wrong.get(), pct(all, 0.5), pct(all, 0.99), pct(all, 0.999), loadAverage());
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static boolean matches(byte[] body, float[] want) {
        try {
            JsonNode data = JSON.readTree(body).get("outputs").get(0).get("data");
            for (int i = 0; i < want.length; i++) if (Math.abs(data.get(i).floatValue() - want[i]) > 1e-5f) return false;
            return data.size() == want.length;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static byte[] request(int port, String model, float[] x, int[] shape) {
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":").append(Arrays.toString(shape).replace(" ", ""))
                .append(",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < x.length; i++) json.append(i == 0 ? "" : ",").append(x[i]);
        json.append("]}]}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        String head = "POST /v2/models/" + model + "/infer HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** The status code; reads the headers through the blank line, keeping Content-Length for {@link #readBody}. */
    static int readStatus(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 ")) throw new IOException("bad status line: " + status);
        int length = -1;
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(l.substring(15).trim());
        }
        if (length < 0) throw new IOException("no Content-Length");
        LENGTH.set(length);
        return Integer.parseInt(status.substring(9, 12));
    }

    private static final ThreadLocal<Integer> LENGTH = new ThreadLocal<>();

    static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(LENGTH.get());
        if (body.length != LENGTH.get()) throw new IOException("connection closed mid-body");
        return body;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }
}
