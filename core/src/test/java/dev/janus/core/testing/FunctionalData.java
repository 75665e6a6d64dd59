package dev.janus.core.testing;

import dev.janus.core.Tensor;

/**
 * Iris cut into the two inputs and the regression target of the Functional examples (layers'
 * FunctionalTest, the README's Functional model): columns of the features, and row means.
 */
public final class FunctionalData {
    private FunctionalData() {
    }

    /** Columns [from, to) of a 2-D tensor. */
    public static Tensor columns(Tensor x, int from, int to) {
        int n = x.dim(0);
        float[] out = new float[n * (to - from)];
        for (int i = 0; i < n; i++) for (int j = from; j < to; j++) out[i * (to - from) + j - from] = x.getFloat(i, j);
        return Tensor.of(out, n, to - from);
    }

    /** Each row's mean, [n, 1]. */
    public static Tensor rowMeans(Tensor x) {
        int n = x.dim(0), d = x.dim(1);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += x.getDouble(i, j);
            out[i] = (float) (s / d);
        }
        return Tensor.of(out, n, 1);
    }
}
