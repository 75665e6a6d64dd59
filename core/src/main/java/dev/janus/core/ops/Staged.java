package dev.janus.core.ops;

import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;

/**
 * An op's heap kernel on heap copies of its operands: inputs not on the heap are copied in, the
 * kernel runs, and outputs not on the heap are written back. This is how CPU ops without a native
 * kernel of their own run on native storage, registered deliberately where the op's work dwarfs
 * the copies (convolutions, recurrent layers) or the copies are what the op does anyway (shape
 * ops), and how {@link Kernels}' logged host fallback runs.
 */
final class Staged implements Kernel {
    private final Op op;

    Staged(Op op) {
        this.op = op;
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Tensor[] hin = new Tensor[in.length], hout = new Tensor[out.length];
        for (int i = 0; i < in.length; i++) hin[i] = in[i] == null ? null : in[i].to(StorageKind.HEAP);
        for (int j = 0; j < out.length; j++) {
            hout[j] = out[j].storage().kind() == StorageKind.HEAP ? out[j] : Tensor.empty(out[j].dtype(), out[j].shape());
        }
        op.compute(hin, attrs, hout, ctx);
        for (int j = 0; j < out.length; j++) if (hout[j] != out[j]) out[j].copyFrom(hout[j]);
    }

    @Override
    public String toString() {
        return op.name() + " (staged through the heap)";
    }
}
