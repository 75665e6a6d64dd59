package dev.janus.examples.web;

import dev.janus.examples.DigitsCnn;
import dev.janus.examples.WebPages;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's picture of the digits page: the CNN trained as DigitsCnn trains it, exported, opened
 * from disk in headless Chromium, a 3 drawn with the mouse, and the page photographed.
 *
 * <p>Run: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.janus.examples.web.ReadmeScreenshot -Dexec.args=docs/web-digits.png}
 */
public final class ReadmeScreenshot {
    private ReadmeScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/web-digits.png").toAbsolutePath();
        Path site = Files.createTempDirectory("janus-web-");
        var model = DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, new PrintStream(OutputStream.nullOutputStream())).model;
        Path page = WebPages.digits(model, "Handwritten digits (CNN)", site);
        try (HeadlessChromium browser = HeadlessChromium.start(920, 800)) {
            browser.open(page.toUri().toString());
            browser.waitFor("document.body.dataset.ready === 'true'");
            // A 3: two arcs meeting in the middle.
            browser.stroke("#pad", new double[][] {{0.3, 0.2}, {0.5, 0.13}, {0.68, 0.22}, {0.66, 0.38}, {0.48, 0.48}, {0.68, 0.58},
                    {0.7, 0.76}, {0.52, 0.87}, {0.3, 0.8}});
            browser.waitFor("document.getElementById('model-output').textContent !== ''");
            Files.createDirectories(out.getParent());
            Files.write(out, browser.screenshot());
            System.out.println("the page reads the drawing as " + browser.eval("document.getElementById('prediction').textContent")
                    + "; wrote " + out);
        }
    }
}
