package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.testing.Close;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Flatten;
import dev.janus.layers.recurrent.LSTM;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantization-aware training in the Keras-style front end: the training step holds a fake_quantize
 * per quantized kernel and per quantized layer input (what OnnxQuantizer makes int8), predict and
 * the exported graph none; compiled and runEagerly train alike under it; and it changes training
 * (the straight-through gradient reaches the kernels through the rounding).
 */
class QuantizationAwareTest {
    private static final double TOL = 1e-6;

    private static Sequential trained(boolean eager, boolean qat, Iris data) {
        Generator.manualSeed(3);
        Sequential m = SequentialTest.iris().runEagerly(eager);
        m.quantizationAware(qat);
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        m.fit(data.xTrain, data.yTrain, new Fit().epochs(5).batchSize(16).verbose(0));
        return m;
    }

    private static long fakeQuantizes(Graph g) {
        long n = 0;
        for (Node node : g.nodes()) if (node.op().name().equals("fake_quantize")) n++;
        return n;
    }

    @Test
    void onlyTrainingStepsAreQuantized() {
        Sequential m = new Sequential(new Input(8, 8, 1), new Conv2D(4, 3, "relu"), new Flatten(), new Dense(5));
        m.compile("adam", "mse", List.of());
        m.quantizationAware(true);
        // Conv2D: kernel and input; Dense: kernel and input.
        assertEquals(4, fakeQuantizes(CompiledBackend.graph(m, "train", true, true)));
        assertEquals(0, fakeQuantizes(CompiledBackend.graph(m, "evaluate", false, true)));
        assertEquals(0, fakeQuantizes(m.inferenceGraph()));
        Sequential rnn = new Sequential(new Input(6, 5), new LSTM(8), new Dense(4));
        rnn.compile("adam", "mse", List.of());
        rnn.quantizationAware(true);
        // LSTM: kernel and recurrent kernel (its input stays float); Dense: kernel and input.
        assertEquals(4, fakeQuantizes(CompiledBackend.graph(rnn, "train", true, true)));
    }

    @Test
    void compiledAndEagerTrainAlikeAndDifferFromFloat() {
        Iris data = Iris.load(42);
        Sequential compiled = trained(false, true, data), eager = trained(true, true, data), plain = trained(false, false, data);
        List<Tensor> wc = compiled.getWeights(), we = eager.getWeights(), wf = plain.getWeights();
        double fromFloat = 0;
        for (int i = 0; i < wc.size(); i++) {
            double r = Close.maxRelError(we.get(i), wc.get(i), 1e-3);
            assertTrue(r <= TOL, compiled.weights().get(i).name() + ": compiled and eager QAT differ by " + r);
            fromFloat = Math.max(fromFloat, Close.maxRelError(wf.get(i), wc.get(i), 1e-3));
        }
        // The fake quantization is in the loop: 5 epochs end elsewhere than float training does.
        assertTrue(fromFloat > 1e-4, "QAT ended within " + fromFloat + " of float training");
        assertTrue(compiled.quantizationAware() && !plain.quantizationAware());
    }
}
