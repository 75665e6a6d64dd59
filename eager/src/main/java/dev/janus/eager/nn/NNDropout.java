package dev.janus.eager.nn;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

/**
 * In training mode, zeroes each element with probability p and scales the rest by 1/(1 - p); in eval
 * mode it passes its input through. The mask is drawn from the global generator.
 */
public final class NNDropout extends NNModule {
    private final double p;

    public NNDropout() {
        this(0.5);
    }

    public NNDropout(double p) {
        if (!(p >= 0 && p <= 1)) throw new JanusException("Dropout: p must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
