package dev.janus.eager.nn;

import dev.janus.eager.Tensor;

/** Flattens dimensions startDim..endDim into one (defaults 1 and -1: everything but the batch). */
public final class Flatten extends Module {
    private final int startDim, endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
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
