package dev.janus.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo end to end: both styles agree, both exports run in ONNX Runtime with Janus's numbers, the chart is a PNG. */
class DemoTest {
    @Test
    void trainsBothStylesAlikeExportsBothAndDrawsTheCurves(@TempDir Path dir, @TempDir Path logs) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Comparison c = Demo.run(dir, 50, 0, new PrintStream(bytes, true, StandardCharsets.UTF_8), logs);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(50, c.eager.get("loss").size());
        assertEquals(96, c.trainSamples);
        assertEquals(24, c.validationSamples);
        assertEquals(30, c.testSamples);
        for (String key : new String[] {"loss", "accuracy", "val_loss", "val_accuracy"}) {
            for (int e = 0; e < 50; e++) {
                assertEquals(c.eager.get(key).get(e), c.compiled.get(key).get(e), 1e-5, key + ", epoch " + (e + 1));
            }
        }
        assertTrue(c.maxWeightDifference < 1e-5, "weights differ by " + c.maxWeightDifference);
        assertTrue(c.eager.test.get("accuracy") >= 0.9, "eager test accuracy " + c.eager.test.get("accuracy"));
        assertEquals(c.eager.test.get("accuracy"), c.compiled.test.get("accuracy"));
        assertEquals(0, c.disagreements());

        for (Comparison.Side s : new Comparison.Side[] {c.eager, c.compiled}) {
            assertTrue(s.onnx.maxError < 1e-5, s.style + ": ONNX Runtime differs from Janus by " + s.onnx.maxError);
            assertEquals(s.test.get("accuracy"), s.onnx.accuracy, 1e-12);
            assertTrue(s.clock.medianMicrosPerStep() > 0);
            assertTrue(s.clock.bytesPerStep() > 0);
            assertTrue(s.peakHeapBytes > 0);
        }
        assertTrue(Files.isRegularFile(dir.resolve("iris_eager.onnx")));
        assertTrue(Files.isRegularFile(dir.resolve("iris_compiled.onnx")));
        BufferedImage png = ImageIO.read(dir.resolve("iris_training.png").toFile());
        assertNotNull(png, "not a readable PNG");
        assertEquals(1280, png.getWidth());
        assertEquals(440, png.getHeight());

        for (String picture : new String[] {"iris_confusion.png", "iris_precision_recall.png"}) {
            BufferedImage p = ImageIO.read(dir.resolve(picture).toFile());
            assertNotNull(p, picture + " is not a readable PNG");
            assertEquals(960, p.getWidth(), picture);   // both styles side by side
            assertTrue(out.contains(dir.resolve(picture).toString()), out);
        }
        // The TensorBoard runs of both styles in one folder (TensorBoardReadsTest reads such files back).
        for (String run : new String[] {"eager/train", "eager/validation", "compiled/train", "compiled/validation", "hparams/eager", "hparams/compiled", ""}) {
            try (var files = Files.list(logs.resolve(run))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("events.out.tfevents.")), "no event file in " + run);
            }
        }

        assertTrue(out.contains("   50   |"), "one row per epoch:\n" + out);
        assertTrue(out.contains("time per step (median)"), out);
        assertTrue(out.contains("ONNX Runtime vs Janus, max error"), out);
        assertTrue(out.contains("largest difference between the two models' weights after training"), out);
        assertTrue(out.contains("training curves (loss and accuracy per epoch, both styles): " + dir.resolve("iris_training.png")), out);
        assertTrue(out.contains("Both styles trained the same model from the same weights and seed"), out);
        try (var files = Files.list(dir)) {
            assertEquals(5, files.count(), "no temporary files are left behind");
        }
    }
}
