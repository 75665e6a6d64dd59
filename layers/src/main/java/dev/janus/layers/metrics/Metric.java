package dev.janus.layers.metrics;

import dev.janus.core.JanusException;
import dev.janus.core.ops.Emitter;

/**
 * A metric, written once against the emitter: the graph computes sums over a batch and the model
 * adds them up over the batches of an epoch (or of evaluate). Most metrics are a mean over samples
 * (as Keras's accuracy and error metrics are): they implement {@link #emitSum}, the sum of the
 * per-sample values, which the model divides by the samples seen. A metric of counts (precision,
 * recall, AUC) sums several numbers ({@link #sums}, {@link #emitSums}) and computes its value from
 * their totals ({@link #result}), as Keras's stateful metrics do.
 */
public interface Metric {
    /** The key in the logs and the history: the name it was asked for, such as "accuracy". */
    String name();

    /** The sum over the batch of the per-sample metric, a scalar. */
    default <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
        throw new JanusException(name() + ": a metric implements emitSum (a mean over samples) or emitSums and result (counts)");
    }

    /** How many numbers the metric sums over batches: 1, the per-sample sum, unless it overrides {@link #emitSums}. */
    default int sums() {
        return 1;
    }

    /** The batch's sums: a scalar when {@link #sums()} is 1, else a vector of that many. */
    default <V> V emitSums(Emitter<V> e, V yPred, V yTrue) {
        return emitSum(e, yPred, yTrue);
    }

    /** The metric from the totals of {@link #emitSums} over every batch so far and the samples seen: by default their mean. */
    default double result(double[] totals, long samples) {
        return samples == 0 ? 0 : totals[0] / samples;
    }
}
