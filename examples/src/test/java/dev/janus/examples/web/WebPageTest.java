package dev.janus.examples.web;

import com.sun.net.httpserver.HttpServer;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.io.Json;
import dev.janus.examples.DigitsData;
import dev.janus.examples.IrisData;
import dev.janus.examples.WebPages;
import dev.janus.export.ModelExport;
import dev.janus.export.WebOptions;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The exported pages in headless Chromium, opened from disk (file://) as a person would open them:
 * the test types into the form or draws on the canvas with the mouse, clicks, and reads the
 * prediction the page shows; Janus, given the same input, must give the same numbers (within 1e-5
 * of the largest output) and the page must name the same class.
 */
class WebPageTest {
    @TempDir
    static Path dir;
    private static HeadlessChromium browser;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        browser = HeadlessChromium.start(1000, 900);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
    }

    private static double[] numbers(String id) throws InterruptedException {
        List<?> v = (List<?>) Json.parse((String) browser.eval("document.getElementById('" + id + "').textContent"));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) v.get(i)).doubleValue();
        return out;
    }

    private static void openPage(Path page) throws InterruptedException {
        browser.open(page.toUri().toString());
        browser.waitFor("document.body.dataset.ready");
        assertEquals("true", browser.eval("document.body.dataset.ready"), "the page says: " + browser.eval("document.body.innerText"));
    }

    /** Does something that makes the page predict, and waits for the new prediction. */
    private interface Action {
        void run() throws InterruptedException;
    }

    private static void predictBy(Action action) throws InterruptedException {
        browser.eval("document.getElementById('model-output').textContent = ''");
        action.run();
        browser.waitFor("document.getElementById('model-output').textContent !== '' || document.getElementById('error').textContent !== ''");
        assertEquals("", browser.eval("document.getElementById('error').textContent"));
    }

    /**
     * The page's output for the input it shows must be Janus's for that input, and its headline the
     * class Janus ranks first; returns that class's index.
     */
    private static int assertPageAgrees(String what, Sequential model, Shape sample, List<String> classes) throws InterruptedException {
        double[] input = numbers("model-input"), shown = numbers("model-output");
        Tensor x = Tensor.empty(DType.FLOAT32, Shape.of(1).concat(sample));
        for (int i = 0; i < input.length; i++) x.setDouble(i, input[i]);
        Tensor y = model.predict(x);
        double worst = 0, scale = 0;
        int top = 0;
        for (int i = 0; i < shown.length; i++) {
            worst = Math.max(worst, Math.abs(shown[i] - y.readDouble(i)));
            scale = Math.max(scale, Math.abs(y.readDouble(i)));
            if (y.readDouble(i) > y.readDouble(top)) top = i;
        }
        assertEquals(y.numel(), shown.length, what + ": outputs shown");
        assertTrue(worst <= 1e-5 * scale, String.format(Locale.ROOT, "%s: the page differs from Janus by %.3g of the largest output", what, worst / scale));
        String headline = (String) browser.eval("document.getElementById('prediction').textContent");
        assertTrue(headline.startsWith(classes.get(top)), what + ": the page says '" + headline + "', Janus ranks " + classes.get(top) + " first");
        return top;
    }

    @Test
    void irisFormTypedIn() throws Exception {
        IrisData data = IrisData.load();
        Sequential model = WebModels.iris();
        openPage(WebPages.iris(model, dir.resolve("iris")));
        for (int row : new int[] {0, 7, 21}) {
            float[] raw = new float[4];
            for (int i = 0; i < 4; i++) raw[i] = (float) data.rawTest.readDouble(row * 4 + i);
            predictBy(() -> {
                for (int i = 0; i < 4; i++) browser.type("#feature-" + i, Float.toString(raw[i]));
                browser.click("#predict");
            });
            double[] input = numbers("model-input");
            for (int i = 0; i < 4; i++) {
                assertEquals(data.xTest.readDouble(row * 4 + i), input[i], 1e-6, "the page standardises feature " + i + " of flower " + row);
            }
            assertPageAgrees("iris flower " + row, model, Shape.of(4), Iris.CLASSES);
        }
        for (int k = 1; k <= 3; k++) {
            int example = k;
            predictBy(() -> browser.click("#examples button:nth-of-type(" + example + ")"));
            assertPageAgrees("iris example " + k, model, Shape.of(4), Iris.CLASSES);
        }
    }

    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** A 7: across the top, then down to the bottom left (fractions of the canvas). */
    private static final double[][] SEVEN = {{0.25, 0.2}, {0.75, 0.2}, {0.62, 0.5}, {0.45, 0.85}};

    private void drawAndPickExamples(Sequential model, Shape sample, String name, Path screenshot) throws Exception {
        openPage(WebPages.digits(model, name, dir.resolve(name)));
        Tensor examples = digitExamples();
        for (int digit : new int[] {0, 3, 8}) {
            predictBy(() -> browser.click("#examples button:nth-of-type(" + (digit + 1) + ")"));
            double[] input = numbers("model-input"), want = new double[64];
            for (int i = 0; i < 64; i++) want[i] = examples.readDouble(digit * 64 + i);
            assertArrayEquals(want, input, 0.0, "the example's pixels go to the model as they are");
            assertPageAgrees(name + ", the test set's first " + digit, model, sample, DIGITS);
        }
        browser.click("#clear");
        predictBy(() -> browser.stroke("#pad", SEVEN));
        double[] drawn = numbers("model-input");
        double ink = 0;
        for (double v : drawn) ink += v;
        assertTrue(ink > 5, name + ": the stroke reached the model's input (total ink " + ink + ")");
        assertPageAgrees(name + ", a 7 drawn with the mouse", model, sample, DIGITS);
        if (screenshot != null) Files.write(screenshot, browser.screenshot());
    }

    @Test
    void digitsCnnCanvas() throws Exception {
        // -Djanus.screenshot=PATH keeps a picture of the page (the README's comes from a run with the fully trained model).
        String keep = System.getProperty("janus.screenshot");
        drawAndPickExamples(WebModels.digitsCnn(), Shape.of(8, 8, 1), "digits-cnn", keep == null ? dir.resolve("digits-cnn.png") : Path.of(keep));
    }

    @Test
    void digitsLstmCanvas() throws Exception {
        drawAndPickExamples(WebModels.digitsLstm(), Shape.of(8, 8), "digits-lstm", null);
    }

    /** The onnxruntime-web page, served over HTTP with onnxruntime-web from benchmarks/web (npm install there). */
    @Test
    void onnxRuntimeWebPage() throws Exception {
        Path dist = repositoryRoot().resolve("benchmarks/web/node_modules/onnxruntime-web/dist");
        assumeTrue(Files.isRegularFile(dist.resolve("ort.min.js")), "skipped: onnxruntime-web is not installed (npm install in benchmarks/web)");
        Sequential model = WebModels.digitsCnn();
        Path site = dir.resolve("ort-site");
        ModelExport.toWeb(model, site, WebOptions.defaults().title("digits, onnxruntime-web").onnxRuntimeWeb("ort/ort.min.js")
                .examples(digitExamples(), null));
        assertTrue(Files.isRegularFile(site.resolve("model.onnx")));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path file = path.startsWith("/ort/") ? dist.resolve(path.substring(5)) : site.resolve(path.equals("/") ? "index.html" : path.substring(1));
            if (!file.normalize().startsWith(path.startsWith("/ort/") ? dist : site) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String name = file.getFileName().toString();
            exchange.getResponseHeaders().set("Content-Type", name.endsWith(".html") ? "text/html" : name.endsWith(".wasm") ? "application/wasm"
                    : name.endsWith("js") ? "text/javascript" : "application/octet-stream");
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/index.html";
            browser.open(url);
            browser.waitFor("document.body.dataset.ready");
            assertEquals("true", browser.eval("document.body.dataset.ready"), "the page says: " + browser.eval("document.body.innerText"));
            for (int digit : new int[] {2, 7}) {
                predictBy(() -> browser.click("#examples button:nth-of-type(" + (digit + 1) + ")"));
                assertPageAgrees("onnxruntime-web, the test set's first " + digit, model, Shape.of(8, 8, 1), DIGITS);
            }
        } finally {
            server.stop(0);
        }
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("benchmarks/RESULTS.md"))) p = p.getParent();
        return p == null ? Path.of("") : p;
    }

    /** The test-set digits the digits pages offer: the first of each class, [10, 64]. */
    private static Tensor digitExamples() {
        DigitsData data = DigitsData.load();
        return WebPages.firstOfEachClass(data.test.tensor(0), data.test.tensor(1), 10);
    }
}
