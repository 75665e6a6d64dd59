package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** exp(x) / sum(exp(x)) along dim (PyTorch asks for the dim; so does this). */
public final class NNSoftmax extends NNModule {
    private final int dim;

    public NNSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.softmax(x, dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
