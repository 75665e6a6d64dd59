package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Flattens dimensions startDim..endDim into one (defaults 1 and -1: everything but the batch). */
public final class NNFlatten extends NNModule {
    private final int startDim, endDim;

    public NNFlatten() {
        this(1, -1);
    }

    public NNFlatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.flatten(x, startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
