package dev.janus.spark;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One epoch on one worker, a task of a barrier stage: the worker builds its replica from the
 * broadcast state (the last epoch's checkpoint), visits its rows in the epoch's order and, each
 * step, combines its gradient with the other workers' (or, with parameter averaging, steps alone
 * and combines parameters every N steps). A retried stage starts again from the same state with
 * the same orders and dropout masks, so it ends where the first attempt would have.
 */
final class EpochTask extends AbstractFunction1<scala.collection.Iterator<Sample>, scala.collection.Iterator<EpochResult>> implements Serializable {
    private static final long serialVersionUID = 1;

    /** Called before each step of each worker (tests inject failures here; in local mode they share the JVM). */
    interface StepHook {
        void beforeStep(int epoch, int step, int worker, int attempt);
    }

    static volatile StepHook hook;

    private final Replica.Spec spec;
    private final Broadcast<byte[]> state;
    private final int epoch, workers, batch, steps, averageEvery;
    private final long seed;
    private final boolean shuffle;
    private final DriverReduction.Address driver;

    EpochTask(Replica.Spec spec, Broadcast<byte[]> state, int epoch, int workers, int batch, int steps, int averageEvery,
              long seed, boolean shuffle, DriverReduction.Address driver) {
        this.spec = spec;
        this.state = state;
        this.epoch = epoch;
        this.workers = workers;
        this.batch = batch;
        this.steps = steps;
        this.averageEvery = averageEvery;
        this.seed = seed;
        this.shuffle = shuffle;
        this.driver = driver;
    }

    @Override
    public scala.collection.Iterator<EpochResult> apply(scala.collection.Iterator<Sample> partition) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int w = ctx.partitionId();
        List<Sample> rows = new ArrayList<>();
        CollectionConverters.asJava(partition).forEachRemaining(rows::add);
        rows.sort(Comparator.comparingLong(s -> s.index));
        int n = rows.size(), width = n == 0 ? 0 : rows.get(0).x.length, labels = n == 0 ? 0 : rows.get(0).y.length;
        float[] x = new float[n * width], y = new float[n * labels];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i).x, 0, x, i * width, width);
            System.arraycopy(rows.get(i).y, 0, y, i * labels, labels);
        }
        rows = null;

        Replica replica = spec.create(state.value());
        if (n > 0) replica.data(x, y, n);
        int b = Shards.localBatch(batch, workers, w);
        int[] order = Shards.order(seed, epoch, w, n, shuffle);
        ExecContext exec = new ExecContext(Shards.generator(seed, epoch, w, 2));
        double[] stats = new double[replica.statCount()], sums = new double[stats.length];
        float[] grads = new float[replica.gradientLength()];
        long t = replica.iterations();
        try (GradientExchange exchange = driver != null ? new DriverReduction.Client(driver, ctx) : new AllGatherExchange(ctx)) {
            for (int s = 0; s < steps; s++) {
                StepHook h = hook;
                if (h != null) h.beforeStep(epoch, s, w, ctx.stageAttemptNumber());
                int from = Math.min(n, s * b), to = Math.min(n, from + b), count = to - from;
                if (count > 0) {
                    replica.gradients(order, from, to, exec, stats, grads);
                    sums[0] += stats[0] * count;
                    for (int i = 1; i < stats.length; i++) sums[i] += stats[i];
                } else {
                    java.util.Arrays.fill(grads, 0f);
                }
                t++;
                if (averageEvery == 0) {
                    replica.step(exchange.average(grads, count), t);
                    continue;
                }
                if (count > 0) replica.step(grads, t);
                if ((s + 1) % averageEvery == 0 || s == steps - 1) average(replica, exchange);
            }
        }
        return CollectionConverters.asScala(List.of(new EpochResult(w, n, sums, w == 0 ? replica.snapshot() : null)).iterator());
    }

    /** Parameter averaging: every worker's parameters and optimizer state, with equal weights. */
    private static void average(Replica replica, GradientExchange exchange) {
        Map<String, Tensor> live = replica.averagedState();
        int length = 0;
        for (Tensor v : live.values()) length += v.numel();
        float[] flat = new float[length];
        int at = 0;
        for (Tensor v : live.values()) {
            float[] f = v.toFloatArray();
            System.arraycopy(f, 0, flat, at, f.length);
            at += f.length;
        }
        float[] mean = exchange.average(flat, 1);
        if (mean.length != length) throw new JanusException("parameter averaging: workers hold states of different sizes");
        at = 0;
        for (Tensor v : live.values()) {
            float[] f = new float[v.numel()];
            System.arraycopy(mean, at, f, 0, f.length);
            at += f.length;
            v.copyFrom(Tensor.of(f, v.shape().dims()));
        }
        replica.averagedStateChanged();
    }
}
