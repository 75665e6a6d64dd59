package dev.janus.core.optim;

import dev.janus.core.JanusException;

/**
 * Cosine annealing from the base rate down to {@code etaMin} over {@code tMax} epochs (SGDR without
 * restarts): lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2. Past tMax the cosine
 * carries on and the rate climbs back, as in PyTorch.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) throw new JanusException("CosineAnnealingLR: T_max must be > 0, got " + tMax);
        if (!(etaMin >= 0)) throw new JanusException("CosineAnnealingLR: eta_min must be >= 0, got " + etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    @Override
    public String toString() {
        return "CosineAnnealingLR(T_max=" + tMax + ", eta_min=" + etaMin + ")";
    }
}
