package dev.janus.layers;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.Storage;

/** Copying samples (rows along the first axis) between tensors. */
final class Rows {
    private Rows() {
    }

    static int width(Tensor t) {
        return t.rank() == 0 ? 1 : t.shape().size(1, t.rank());
    }

    /**
     * dst row i = src row order[from + i], for i < to - from. Into another device's tensor (a plan
     * compiled for a GPU), the rows are gathered on the host first and copied over once.
     */
    static void gather(Tensor src, int[] order, int from, int to, Tensor dst) {
        if (!dst.device().equals(src.device())) {
            Tensor host = Tensor.empty(dst.dtype(), dst.shape());
            gather(src, order, from, to, host);
            dst.copyFrom(host);
            return;
        }
        int w = width(src);
        Storage s = src.storage(), d = dst.storage();
        for (int i = from; i < to; i++) d.copy(s, order[i] * w, (i - from) * w, w);
    }

    /** dst row i = src row from + i. */
    static void copy(Tensor src, int from, int to, Tensor dst, int dstFrom) {
        int w = width(src);
        dst.storage().copy(src.storage(), from * w, dstFrom * w, (to - from) * w);
    }

    /** Rows [from, to) as a new tensor. */
    static Tensor slice(Tensor t, int from, int to) {
        Tensor out = Tensor.empty(t.dtype(), t.shape().with(0, to - from));
        copy(t, from, to, out, 0);
        return out;
    }

    /** The shape of a batch of n rows of t. */
    static Shape batch(Tensor t, int n) {
        return t.shape().with(0, n);
    }
}
