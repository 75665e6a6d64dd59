package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Dense;
import dev.janus.layers.Dropout;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The iris MLP (4 -> 64 relu -> dropout 0.3 -> 32 relu -> 3 softmax, Adam, sparse categorical
 * cross entropy, accuracy) compiled by the Keras-style API, one training step and one inference at
 * batch 16. The peer "nopasses" is the same step compiled with every pass and buffer reuse off.
 * Every 300 steps (one iris training run: 50 epochs of 6 batches) the weights and the optimizer
 * state start again, so the numbers stay those of real training: over millions of steps the
 * optimizer's moments of dead units would decay into subnormal floats, which the CPU computes
 * slowly. PyTorch's times for the same steps come from benchmarks/pytorch/compiled_peers.py.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CompiledIrisBenchmark {
    static final int RUN = 300;
    private TrainingStep step, plain;
    private Plan train, trainPlain, infer;
    private ExecContext ctx;
    private Restart restart, restartPlain;

    /** Puts a model's weights and its optimizer state back to where they started. */
    static final class Restart {
        private final Sequential model;
        private final TrainingStep step;
        private final List<Tensor> weights;
        private int steps;

        Restart(Sequential model) {
            this.model = model;
            this.step = model.compiledTrainingStep();
            this.weights = model.getWeights();
        }

        /** Counts a step; every RUN steps, starts again. */
        void tick() {
            if (++steps < RUN) return;
            steps = 0;
            model.setWeights(weights);
            for (Tensor t : step.state().values()) t.fill(0);
            step.setIterations(0);
        }
    }

    static Sequential iris(CompileOptions options) {
        Generator.manualSeed(42);
        Sequential model = new Sequential(
                new Input(4),
                new Dense(64, "relu"),
                new Dropout(0.3),
                new Dense(32, "relu"),
                new Dense(3, "softmax"));
        model.compileOptions(options);
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return model;
    }

    static Plan fill(Plan p, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) p.input(i).copyFrom(inputs[i]);
        return p;
    }

    @Setup
    public void setup() {
        Tensor x = Tensor.randn(new Generator(1), 16, 4);
        long[] labels = new long[16];
        for (int i = 0; i < 16; i++) labels[i] = i % 3;
        Tensor y = Tensor.of(labels);
        ctx = new ExecContext(new Generator(3));
        Sequential model = iris(CompileOptions.defaults());
        step = model.compiledTrainingStep();
        train = fill(step.plan(List.of(x.shape(), y.shape())), x, y);
        infer = fill(model.compiledPredictor().plan(List.of(x.shape())), x);
        restart = new Restart(model);
        Sequential plainModel = iris(CompileOptions.none());
        plain = plainModel.compiledTrainingStep();
        trainPlain = fill(plain.plan(List.of(x.shape(), y.shape())), x, y);
        restartPlain = new Restart(plainModel);
    }

    @Benchmark
    public List<Tensor> trainStep_janus() {
        restart.tick();
        return step.run(train, ctx);
    }

    @Benchmark
    public List<Tensor> trainStep_nopasses() {
        restartPlain.tick();
        return plain.run(trainPlain, ctx);
    }

    @Benchmark
    public List<Tensor> inference_janus() {
        return infer.run(ctx);
    }
}
