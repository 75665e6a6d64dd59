package dev.janus.spark;

import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;

import java.io.Serializable;
import java.util.Map;

/**
 * A worker's copy of the model being trained, made from the state the driver broadcasts: it computes
 * gradients on batches of its rows and applies combined ones with the model's optimizer.
 */
interface Replica {
    /** Makes replicas on the workers (serialized into the stage), and reads the model's shapes. */
    interface Spec extends Serializable {
        Replica create(byte[] state);
    }

    /** The worker's rows: features [n, width] and labels [n, labelWidth] as the model wants them. */
    void data(float[] x, float[] y, int n);

    /** Numbers in the vector {@link #gradients} fills. */
    int gradientLength();

    /** Loss first, then the metric sums. */
    int statCount();

    /**
     * Loss and metric sums of rows {@code order[from..to)} into {@code stats}, and the gradient of
     * the mean loss (and any state the step moves, such as batch-norm averages) into {@code grads}.
     */
    void gradients(int[] order, int from, int to, ExecContext ctx, double[] stats, float[] grads);

    /** Applies a (combined) gradient vector with the optimizer, as its step {@code t} (1-based). */
    void step(float[] grads, long t);

    /** Optimizer steps taken. */
    long iterations();

    /** What parameter averaging averages: the parameters and optimizer state, live (written back with copyFrom). */
    Map<String, Tensor> averagedState();

    /** Puts averaged state in place (the tensors of {@link #averagedState()} were written into). */
    void averagedStateChanged();

    /** The model and optimizer state, as the driver stores it. */
    byte[] snapshot();
}
