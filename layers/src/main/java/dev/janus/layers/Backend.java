package dev.janus.layers;

import dev.janus.core.Tensor;

import java.util.Map;

/**
 * How a compiled model runs batches: through the graph compiler, or eagerly. Batches are rows of
 * prepared data: {@code x} in the model's dtype, {@code y} as the loss's labels.
 */
interface Backend {
    /** False for a backend made only to predict with an uncompiled model. */
    boolean canTrain();

    /**
     * One training step on rows {@code order[from..to)}: writes the batch's mean loss into
     * {@code stats[0]} and each metric's sum over the batch into {@code stats[1..]}.
     */
    void train(Tensor x, Tensor y, int[] order, int from, int to, double[] stats);

    /** Loss and metric sums for rows [from, to), in inference mode, like {@link #train}. */
    void evaluate(Tensor x, Tensor y, int from, int to, double[] stats);

    /** Writes the predictions for rows [from, to) of {@code x} into the same rows of {@code out}. */
    void predict(Tensor x, int from, int to, Tensor out);

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
