package dev.janus.core.optim;

/** Multiplies the rate by gamma every epoch: lr = base gamma^epoch. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        positive("ExponentialLR", "gamma", gamma);
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return baseLr * Math.pow(gamma, epoch);
    }

    @Override
    public String toString() {
        return "ExponentialLR(gamma=" + gamma + ")";
    }
}
