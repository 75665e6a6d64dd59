package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Immediate;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metrics;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Losses and metrics against values computed by hand from their definitions (float64). */
class LossesTest {
    private static final Immediate E = Immediate.global();
    private static final double[][] Z = {{2.0, -1.0, 0.5}, {0.1, 0.2, 0.3}, {-3.0, 4.0, 1.0}};
    private static final long[] LABELS = {0, 2, 1};

    private static Tensor z() {
        return Tensor.of(Z);
    }

    private static double[] softmax(double[] row) {
        double m = Math.max(row[0], Math.max(row[1], row[2])), s = 0;
        double[] p = new double[row.length];
        for (int j = 0; j < row.length; j++) s += p[j] = Math.exp(row[j] - m);
        for (int j = 0; j < row.length; j++) p[j] /= s;
        return p;
    }

    private static double expectedCrossEntropy() {
        double sum = 0;
        for (int i = 0; i < 3; i++) sum -= Math.log(softmax(Z[i])[(int) LABELS[i]]);
        return sum / 3;
    }

    private static double loss(Loss l, Tensor yPred, Tensor logits, ActivationFunction last, Tensor y) {
        return l.emit(E, yPred, logits, last, y).item();
    }

    @Test
    void sparseCrossEntropyFromLogitsProbabilitiesAndTheSoftmaxLogits() {
        Tensor logits = z(), probs = E.softmax(logits, -1), y = Tensor.of(LABELS);
        double want = expectedCrossEntropy();
        assertEquals(want, loss(Losses.sparseCategoricalCrossentropy(true), logits, null, null, y), 1e-12);
        assertEquals(want, loss(Losses.get("sparse_categorical_crossentropy"), probs, logits, Activations.SOFTMAX, y), 1e-12);
        assertEquals(want, loss(Losses.get("sparse_categorical_crossentropy"), probs, null, null, y), 1e-12);
    }

    @Test
    void probabilitiesAreClippedAsKerasClipsThem() {
        Tensor probs = Tensor.of(new double[][] {{0, 1, 0}}), y = Tensor.of(new long[] {0});
        assertEquals(-Math.log(1e-7), loss(Losses.get("sparse_categorical_crossentropy"), probs, null, null, y), 1e-9);
    }

    @Test
    void categoricalCrossEntropyWithOneHotLabelsMatchesTheSparseOne() {
        Tensor logits = z(), probs = E.softmax(logits, -1);
        Tensor onehot = E.oneHot(Tensor.of(LABELS), 3, DType.FLOAT64);
        Loss cce = Losses.get("categorical_crossentropy");
        assertEquals(expectedCrossEntropy(), loss(cce, probs, logits, Activations.SOFTMAX, onehot), 1e-12);
        assertEquals(expectedCrossEntropy(), loss(cce, probs, null, null, onehot), 1e-12);
        assertEquals(expectedCrossEntropy(), loss(Losses.get("categorical_crossentropy:from_logits"), logits, null, null, onehot), 1e-12);
    }

    @Test
    void binaryCrossEntropyFromTheSigmoidsLogitsAndFromProbabilities() {
        double[] zs = {-2, 0.5, 3, -0.1};
        double[] ys = {0, 1, 1, 1};
        double want = 0;
        for (int i = 0; i < 4; i++) {
            double p = 1 / (1 + Math.exp(-zs[i]));
            want -= ys[i] * Math.log(p) + (1 - ys[i]) * Math.log(1 - p);
        }
        want /= 4;
        Tensor z = Tensor.of(zs, 4, 1), y = Tensor.of(ys, 4, 1), p = E.sigmoid(z);
        assertEquals(want, loss(Losses.get("binary_crossentropy"), p, z, Activations.SIGMOID, y), 1e-12);
        assertEquals(want, loss(Losses.get("binary_crossentropy"), p, null, null, y), 1e-9);
        assertEquals(want, loss(Losses.binaryCrossentropy(true), z, null, null, y), 1e-12);
    }

    @Test
    void regressionLosses() {
        Tensor a = Tensor.of(new double[][] {{1, 2}, {3, 5}}), b = Tensor.of(new double[][] {{0, 2}, {5, 4}});
        assertEquals((1 + 0 + 4 + 1) / 4.0, loss(Losses.get("mse"), a, null, null, b), 1e-15);
        assertEquals((1 + 0 + 2 + 1) / 4.0, loss(Losses.get("mae"), a, null, null, b), 1e-15);
    }

    @Test
    void metricsSumOverTheBatch() {
        Tensor probs = E.softmax(z(), -1);
        TensorType out = probs.type();
        // argmax per row: 0, 2, 1 -> all three right for LABELS, two right for {0, 2, 2}
        Loss sparse = Losses.get("sparse_categorical_crossentropy");
        assertEquals(3.0, Metrics.get("accuracy", sparse, out).emitSum(E, probs, Tensor.of(LABELS)).item());
        assertEquals(2.0, Metrics.get("accuracy", sparse, out).emitSum(E, probs, Tensor.of(new long[] {0, 2, 2})).item());
        Tensor onehot = E.oneHot(Tensor.of(new long[] {1, 2, 1}), 3, DType.FLOAT64);
        assertEquals(2.0, Metrics.get("accuracy", Losses.get("categorical_crossentropy"), out).emitSum(E, probs, onehot).item());
        Tensor p = Tensor.of(new double[] {0.2, 0.7, 0.6, 0.4}, 4, 1), y = Tensor.of(new double[] {0, 1, 0, 0}, 4, 1);
        assertEquals(3.0, Metrics.get("accuracy", Losses.get("binary_crossentropy"), p.type()).emitSum(E, p, y).item());
        Tensor a = Tensor.of(new double[][] {{1, 2}, {3, 5}}), b = Tensor.of(new double[][] {{0, 2}, {5, 4}});
        assertEquals(0.5 + 2.5, Metrics.get("mse", Losses.get("mse"), a.type()).emitSum(E, a, b).item(), 1e-15);
        assertEquals(0.5 + 1.5, Metrics.get("mae", Losses.get("mse"), a.type()).emitSum(E, a, b).item(), 1e-15);
    }
}
