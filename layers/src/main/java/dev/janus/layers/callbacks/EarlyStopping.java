package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored value has stopped improving, as Keras's EarlyStopping: after
 * {@code patience} epochs without an improvement larger than {@code minDelta}; with
 * {@code restoreBestWeights}, the weights of the best epoch come back at the end. When fit prints
 * (verbose above 0) it says what it did, counting epochs from 1 as the progress display does:
 * "Epoch 85: early stopping; restoring weights from epoch 72".
 */
public final class EarlyStopping extends ModelCallback {
    private final Monitor monitor;
    private int patience;
    private double minDelta;
    private boolean restoreBestWeights;
    private double best;
    private int wait, bestEpoch, stoppedEpoch;
    private List<Tensor> bestWeights;

    /** Watches "val_loss". */
    public EarlyStopping() {
        this("val_loss");
    }

    public EarlyStopping(String monitor) {
        this(monitor, "auto");
    }

    public EarlyStopping(String monitor, String mode) {
        this.monitor = new Monitor(monitor, mode);
    }

    public EarlyStopping patience(int epochs) {
        if (epochs < 0) throw new JanusException("EarlyStopping: patience must be >= 0, got " + epochs);
        patience = epochs;
        return this;
    }

    public EarlyStopping minDelta(double delta) {
        minDelta = Math.abs(delta);
        return this;
    }

    public EarlyStopping restoreBestWeights(boolean on) {
        restoreBestWeights = on;
        return this;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        wait = 0;
        stoppedEpoch = 0;
        best = monitor.worst();
        bestWeights = null;
        bestEpoch = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double current = monitor.value(logs, "EarlyStopping");
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = model.getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (monitor.improves(current, best, minDelta)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model.getWeights();
            wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        boolean restore = restoreBestWeights && bestWeights != null;
        if (restore) model.setWeights(bestWeights);
        if (verbose == 0) return;
        String restored = "restoring weights from epoch " + (bestEpoch + 1);
        if (stoppedEpoch > 0) model.output().println("Epoch " + (stoppedEpoch + 1) + ": early stopping" + (restore ? "; " + restored : ""));
        else if (restore) model.output().println("Training ran to the end; " + restored);
    }

    /** The epoch training stopped at, counted from 0 as Keras's stopped_epoch (the progress display's "Epoch 85" is 84); 0 when it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch with the best monitored value, counted from 0. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
