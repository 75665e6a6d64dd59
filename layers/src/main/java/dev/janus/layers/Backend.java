package dev.janus.layers;

import dev.janus.core.Tensor;

import java.util.List;
import java.util.Map;

/**
 * How a compiled model runs batches: through the graph compiler, or eagerly. Batches are rows of
 * prepared data: {@code xs} one tensor per model input in the model's dtype, {@code ys} one per
 * output that has a loss, as the loss's labels, and {@code ws} either nothing or one weight vector
 * [n] per output that has a loss (the losses are then Keras's weighted means of the per-sample
 * losses).
 */
interface Backend {
    /** False for a backend made only to predict with an uncompiled model. */
    boolean canTrain();

    /**
     * One training step on rows {@code order[from..to)}: writes the batch's mean loss into
     * {@code stats[0]}, each output's loss after it when the model has several, then each metric's
     * sums over the batch ({@link Training#statNames}).
     */
    void train(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int[] order, int from, int to, double[] stats);

    /** Loss and metric sums for rows [from, to), in inference mode, like {@link #train}. */
    void evaluate(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int from, int to, double[] stats);

    /** Writes the predictions for rows [from, to) of {@code xs} into the same rows of each of {@code out}. */
    void predict(List<Tensor> xs, int from, int to, List<Tensor> out);

    /** Steps taken by the optimizer. */
    long iterations();

    /** The optimizer state by "{weight}/{state}" (for example "dense/kernel/exp_avg"), for reading. */
    Map<String, Tensor> optimizerState();

    /**
     * Restores the optimizer state and step count (from a file, or from the backend this one
     * replaces); every name and type is checked before anything is written.
     */
    void restoreOptimizerState(Map<String, Tensor> state, long iterations);

    /** Releases what the backend holds outside the Java heap (compiled plans' native buffers), now. */
    default void close() {
    }
}
