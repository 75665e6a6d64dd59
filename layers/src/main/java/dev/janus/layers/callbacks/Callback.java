package dev.janus.layers.callbacks;

import dev.janus.layers.Model;

import java.util.Map;

/**
 * Hooks into training, as Keras's callbacks: every method does nothing unless overridden. Logs map
 * names ("loss", "accuracy", "val_loss") to values; epochs and batches count from 0. A callback can
 * stop training with {@code model.stopTraining(true)}. Callbacks run between steps, so an exception
 * thrown by one ends fit with the model as the last completed step left it.
 */
public interface Callback {
    /** Called before training with the model being trained. */
    default void setModel(Model model) {
    }

    /**
     * Called before training with fit's settings, as Keras's {@code params}: "verbose" (0, 1, 2),
     * "epochs" and "steps" (batches per epoch), as Integers. A callback that prints does so when
     * verbose is above 0, to the model's {@link Model#output()}.
     */
    default void setParams(Map<String, Object> params) {
    }

    default void onTrainBegin(Map<String, Double> logs) {
    }

    default void onTrainEnd(Map<String, Double> logs) {
    }

    default void onEpochBegin(int epoch, Map<String, Double> logs) {
    }

    /** {@code logs} holds the epoch's means and the validation results; a callback may add to it. */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    default void onTrainBatchBegin(int batch, Map<String, Double> logs) {
    }

    /** {@code logs} holds the running means of the epoch so far. */
    default void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    }
}
