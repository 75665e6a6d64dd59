package dev.janus.layers.metrics;

import dev.janus.core.ops.Emitter;

/**
 * A metric that is a mean over samples (as Keras's accuracy and error metrics are): the graph
 * computes the sum over a batch, and the model averages the sums over the samples seen.
 */
public interface Metric {
    /** The key in the logs and the history: the name it was asked for, such as "accuracy". */
    String name();

    /** The sum over the batch of the per-sample metric, a scalar. */
    <V> V emitSum(Emitter<V> e, V yPred, V yTrue);
}
