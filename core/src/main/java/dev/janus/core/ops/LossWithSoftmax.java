package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

/**
 * softmax_cross_entropy(z, labels) and softmax(z) over the classes as one node, for a compiler that
 * finds both on the same logits (a training step's loss and its gradient): each exponential is
 * computed once, and both outputs have their own ops' heap kernels' bits (on native storage, where
 * softmax ran ND4J's kernel, within 1e-5 relative, the softmax now has the heap formula's bits: this
 * op has only a heap kernel, run on copies). Float32 logits; attributes are
 * softmax_cross_entropy's. Not registered in {@link Ops}: it is made by the compiler, never
 * exported, and has no gradient (it appears after differentiation).
 */
public final class LossWithSoftmax extends Op {
    public static final LossWithSoftmax OP = new LossWithSoftmax();

    private LossWithSoftmax() {
        super("softmax_cross_entropy_with_softmax", 2, 2);
    }

    @Override
    public int outputCount() {
        return 2;
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        if (in[0].dtype() != DType.FLOAT32) throw new JanusException(name() + ": logits must be float32, got " + in[0]);
        return new TensorType[] {Ops.SOFTMAX_CROSS_ENTROPY.infer(in, attrs)[0], in[0]};
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        ((Neural.SoftmaxCrossEntropy) Ops.SOFTMAX_CROSS_ENTROPY).compute(in[0], in[1], attrs, out[0], out[1]);
    }
}
