package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** log(softmax(x)) along dim, computed stably (PyTorch asks for the dim; so does this). */
public final class LogSoftmax extends NNModule {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.logSoftmax(x, dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
