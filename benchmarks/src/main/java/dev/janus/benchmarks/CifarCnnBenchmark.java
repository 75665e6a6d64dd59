package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.ReLU;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.Input;
import dev.janus.layers.conv.MaxPooling2D;
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
 * One training step of a CIFAR-sized CNN on a batch of 64 32x32x3 images: conv 3x3 32 same -> ReLU
 * -> max pool 2 -> conv 3x3 64 same -> ReLU -> max pool 2 -> flatten -> dense 128 ReLU -> dense 10,
 * cross entropy, Adam lr 1e-3:
 * <ul>
 *   <li>cnnStep_janus: the Keras model compiled (channels last), the plan fit runs;</li>
 *   <li>cnnStep_eager: the same network as eager nn modules (channels first).</li>
 * </ul>
 * The images are N(0, 1) noise with labels i mod 10 (the work does not depend on the values), four
 * batches in turn; training restarts from the initial weights every 400 steps. PyTorch eager's
 * time comes from benchmarks/peers/cifar_cnn_torch.py.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CifarCnnBenchmark {
    static final int BATCHES = 4, BATCH = 64, RUN = 400;
    private final Tensor[] images = new Tensor[BATCHES], labels = new Tensor[BATCHES];
    private final Tensor[] eagerImages = new Tensor[BATCHES], eagerLabels = new Tensor[BATCHES];

    private CompiledIrisBenchmark.Run keras;
    private ExecContext ctx;
    private EagerRun eager;

    @Setup
    public void setup() {
        Generator g = new Generator(7);
        for (int b = 0; b < BATCHES; b++) {
            Tensor x = Tensor.randn(g, BATCH, 32, 32, 3);
            long[] y = new long[BATCH];
            for (int i = 0; i < BATCH; i++) y[i] = (b * BATCH + i) % 10;
            images[b] = x;
            labels[b] = Tensor.of(y);
            eagerImages[b] = Tensor.randn(g, BATCH, 3, 32, 32);
            eagerLabels[b] = labels[b];
        }
        Generator.manualSeed(0);
        Sequential model = new Sequential(new Input(32, 32, 3),
                new Conv2D(32, 3, "relu").padding("same"), new MaxPooling2D(),
                new Conv2D(64, 3, "relu").padding("same"), new MaxPooling2D(),
                new dev.janus.layers.core.Flatten(), new Dense(128, "relu"), new Dense(10, "softmax"));
        model.compile("adam", "sparse_categorical_crossentropy", List.of());
        keras = new CompiledIrisBenchmark.Run(model, RUN, BATCHES);
        ctx = new ExecContext(new Generator(3));

        dev.janus.eager.nn.NNSequential module = new dev.janus.eager.nn.NNSequential(
                new Conv2d(3, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new NNFlatten(), new Linear(64 * 8 * 8, 128), new ReLU(), new Linear(128, 10));
        eager = new EagerRun(module, () -> new EagerOptimizer(new Adam(1e-3), module.parameters()), RUN);
    }

    @Benchmark
    public List<Tensor> cnnStep_janus() {
        int b = keras.next();
        TrainingStep step = keras.model.compiledTrainingStep();
        return step.run(CompiledIrisBenchmark.fill(step.plan(List.of(images[b].shape(), labels[b].shape())), images[b], labels[b]), ctx);
    }

    @Benchmark
    public double cnnStep_eager() {
        return eager.step(eagerImages, eagerLabels);
    }
}
