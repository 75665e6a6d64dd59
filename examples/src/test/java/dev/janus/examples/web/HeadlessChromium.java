package dev.janus.examples.web;

import dev.janus.core.io.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket, java.net.http: no
 * library), as a person would use a page: real mouse clicks and strokes, typed text, then what the
 * page shows is read back. Started fresh, with its own profile folder, no network services and no
 * sandbox (tests run as root); closed with its process and folder.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final BlockingQueue<Map<String, Object>> messages = new LinkedBlockingQueue<>();
    private int nextId;

    /** The browser to run: $CHROMIUM, else chromium or chromium-browser on the PATH; null when there is none. */
    public static String executable() {
        String given = System.getenv("CHROMIUM");
        if (given != null && Files.isExecutable(Path.of(given))) return given;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** Skips the calling test unless Chromium is installed. */
    public static void require() {
        assumeTrue(executable() != null, "skipped: no chromium on the PATH (apt-get install -y chromium runs the browser tests)");
    }

    public static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("janus-chromium-");
        Process p = new ProcessBuilder(executable(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--hide-scrollbars", "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return new HeadlessChromium(p, profile);
        } catch (IOException | RuntimeException | InterruptedException e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile) throws IOException, InterruptedException {
        this.process = process;
        this.profile = profile;
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String port = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        for (String line; port == null && System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
            seen.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) port = m.group(2);
        }
        if (port == null) throw new IOException("chromium did not open its DevTools port; it said:\n" + String.join("\n", seen));
        Thread drain = new Thread(() -> {
            try {
                while (err.readLine() != null) {
                    // Chromium keeps logging (D-Bus, GPU); the pipe must not fill up.
                }
            } catch (IOException ignored) {
                // The browser closed.
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String page = null;
        for (int attempt = 0; page == null && attempt < 50; attempt++) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (Object t : (List<?>) Json.parse(list)) {
                Map<?, ?> target = (Map<?, ?>) t;
                if ("page".equals(target.get("type"))) page = (String) target.get("webSocketDebuggerUrl");
            }
            if (page == null) Thread.sleep(100);
        }
        if (page == null) throw new IOException("chromium opened no page");
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) Json.parse(partial.toString());
                    messages.add(m);
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).join();
        send("Page.enable", Map.of());
        send("Runtime.enable", Map.of());
    }

    /** Sends a command and waits for its reply; returns its result, or fails with the browser's error. */
    public Map<?, ?> send(String method, Map<String, Object> params) throws InterruptedException {
        int id = ++nextId;
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", id);
        msg.put("method", method);
        msg.put("params", params);
        socket.sendText(Json.write(msg), true).join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, Object> m = messages.poll(1, TimeUnit.SECONDS);
            if (m == null || !(m.get("id") instanceof Number) || ((Number) m.get("id")).intValue() != id) continue;
            if (m.containsKey("error")) throw new IllegalStateException(method + " failed: " + Json.write(m.get("error")));
            return (Map<?, ?>) m.get("result");
        }
        throw new IllegalStateException(method + ": no reply from chromium in 60 s");
    }

    /** The value of a JavaScript expression in the page (a promise is awaited); a thrown error fails. */
    public Object eval(String expression) throws InterruptedException {
        Map<?, ?> r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.containsKey("exceptionDetails")) throw new IllegalStateException(expression + " threw: " + Json.write(r.get("exceptionDetails")));
        return ((Map<?, ?>) r.get("result")).get("value");
    }

    /** Waits until the expression is true (it is evaluated every 50 ms, for up to 30 s). */
    public void waitFor(String expression) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(eval("!!(" + expression + ")"))) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("timed out waiting for " + expression + "; the page shows: " + eval("document.body.innerText"));
    }

    /** Opens a URL and waits for the page's load event. */
    public void open(String url) throws InterruptedException {
        send("Page.navigate", Map.of("url", url));
        waitFor("document.readyState === 'complete' && location.href === " + Json.write(url));
    }

    /** The centre of an element, in CSS pixels of the viewport (it is scrolled into view first). */
    private double[] centre(String selector) throws InterruptedException {
        Object r = eval("(() => { const e = document.querySelector(" + Json.write(selector) + "); e.scrollIntoView({block: 'center'});"
                + " const b = e.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; })()");
        List<?> xy = (List<?>) r;
        return new double[] {((Number) xy.get(0)).doubleValue(), ((Number) xy.get(1)).doubleValue()};
    }

    private void mouse(String type, double x, double y) throws InterruptedException {
        Map<String, Object> p = new LinkedHashMap<>(Map.of("type", type, "x", x, "y", y, "button", "left", "pointerType", "mouse"));
        if (!type.equals("mouseMoved")) p.put("clickCount", 1);
        p.put("buttons", type.equals("mouseReleased") ? 0 : 1);
        send("Input.dispatchMouseEvent", p);
    }

    /** A left click at the element's centre. */
    public void click(String selector) throws InterruptedException {
        double[] c = centre(selector);
        mouse("mousePressed", c[0], c[1]);
        mouse("mouseReleased", c[0], c[1]);
    }

    /** Replaces the text of an input field, as typed: the field is focused, its text selected, the new text inserted. */
    public void type(String selector, String text) throws InterruptedException {
        eval("(() => { const e = document.querySelector(" + Json.write(selector) + "); e.focus(); e.select(); })()");
        send("Input.insertText", Map.of("text", text));
    }

    /**
     * A stroke with the button held: from the first point through the others to the last, each
     * (x, y) a fraction of the element's width and height.
     */
    public void stroke(String selector, double[][] points) throws InterruptedException {
        List<?> box = (List<?>) eval("(() => { const b = document.querySelector(" + Json.write(selector) + ").getBoundingClientRect();"
                + " return [b.left, b.top, b.width, b.height]; })()");
        double left = ((Number) box.get(0)).doubleValue(), top = ((Number) box.get(1)).doubleValue();
        double w = ((Number) box.get(2)).doubleValue(), h = ((Number) box.get(3)).doubleValue();
        mouse("mousePressed", left + points[0][0] * w, top + points[0][1] * h);
        for (int i = 1; i < points.length; i++) {
            double[] a = points[i - 1], b = points[i];
            for (int s = 1; s <= 8; s++) mouse("mouseMoved", left + (a[0] + (b[0] - a[0]) * s / 8) * w, top + (a[1] + (b[1] - a[1]) * s / 8) * h);
        }
        double[] last = points[points.length - 1];
        mouse("mouseReleased", left + last[0] * w, top + last[1] * h);
    }

    /** A PNG of the viewport. */
    public byte[] screenshot() throws InterruptedException {
        return Base64.getDecoder().decode((String) send("Page.captureScreenshot", Map.of("format", "png")).get("data"));
    }

    @Override
    public void close() {
        try {
            socket.sendText(Json.write(Map.of("id", ++nextId, "method", "Browser.close", "params", Map.of())), true);
            socket.abort();
        } catch (RuntimeException ignored) {
            // The browser may be gone already.
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary profile is harmless.
        }
    }
}
