package dev.janus.core.optim;

import dev.janus.core.JanusException;

/** Multiplies the rate by gamma every {@code stepSize} epochs: lr = base gamma^floor(epoch / stepSize). */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) throw new JanusException("StepLR: step size must be > 0, got " + stepSize);
        positive("StepLR", "gamma", gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }

    @Override
    public String toString() {
        return "StepLR(step_size=" + stepSize + ", gamma=" + gamma + ")";
    }
}
