package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;

import java.util.Locale;
import java.util.Map;

/**
 * Cuts the learning rate when a monitored value has stopped improving, as Keras's
 * ReduceLROnPlateau: after {@code patience} epochs without an improvement larger than
 * {@code minDelta}, the rate becomes rate x factor (never below {@code minLr}), then
 * {@code cooldown} epochs pass before the count starts again. Logs "learning_rate" each epoch; when
 * fit prints it says "Epoch 12: ReduceLROnPlateau reducing learning rate to 0.0001." Keras's
 * defaults: monitor val_loss, factor 0.1, patience 10, min_delta 1e-4, no cooldown, min_lr 0. (The
 * PyTorch-style scheduler of the same idea is {@code dev.janus.core.optim.ReduceLROnPlateauLR}.)
 */
public final class ReduceLROnPlateau extends ModelCallback {
    private final Monitor monitor;
    private double factor = 0.1, minDelta = 1e-4, minLr;
    private int patience = 10, cooldown;
    private double best;
    private int wait, cooldownCounter;

    /** Watches "val_loss". */
    public ReduceLROnPlateau() {
        this("val_loss");
    }

    public ReduceLROnPlateau(String monitor) {
        this(monitor, "auto");
    }

    public ReduceLROnPlateau(String monitor, String mode) {
        this.monitor = new Monitor(monitor, mode);
    }

    public ReduceLROnPlateau factor(double f) {
        if (!(f > 0 && f < 1)) throw new JanusException("ReduceLROnPlateau: factor must be in (0, 1), got " + f);
        factor = f;
        return this;
    }

    public ReduceLROnPlateau patience(int epochs) {
        if (epochs < 0) throw new JanusException("ReduceLROnPlateau: patience must be >= 0, got " + epochs);
        patience = epochs;
        return this;
    }

    public ReduceLROnPlateau minDelta(double delta) {
        minDelta = Math.abs(delta);
        return this;
    }

    public ReduceLROnPlateau cooldown(int epochs) {
        if (epochs < 0) throw new JanusException("ReduceLROnPlateau: cooldown must be >= 0, got " + epochs);
        cooldown = epochs;
        return this;
    }

    public ReduceLROnPlateau minLr(double lr) {
        if (!(lr >= 0)) throw new JanusException("ReduceLROnPlateau: min_lr must be >= 0, got " + lr);
        minLr = lr;
        return this;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        best = monitor.worst();
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double lr = model.optimizer().lr();
        logs.put("learning_rate", lr);
        double current = monitor.value(logs, "ReduceLROnPlateau");
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (monitor.improves(current, best, minDelta)) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience && lr > (float) minLr) {
                double next = Math.max(lr * factor, minLr);
                model.optimizer().setLr(next);
                if (verbose > 0) model.output().println(String.format(Locale.ROOT, "Epoch %d: ReduceLROnPlateau reducing learning rate to %s.", epoch + 1, next));
                cooldownCounter = cooldown;
                wait = 0;
            }
        }
    }
}
