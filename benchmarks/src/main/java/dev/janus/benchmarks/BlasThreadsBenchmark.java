package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
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
 * Where a second thread starts to pay on a product: [256, w] x [w, w] (2 * 256 w^2 flops) on
 * native tensors split in two parts on Janus's pool ("janusTwo", each part a one-thread OpenBLAS
 * product) against one whole product ("one"), for w from 32 to 512; and "janus" is Janus's own
 * choice by size, which should never lose to either. Run with OMP_NUM_THREADS=2; the crossover
 * sets {@code Blas.FLOPS_PER_THREAD}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BlasThreadsBenchmark {
    @Param({"32", "64", "96", "128", "192", "256", "384", "512"})
    public int w;

    private ExecContext ctx;
    private Tensor[] in, out;

    @Setup
    public void setup() {
        Generator g = new Generator(4);
        ctx = new ExecContext(g);
        in = new Tensor[] {Tensor.randn(g, 256, w).to(StorageKind.NATIVE), Tensor.randn(g, w, w).to(StorageKind.NATIVE)};
        out = new Tensor[] {Tensor.zeros(256, w).to(StorageKind.NATIVE)};
    }

    @TearDown
    public void tearDown() {
        CpuThreads.setBlasThreads(0);
    }

    private Tensor product(int threads) {
        CpuThreads.setBlasThreads(threads);
        Ops.MATMUL.execute(in, Attrs.NONE, out, ctx);
        return out[0];
    }

    @Benchmark
    public Tensor product_janusTwo() {
        return product(2);
    }

    @Benchmark
    public Tensor product_janus() {
        return product(0);
    }

    @Benchmark
    public Tensor product_one() {
        return product(1);
    }
}
