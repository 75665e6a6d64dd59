package dev.janus.layers.callbacks;


import java.util.Map;

/**
 * Sets the optimizer's learning rate at the start of each epoch from a schedule (epoch, current rate)
 * -> new rate, as Keras's LearningRateScheduler; logs it as "learning_rate". The compiled step reads
 * the rate each step, so nothing is recompiled.
 */
public final class LearningRateScheduler extends ModelCallback {
    /** The schedule: the learning rate for an epoch (from 0), given the current one. */
    @FunctionalInterface
    public interface Schedule {
        double rate(int epoch, double current);
    }

    private final Schedule schedule;

    public LearningRateScheduler(Schedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        model.optimizer().setLr(schedule.rate(epoch, model.optimizer().lr()));
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", model.optimizer().lr());
    }
}
