package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Heap or native storage, by size: the curve behind {@code StoragePolicy.auto()}. For w in 16 to
 * 1024, with every tensor in one kind ("janusNative" against its peer "heap"):
 * <ul>
 *   <li>mlpStep: a compiled training step of the MLP w -> w -> w -> 10 at batch 256 (activations
 *       of 256 w elements, weights of w^2): everything a step does, products, tiles and all;</li>
 *   <li>matmul: [256, w] x [w, w] into a preallocated output: what native storage saves a product
 *       (the copies of its operands into BLAS's memory and of the result back);</li>
 *   <li>add: [256, w] + [256, w] into a preallocated output: what it costs an elementwise op (tiles
 *       through small heap registers).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StorageThresholdBenchmark {
    @Param({"16", "32", "64", "128", "256", "512", "1024"})
    public int w;

    private ExecContext ctx;
    private TrainingStep heapStep, nativeStep;
    private Plan heapPlan, nativePlan;
    private CompiledIrisBenchmark.Run heapRun, nativeRun;
    private Tensor[] heapIn, nativeIn, heapAddIn, nativeAddIn;
    private Tensor[] heapOut, nativeOut, heapAddOut, nativeAddOut;

    @Setup
    public void setup() {
        Generator g = new Generator(1);
        Tensor x = Tensor.randn(g, 256, w);
        long[] labels = new long[256];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(labels);
        ctx = new ExecContext(new Generator(3));
        Sequential heap = WidthSweepBenchmark.mlp(w, CompileOptions.defaults().storage(StorageKind.HEAP));
        Sequential nat = WidthSweepBenchmark.mlp(w, CompileOptions.defaults().storage(StorageKind.NATIVE));
        heapStep = heap.compiledTrainingStep();
        nativeStep = nat.compiledTrainingStep();
        heapPlan = CompiledIrisBenchmark.fill(heapStep.plan(List.of(x.shape(), y.shape())), x, y);
        nativePlan = CompiledIrisBenchmark.fill(nativeStep.plan(List.of(x.shape(), y.shape())), x, y);
        heapRun = new CompiledIrisBenchmark.Run(heap);
        nativeRun = new CompiledIrisBenchmark.Run(nat);

        heapIn = new Tensor[] {x, Tensor.randn(g, w, w)};
        nativeIn = new Tensor[] {heapIn[0].to(StorageKind.NATIVE), heapIn[1].to(StorageKind.NATIVE)};
        heapOut = new Tensor[] {Tensor.zeros(256, w)};
        nativeOut = new Tensor[] {heapOut[0].to(StorageKind.NATIVE)};
        heapAddIn = new Tensor[] {x, Tensor.randn(g, 256, w)};
        nativeAddIn = new Tensor[] {nativeIn[0], heapAddIn[1].to(StorageKind.NATIVE)};
        heapAddOut = new Tensor[] {Tensor.zeros(256, w)};
        nativeAddOut = new Tensor[] {heapAddOut[0].to(StorageKind.NATIVE)};
    }

    @Benchmark
    public List<Tensor> mlpStep_heap() {
        heapRun.next();
        return heapStep.run(heapPlan, ctx);
    }

    @Benchmark
    public List<Tensor> mlpStep_janusNative() {
        nativeRun.next();
        return nativeStep.run(nativePlan, ctx);
    }

    @Benchmark
    public Tensor matmul_heap() {
        Ops.MATMUL.execute(heapIn, Attrs.NONE, heapOut, ctx);
        return heapOut[0];
    }

    @Benchmark
    public Tensor matmul_janusNative() {
        Ops.MATMUL.execute(nativeIn, Attrs.NONE, nativeOut, ctx);
        return nativeOut[0];
    }

    @Benchmark
    public Tensor add_heap() {
        Ops.ADD.execute(heapAddIn, Attrs.NONE, heapAddOut, ctx);
        return heapAddOut[0];
    }

    @Benchmark
    public Tensor add_janusNative() {
        Ops.ADD.execute(nativeAddIn, Attrs.NONE, nativeAddOut, ctx);
        return nativeAddOut[0];
    }
}
