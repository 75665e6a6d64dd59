package dev.janus.examples;

import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digits CNN, both ways, from seed 0: the accuracy target, and ONNX Runtime agrees with each exported model. */
class DigitsCnnTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void eagerReachesTheTargetAndExports() {
        DigitsCnn.Result<dev.janus.eager.nn.NNSequential> r = DigitsCnn.trainEager(DigitsCnn.SEED, DigitsCnn.EPOCHS, QUIET);
        assertTrue(r.testAccuracy >= 0.95, "test accuracy " + r.testAccuracy);
        Tensor x = DigitsData.shaped(DigitsData.load().test, 1, 8, 8);
        double err = DigitsCnn.onnxRuntimeError(DigitsCnn.traced(r.model, x), x, EagerTrainer.predict(r.model, x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest logit");
    }

    @Test
    void compiledReachesTheTargetAndExportsChannelsLast() {
        DigitsCnn.Result<dev.janus.layers.Sequential> r = DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, QUIET);
        assertTrue(r.testAccuracy >= 0.95, "test accuracy " + r.testAccuracy);
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8, 1);
        double err = DigitsCnn.onnxRuntimeError(r.model.inferenceGraph(), x, r.model.predict(x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest probability");
    }
}
