package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** x for x > 0, negativeSlope x otherwise (default slope 0.01). */
public final class LeakyReLU extends NNModule {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.leakyRelu(x, negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + negativeSlope;
    }
}
