package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * From what size splitting a kernel across two threads pays (the grains in the kernels): a cheap
 * elementwise op (add), a costly one (exp) and a reduction over rows (sum over axis 1 of
 * [n / 256, 256]) on n elements, heap storage, into preallocated outputs, split ("janusTwo", two
 * threads, grain forced to the smallest) against one thread ("one"). Run with OMP_NUM_THREADS=2.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SplitGrainBenchmark {
    @Param({"4096", "8192", "16384", "32768", "65536", "131072", "262144"})
    public int n;

    private ExecContext ctx;
    private Tensor a, b, out, sums;
    private final Attrs rows = Attrs.of("axes", new int[] {1});
    private int threads;

    @Setup
    public void setup() {
        Generator g = new Generator(9);
        ctx = new ExecContext(g);
        a = Tensor.randn(g, n / 256, 256);
        b = Tensor.randn(g, n / 256, 256);
        out = Tensor.zeros(n / 256, 256);
        sums = Tensor.zeros(n / 256);
        threads = CpuThreads.threads();
    }

    @TearDown
    public void tearDown() {
        CpuThreads.setThreads(threads);
        CpuThreads.setMinPartWork(1 << 15);
    }

    private Tensor run(Op op, Attrs attrs, int t, Tensor y, Tensor... in) {
        CpuThreads.setThreads(t);
        CpuThreads.setMinPartWork(1);
        op.execute(in, attrs, new Tensor[] {y}, ctx);
        return y;
    }

    @Benchmark public Tensor add_janusTwo() { return run(Ops.ADD, Attrs.NONE, 2, out, a, b); }
    @Benchmark public Tensor add_one() { return run(Ops.ADD, Attrs.NONE, 1, out, a, b); }
    @Benchmark public Tensor exp_janusTwo() { return run(Ops.EXP, Attrs.NONE, 2, out, a); }
    @Benchmark public Tensor exp_one() { return run(Ops.EXP, Attrs.NONE, 1, out, a); }
    @Benchmark public Tensor sumRows_janusTwo() { return run(Ops.SUM, rows, 2, sums, a); }
    @Benchmark public Tensor sumRows_one() { return run(Ops.SUM, rows, 1, sums, a); }
}
