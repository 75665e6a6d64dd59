package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.core.Dense;
import dev.janus.layers.Input;
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
 * The middle of the range: an MLP w -> w relu -> w relu -> 10 softmax at batch 256 (Adam, sparse
 * categorical cross entropy), one compiled training step, for w in {32, 128, 512, 2048}; the
 * weights and optimizer state start again every 400 steps. PyTorch's time for the same step comes
 * from benchmarks/peers/width_sweep_torch.py (cases "WidthSweepBenchmark.trainStep[w=...]").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WidthSweepBenchmark {
    @Param({"32", "128", "512", "2048"})
    public int w;

    private TrainingStep step;
    private Plan plan;
    private ExecContext ctx;
    private CompiledIrisBenchmark.Run run;

    static Sequential mlp(int width, CompileOptions options) {
        Generator.manualSeed(42);
        Sequential model = new Sequential(new Input(width), new Dense(width, "relu"), new Dense(width, "relu"), new Dense(10, "softmax"));
        model.compileOptions(options);
        model.compile("adam", "sparse_categorical_crossentropy", List.of());
        return model;
    }

    @Setup
    public void setup() {
        Tensor x = Tensor.randn(new Generator(1), 256, w);
        long[] labels = new long[256];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(labels);
        ctx = new ExecContext(new Generator(3));
        Sequential model = mlp(w, CompileOptions.defaults());
        step = model.compiledTrainingStep();
        plan = CompiledIrisBenchmark.fill(step.plan(List.of(x.shape(), y.shape())), x, y);
        run = new CompiledIrisBenchmark.Run(model);
    }

    @Benchmark
    public List<Tensor> trainStep_janus() {
        run.next();
        return step.run(plan, ctx);
    }
}
