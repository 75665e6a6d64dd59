package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

/** Gathers a worker's rows into batch tensors of the dtypes and shapes a model takes. */
final class Batches {
    private final float[] x;
    private final float[] y;
    private final int n, width, labelWidth;
    private final int[] sample, label;
    private final DType labelDType;

    /** {@code sample}: the shape of one row's features; {@code label}: of one row's label ([] for a scalar). */
    Batches(float[] x, float[] y, int n, int[] sample, DType labelDType, int[] label) {
        this.x = x;
        this.y = y;
        this.n = n;
        this.sample = sample.clone();
        this.label = label.clone();
        this.labelDType = labelDType;
        this.width = Shape.of(sample).size();
        this.labelWidth = Shape.of(label).size();
        if (x.length != n * width || y.length != n * labelWidth) {
            throw new JanusException("a worker got " + x.length + " feature and " + y.length + " label numbers for " + n + " rows");
        }
    }

    Tensor features(int[] order, int from, int to) {
        float[] b = new float[(to - from) * width];
        for (int i = from; i < to; i++) System.arraycopy(x, order[i] * width, b, (i - from) * width, width);
        return Tensor.of(b, prepend(to - from, sample));
    }

    Tensor labels(int[] order, int from, int to) {
        int rows = to - from;
        int[] shape = prepend(rows, label);
        if (labelDType == DType.INT64) {
            long[] b = new long[rows * labelWidth];
            for (int i = from; i < to; i++) for (int j = 0; j < labelWidth; j++) b[(i - from) * labelWidth + j] = (long) y[order[i] * labelWidth + j];
            return Tensor.of(b, shape);
        }
        Tensor t = Tensor.empty(labelDType, Shape.of(shape));
        for (int i = from; i < to; i++) for (int j = 0; j < labelWidth; j++) t.setDouble((i - from) * labelWidth + j, y[order[i] * labelWidth + j]);
        return t;
    }

    static int[] prepend(int first, int[] rest) {
        int[] d = new int[rest.length + 1];
        d[0] = first;
        System.arraycopy(rest, 0, d, 1, rest.length);
        return d;
    }
}
