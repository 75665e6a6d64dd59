package dev.janus.examples;

import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digits CNN, both ways, from seed 0: the accuracy target, and ONNX Runtime agrees with each exported model. */
class DigitsCnnTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    /**
     * The test accuracy these seeded runs reach (of 360 test images), give or take 4 images: a floor
     * of 0.95 once let a broken Adam bias correction pass.
     */
    private static final double EAGER = 351 / 360.0, COMPILED = 349 / 360.0, MARGIN = 4.5 / 360;
    /** The last epoch's training loss, within 5%: the accuracy alone did not tell a broken Adam bias correction. */
    private static final double EAGER_LOSS = 0.0894, COMPILED_LOSS = 0.0767;

    @Test
    void eagerReachesTheTargetAndExports() {
        DigitsCnn.Result<dev.janus.eager.nn.NNSequential> r = DigitsCnn.trainEager(DigitsCnn.SEED, DigitsCnn.EPOCHS, QUIET);
        assertEquals(EAGER, r.testAccuracy, MARGIN, "test accuracy");
        assertEquals(EAGER_LOSS, r.finalLoss, 0.05 * EAGER_LOSS, "final training loss");
        Tensor x = DigitsData.shaped(DigitsData.load().test, 1, 8, 8);
        double err = DigitsCnn.onnxRuntimeError(DigitsCnn.traced(r.model, x), x, EagerTrainer.predict(r.model, x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest logit");
    }

    @Test
    void compiledReachesTheTargetAndExportsChannelsLast() {
        DigitsCnn.Result<dev.janus.layers.Sequential> r = DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, QUIET);
        assertEquals(COMPILED, r.testAccuracy, MARGIN, "test accuracy");
        assertEquals(COMPILED_LOSS, r.finalLoss, 0.05 * COMPILED_LOSS, "final training loss");
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8, 1);
        double err = DigitsCnn.onnxRuntimeError(r.model.inferenceGraph(), x, r.model.predict(x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest probability");
    }
}
