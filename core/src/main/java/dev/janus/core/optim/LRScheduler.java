package dev.janus.core.optim;

import dev.janus.core.JanusException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learning-rate schedule over epochs, as torch.optim.lr_scheduler: call {@link #step()} once per
 * epoch, after the optimizer's steps. Each schedule is a closed form of the epoch and the
 * learning rate the optimizer had when the schedule was made, so it sets the optimizer's rate
 * outright rather than scaling whatever rate it finds.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    private double baseLr;
    private int epoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    /** The rate at {@code epoch} (0 is the start) from the base rate. */
    protected abstract double lrAt(int epoch, double baseLr);

    /** Ends an epoch: moves to the next one and sets the optimizer's learning rate for it. */
    public void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch, baseLr));
    }

    /** Epochs stepped so far. */
    public int epoch() {
        return epoch;
    }

    public double baseLr() {
        return baseLr;
    }

    /** The learning rate now in use. */
    public double lastLr() {
        return optimizer.lr();
    }

    /** The epoch and base rate, to save with a checkpoint. */
    public Map<String, Double> state() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("epoch", (double) epoch);
        m.put("base_lr", baseLr);
        return m;
    }

    /** Restores {@link #state()} and sets the optimizer's rate to match. */
    public void loadState(Map<String, Double> state) {
        Double e = state.get("epoch"), b = state.get("base_lr");
        if (e == null || b == null || e < 0 || e != Math.rint(e) || !(b >= 0)) {
            throw new JanusException(getClass().getSimpleName() + ": state needs epoch (a whole number >= 0) and base_lr (>= 0), got " + state);
        }
        epoch = e.intValue();
        baseLr = b;
        optimizer.setLr(lrAt(epoch, baseLr));
    }

    static void positive(String what, String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new JanusException(what + ": " + name + " must be > 0, got " + v);
    }
}
