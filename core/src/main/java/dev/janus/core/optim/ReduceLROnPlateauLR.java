package dev.janus.core.optim;

import dev.janus.core.JanusException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cuts the learning rate by {@code factor} when a metric (a validation loss, say) has not improved
 * for more than {@code patience} epochs, as torch.optim.lr_scheduler.ReduceLROnPlateau: an
 * improvement must beat the best value by the threshold (relative or absolute); after a cut the
 * schedule waits {@code cooldown} epochs; the rate never goes below {@code minLr}, and changes
 * smaller than {@code eps} are skipped. (The "LR" suffix keeps it apart from the Keras callback
 * {@code dev.janus.layers.callbacks.ReduceLROnPlateau}: no two public classes share a simple name.)
 */
public final class ReduceLROnPlateauLR {
    public enum Mode { MIN, MAX }

    public enum ThresholdMode { REL, ABS }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor, threshold, minLr, eps;
    private final int patience, cooldown;
    private final ThresholdMode thresholdMode;
    private double best;
    private int badEpochs, cooldownLeft, epoch;

    /** PyTorch's defaults: mode min, factor 0.1, patience 10, threshold 1e-4 relative, no cooldown, min lr 0, eps 1e-8. */
    public ReduceLROnPlateauLR(Optimizer optimizer) {
        this(optimizer, Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
    }

    public ReduceLROnPlateauLR(Optimizer optimizer, Mode mode, double factor, int patience, double threshold,
                             ThresholdMode thresholdMode, int cooldown, double minLr, double eps) {
        if (!(factor > 0 && factor < 1)) throw new JanusException("ReduceLROnPlateau: factor must be in (0, 1), got " + factor);
        if (patience < 0 || cooldown < 0) {
            throw new JanusException("ReduceLROnPlateau: patience and cooldown must be >= 0, got " + patience + " and " + cooldown);
        }
        if (!(threshold >= 0) || !(minLr >= 0) || !(eps >= 0)) {
            throw new JanusException("ReduceLROnPlateau: threshold, min_lr and eps must be >= 0, got " + threshold + ", " + minLr + ", " + eps);
        }
        this.optimizer = optimizer;
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = worst();
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Ends an epoch with its metric; may lower the optimizer's learning rate. */
    public void step(double metric) {
        if (Double.isNaN(metric)) throw new JanusException("ReduceLROnPlateau: the metric of epoch " + (epoch + 1) + " is NaN");
        epoch++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            double old = optimizer.lr(), next = Math.max(old * factor, minLr);
            if (old - next > eps) optimizer.setLr(next);
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        if (mode == Mode.MIN) return thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
        return thresholdMode == ThresholdMode.REL ? a > best * (1 + threshold) : a > best + threshold;
    }

    public double lastLr() {
        return optimizer.lr();
    }

    public double best() {
        return best;
    }

    /** Best metric, epochs without improvement, cooldown left and the epoch count, for checkpoints. */
    public Map<String, Double> state() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("bad_epochs", (double) badEpochs);
        m.put("cooldown_left", (double) cooldownLeft);
        m.put("epoch", (double) epoch);
        return m;
    }

    public void loadState(Map<String, Double> state) {
        for (String k : new String[] {"best", "bad_epochs", "cooldown_left", "epoch"}) {
            if (!state.containsKey(k)) throw new JanusException("ReduceLROnPlateau: state is missing '" + k + "', got " + state);
        }
        best = state.get("best");
        badEpochs = state.get("bad_epochs").intValue();
        cooldownLeft = state.get("cooldown_left").intValue();
        epoch = state.get("epoch").intValue();
    }

    @Override
    public String toString() {
        return "ReduceLROnPlateau(mode=" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", factor=" + factor + ", patience="
                + patience + ", threshold=" + threshold + ", threshold_mode=" + thresholdMode.name().toLowerCase(java.util.Locale.ROOT)
                + ", cooldown=" + cooldown + ", min_lr=" + minLr + ", eps=" + eps + ")";
    }
}
