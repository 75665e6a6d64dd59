package dev.janus.core.testing;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Very long graphs and the CPU time of what is done with them, for tests that compiling, exporting
 * and importing grow linearly with the graph (timed unit tests assert only ratios).
 */
public final class LongChains {
    private LongChains() {
    }

    /** x [?, 8] -> relu -> add 1 -> relu -> add 1 ...: {@code n} elementwise nodes in one chain. */
    public static Graph chain(int n) {
        Graph g = new Graph("chain");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 8));
        Value one = g.constant(Tensor.scalar(1));
        for (int i = 0; i < n; i++) x = i % 2 == 0 ? g.apply1(Ops.RELU, Attrs.NONE, x) : g.apply1(Ops.ADD, Attrs.NONE, x, one);
        g.addOutput(x);
        return g;
    }

    /**
     * How much longer {@code work} takes on a chain ten times as long as {@code n} nodes: the least
     * CPU time of a few runs at each size, measured up to three times (the lowest ratio kept) while
     * it is over {@code limit}, since a machine loaded by other builds inflates one measurement now
     * and then. Linear work comes out near 10 (a little more from cache misses); quadratic near 100.
     */
    public static double growth(int n, double limit, java.util.function.Consumer<Graph> work) {
        leastCpuTime(n, 2, work);   // warm-up
        double best = Double.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && best > limit; attempt++) {
            long small = leastCpuTime(n, 4, work), large = leastCpuTime(10 * n, 2, work);
            best = Math.min(best, (double) large / small);
        }
        return best;
    }

    /**
     * The least CPU time, in nanoseconds, that {@code work} takes on a fresh chain of {@code n} nodes
     * in {@code runs} runs: this thread's CPU time, which other work on a shared machine does not
     * inflate as it does the wall clock.
     */
    public static long leastCpuTime(int n, int runs, java.util.function.Consumer<Graph> work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        for (int r = 0; r < runs; r++) {
            Graph g = chain(n);
            long t = threads.getCurrentThreadCpuTime();
            work.accept(g);
            best = Math.min(best, threads.getCurrentThreadCpuTime() - t);
        }
        return best;
    }
}
