package dev.janus.serving;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.util.List;

/** Joins tensors along their first dimension (the batch) and takes rows back out. */
final class BatchRows {
    private BatchRows() {
    }

    /**
     * The tensors stacked along dimension 0 (all have the same dtype and the same shape after it),
     * followed by copies of the last row up to {@code rows} rows in all.
     */
    static Tensor concat(List<Tensor> parts, int rows) {
        Tensor first = parts.get(0);
        Shape shape = first.shape().with(0, rows);
        Object out = newArray(first.dtype(), shape.size());
        int at = 0;
        for (Tensor t : parts) {
            Object src = elements(t);
            System.arraycopy(src, 0, out, at, t.numel());
            at += t.numel();
        }
        int per = first.dim(0) == 0 ? 0 : first.numel() / first.dim(0);
        for (; per > 0 && at < shape.size(); at += per) System.arraycopy(out, at - per, out, at, per);
        return Tensor.wrap(out, first.dtype(), shape);
    }

    /** Rows [from, to) of {@code t}, copied. {@code all} is {@link #elements(Tensor)} of t, read once for many slices. */
    static Tensor slice(Tensor t, Object all, int from, int to) {
        int per = t.dim(0) == 0 ? 0 : t.numel() / t.dim(0);
        Object out = newArray(t.dtype(), (to - from) * per);
        System.arraycopy(all, from * per, out, 0, (to - from) * per);
        return Tensor.wrap(out, t.dtype(), t.shape().with(0, to - from));
    }

    /** A copy of the elements as the Java array of the tensor's dtype. */
    static Object elements(Tensor t) {
        switch (t.dtype()) {
            case FLOAT32: return t.toFloatArray();
            case FLOAT64: return t.toDoubleArray();
            case INT64: return t.toLongArray();
            default: return t.toBooleanArray();
        }
    }

    static Object newArray(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case INT64: return new long[n];
            default: return new boolean[n];
        }
    }
}
