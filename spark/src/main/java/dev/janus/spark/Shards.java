package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;

/**
 * How data-parallel training splits the data and the batches. Row i of the DataFrame (in its
 * order) goes to worker {@code i % workers}, which keeps its rows in DataFrame order. A global
 * batch of B rows is B / workers rows from each worker (the first B % workers workers take one
 * more); step s of an epoch takes rows [s b, (s + 1) b) of each worker's order for that epoch
 * (its rows shuffled with {@link #order}), so global batch s is worker 0's part, then worker 1's,
 * and so on: the batch that single-process training on the same rows would see.
 */
public final class Shards {
    private Shards() {
    }

    /** Rows worker {@code w} holds out of {@code rows}. */
    public static int size(long rows, int workers, int w) {
        return (int) (rows / workers + (w < rows % workers ? 1 : 0));
    }

    /** Rows of a global batch that worker {@code w} takes. */
    public static int localBatch(int batch, int workers, int w) {
        if (batch < workers) throw new JanusException("batch size " + batch + " is smaller than the " + workers + " workers");
        return batch / workers + (w < batch % workers ? 1 : 0);
    }

    /** Steps in an epoch: enough for the worker that needs most. */
    public static int steps(long rows, int batch, int workers) {
        int steps = 0;
        for (int w = 0; w < workers; w++) {
            int n = size(rows, workers, w), b = localBatch(batch, workers, w);
            steps = Math.max(steps, (n + b - 1) / b);
        }
        return steps;
    }

    /**
     * The order in which worker {@code w} visits its {@code n} rows in {@code epoch}: as they are, or
     * shuffled by a generator seeded from (seed, epoch, worker), so a retried epoch repeats it.
     */
    public static int[] order(long seed, int epoch, int w, int n, boolean shuffle) {
        if (!shuffle) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            return p;
        }
        return generator(seed, epoch, w, 1).permutation(n);
    }

    /** A generator for (seed, epoch, worker, purpose): 1 shuffles, 2 draws dropout masks. */
    static Generator generator(long seed, int epoch, int w, int purpose) {
        long x = seed;
        x = x * 0x9E3779B97F4A7C15L + epoch;
        x = x * 0x9E3779B97F4A7C15L + w;
        x = x * 0x9E3779B97F4A7C15L + purpose;
        return new Generator(x);
    }
}
