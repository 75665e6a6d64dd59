package dev.janus.layers.callbacks;


import java.util.Map;

/**
 * Stops training as soon as a batch's loss is NaN or infinite, as Keras's TerminateOnNaN, and says
 * so: "Batch 3: Invalid loss, terminating training". The epoch ends there (its logs hold the bad
 * loss); the weights are those the bad step left.
 */
public final class TerminateOnNaN extends ModelCallback {

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && !Double.isFinite(loss) && !model.stopTraining()) {
            model.output().println("Batch " + batch + ": Invalid loss, terminating training");
            model.stopTraining(true);
        }
    }
}
