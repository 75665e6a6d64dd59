package dev.janus.examples;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Node;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row-by-row LSTM, both ways, from seed 0, for half the example's epochs (the full 30 reach
 * about 0.97): at least 0.90 test accuracy, and the exported LSTM runs in ONNX Runtime with Janus's numbers.
 */
class DigitsRnnTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int EPOCHS = 15;

    @Test
    void eagerLearnsAndExports() {
        DigitsCnn.Result<DigitsRnn.RowReader> r = DigitsRnn.trainEager(DigitsRnn.SEED, EPOCHS, QUIET);
        assertTrue(r.testAccuracy >= 0.90, "test accuracy " + r.testAccuracy);
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        var graph = DigitsCnn.traced(r.model, x);
        assertTrue(graph.nodes().stream().map(Node::op).anyMatch(op -> op.name().equals("lstm")));
        double err = DigitsCnn.onnxRuntimeError(graph, x, EagerTrainer.predict(r.model, x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest logit");
    }

    @Test
    void compiledLearnsAndExports() {
        DigitsCnn.Result<dev.janus.layers.Sequential> r = DigitsRnn.trainCompiled(DigitsRnn.SEED, EPOCHS, QUIET);
        assertTrue(r.testAccuracy >= 0.90, "test accuracy " + r.testAccuracy);
        Tensor x = DigitsData.shaped(DigitsData.load().test, 8, 8);
        double err = DigitsCnn.onnxRuntimeError(r.model.inferenceGraph(), x, r.model.predict(x), null);
        assertTrue(err <= 1e-5, "ONNX Runtime differs by " + err + " of the largest probability");
    }
}
