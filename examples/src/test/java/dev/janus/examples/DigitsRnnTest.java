package dev.janus.examples;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Node;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row-by-row LSTM, both ways, from seed 0, for half the example's epochs (the full 30 reach
 * about 0.97): the test accuracy these runs reach, and the exported LSTM runs in ONNX Runtime with Janus's numbers.
 */
class DigitsRnnTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int EPOCHS = 15;
    /**
     * The test accuracy these seeded runs reach (of 360 test images), give or take 4 images: a floor
     * of 0.90 once let a broken Adam bias correction pass.
     */
    private static final double EAGER = 349 / 360.0, COMPILED = 345 / 360.0, MARGIN = 4.5 / 360;
    /** The last epoch's training loss, within 5%: the accuracy alone did not tell a broken Adam bias correction. */
    private static final double EAGER_LOSS = 0.0558, COMPILED_LOSS = 0.0683;

    @Test
    void eagerLearnsAndExports() {
        DigitsCnn.Result<DigitsRnn.RowReader> r = DigitsRnn.trainEager(DigitsRnn.SEED, EPOCHS, QUIET);
        assertEquals(EAGER, r.testAccuracy, MARGIN, "test accuracy");
        assertEquals(EAGER_LOSS, r.finalLoss, 0.05 * EAGER_LOSS, "final training loss");
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        var graph = DigitsCnn.traced(r.model, x);
        assertTrue(graph.nodes().stream().map(Node::op).anyMatch(op -> op.name().equals("lstm")));
        double err = DigitsCnn.onnxRuntimeError(graph, x, EagerTrainer.predict(r.model, x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest logit");
    }

    @Test
    void compiledLearnsAndExports() {
        DigitsCnn.Result<dev.janus.layers.Sequential> r = DigitsRnn.trainCompiled(DigitsRnn.SEED, EPOCHS, QUIET);
        assertEquals(COMPILED, r.testAccuracy, MARGIN, "test accuracy");
        assertEquals(COMPILED_LOSS, r.finalLoss, 0.05 * COMPILED_LOSS, "final training loss");
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        double err = DigitsCnn.onnxRuntimeError(r.model.inferenceGraph(), x, r.model.predict(x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest probability");
    }
}
