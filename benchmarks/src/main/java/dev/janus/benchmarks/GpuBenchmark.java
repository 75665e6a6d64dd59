package dev.janus.benchmarks;

import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Digits;
import dev.janus.core.data.Iris;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.Input;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Training steps on a CUDA GPU (cuda:0), against PyTorch CUDA on the same GPU
 * (benchmarks/peers/gpu_torch.py, case names alike). Run by scripts/gpu-check on a GPU machine;
 * without a GPU every case fails at set-up with "no CUDA device/driver found (...)".
 * <ul>
 *   <li>mlpStep: 784 -> 512 relu -> 512 relu -> 10 at batch 1024, cross entropy, Adam, eager
 *       (nn modules moved with {@code to(cuda)}) and compiled (the Keras model compiled for cuda).
 *       Goal: eager at least PyTorch eager's speed.</li>
 *   <li>cnnStep: the digits CNN of {@link DigitsCnnBenchmark} at batch 256, eager and compiled.
 *       Goal: at least 0.8x PyTorch.</li>
 *   <li>irisStep: the iris model of {@link CompiledIrisBenchmark} (dropout 0.3) at batch 16,
 *       compiled. Goal: at most 0.2x PyTorch eager's time (a speed-up of 5).</li>
 * </ul>
 * Every step ends by reading its loss back to the host (the peer calls {@code loss.item()}), so a
 * step's time includes its GPU work, not just its launches. Batches live on the GPU before timing,
 * as the peer's do; weights and optimizer state start again every 400 steps, as on the CPU.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GpuBenchmark {
    private static final Device GPU = Device.cuda();
    private static final int RUN = 400, BATCHES = 8;

    private final ExecContext ctx = new ExecContext(new Generator(3));
    private final CrossEntropyLoss lossFn = new CrossEntropyLoss();

    /** An eager module with its batches on the GPU and its Adam. */
    private static final class Eager {
        final NNModule model;
        final Tensor[] x, y;
        final java.util.Map<String, Tensor> start;
        EagerOptimizer opt;
        int steps;

        Eager(NNModule model, Tensor[] x, Tensor[] y) {
            this.model = model.to(GPU);
            this.x = new Tensor[x.length];
            this.y = new Tensor[y.length];
            for (int i = 0; i < x.length; i++) {
                this.x[i] = x[i].to(GPU);
                this.y[i] = y[i].to(GPU);
            }
            start = model.stateDict();
            opt = new EagerOptimizer(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), model.parameters());
        }
    }

    /** A compiled Keras model on the GPU with its batches there. */
    private static final class Compiled {
        final Sequential model;
        final Tensor[] x, y;
        final List<Tensor> start;
        int steps;

        Compiled(Sequential model, Tensor[] x, Tensor[] y) {
            model.compileOptions(CompileOptions.defaults().device(GPU));
            model.compile(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), "sparse_categorical_crossentropy", List.of());
            this.model = model;
            this.x = new Tensor[x.length];
            this.y = new Tensor[y.length];
            for (int i = 0; i < x.length; i++) {
                this.x[i] = x[i].to(GPU);
                this.y[i] = y[i].to(GPU);
            }
            model.compiledTrainingStep();
            start = model.getWeights();
        }
    }

    private Eager mlpEager, cnnEager;
    private Compiled mlpCompiled, cnnCompiled, irisCompiled;

    @Setup(Level.Trial)
    public void setup() {
        Generator g = new Generator(1);
        Tensor[] mx = new Tensor[BATCHES], my = new Tensor[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            mx[b] = Tensor.randn(g, 1024, 784);
            long[] labels = new long[1024];
            for (int i = 0; i < labels.length; i++) labels[i] = (i + b) % 10;
            my[b] = Tensor.of(labels);
        }
        Generator.manualSeed(42);
        mlpEager = new Eager(new dev.janus.eager.nn.NNSequential(new Linear(784, 512), new ReLU(), new Linear(512, 512), new ReLU(),
                new Linear(512, 10)), mx, my);
        mlpCompiled = new Compiled(new Sequential(new Input(784), new Dense(512, "relu"), new Dense(512, "relu"), new Dense(10, "softmax")), mx, my);

        TensorDataset digits = Digits.load();
        Tensor[] cx = new Tensor[BATCHES], cxLast = new Tensor[BATCHES], cy = new Tensor[BATCHES];
        int cb = 256;
        for (int b = 0; b < BATCHES; b++) {
            int[] rows = new int[cb];
            for (int k = 0; k < cb; k++) rows[k] = (37 * (cb * b + k) + 11) % Digits.IMAGES;
            Tensor[] batch = digits.batch(rows);
            Tensor pixels = Immediate.global().mul(batch[0], 1.0 / 16);
            cx[b] = pixels.view(Shape.of(cb, 1, 8, 8));
            cxLast[b] = pixels.view(Shape.of(cb, 8, 8, 1));
            cy[b] = batch[1];
        }
        Generator.manualSeed(0);
        cnnEager = new Eager(new dev.janus.eager.nn.NNSequential(new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new NNFlatten(), new Linear(128, 10)), cx, cy);
        cnnCompiled = new Compiled(new Sequential(new Input(8, 8, 1), new Conv2D(16, 3, "relu").padding("same"), new MaxPooling2D(),
                new Conv2D(32, 3, "relu").padding("same"), new MaxPooling2D(), new dev.janus.layers.core.Flatten(),
                new Dense(10, "softmax")), cxLast, cy);

        TensorDataset raw = Iris.load();
        TensorDataset iris = new TensorDataset(new StandardScaler().fitTransform(raw.tensor(0)), raw.tensor(1));
        Tensor[] ix = new Tensor[BATCHES], iy = new Tensor[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            int[] rows = new int[16];
            for (int i = 0; i < 16; i++) rows[i] = (37 * (16 * b + i) + 11) % 150;
            Tensor[] batch = iris.batch(rows);
            ix[b] = batch[0];
            iy[b] = batch[1];
        }
        Generator.manualSeed(0);
        irisCompiled = new Compiled(new Sequential(new Input(4), new Dense(64, "relu"), new Dropout(0.3), new Dense(32, "relu"),
                new Dense(3, "softmax")), ix, iy);
    }

    private double step(Eager e) {
        if (e.steps == RUN) {
            e.model.loadStateDict(e.start);
            e.opt = new EagerOptimizer(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), e.model.parameters());
            e.steps = 0;
        }
        int b = e.steps++ % BATCHES;
        e.opt.zeroGrad();
        Tensor loss = lossFn.forward(e.model.forward(e.x[b]), e.y[b]);
        loss.backward();
        e.opt.step();
        return loss.item();
    }

    private double step(Compiled c) {
        TrainingStep step = c.model.compiledTrainingStep();
        if (c.steps == RUN) {
            c.model.setWeights(c.start);
            for (Tensor t : step.state().values()) t.fill(0);
            step.setIterations(0);
            c.steps = 0;
        }
        int b = c.steps++ % BATCHES;
        Plan p = step.plan(List.of(c.x[b].shape(), c.y[b].shape()));
        p.input(0).copyFrom(c.x[b]);
        p.input(1).copyFrom(c.y[b]);
        return step.run(p, ctx).get(0).item();
    }

    @Benchmark
    public double mlpStep_janusEager() {
        return step(mlpEager);
    }

    @Benchmark
    public double mlpStep_janusCompiled() {
        return step(mlpCompiled);
    }

    @Benchmark
    public double cnnStep_janusEager() {
        return step(cnnEager);
    }

    @Benchmark
    public double cnnStep_janusCompiled() {
        return step(cnnCompiled);
    }

    @Benchmark
    public double irisStep_janusCompiled() {
        return step(irisCompiled);
    }
}
