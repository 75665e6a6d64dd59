package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Digits;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.ReLU;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
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
 * One training step of the digits CNN (examples' DigitsCnn: conv 3x3 16 same -> ReLU -> max pool 2
 * -> conv 3x3 32 same -> ReLU -> max pool 2 -> flatten -> dense 10, cross entropy, Adam lr 1e-3)
 * on a batch of 32 8x8 images:
 * <ul>
 *   <li>cnnStep_janus: the Keras model compiled (channels last), the plan fit runs;</li>
 *   <li>cnnStep_eager: the same network as eager nn modules (channels first): zero the
 *       gradients, forward, backward, step.</li>
 * </ul>
 * PyTorch eager's time for the same step comes from benchmarks/peers/digits_cnn_torch.py, run on
 * the same machine right after:
 * {@code OMP_NUM_THREADS=1 /tmp/pyref/bin/python benchmarks/peers/digits_cnn_torch.py}.
 *
 * <p>The steps go round 8 batches of digits (rows (37 (32 b + k) + 11) mod 1797, pixels / 16) and
 * training restarts from the initial weights every 675 steps (15 epochs of the example's 1,437
 * training images), as the iris benchmarks do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DigitsCnnBenchmark {
    static final int BATCHES = 8, BATCH = 32, RUN = 675;
    private final Tensor[] images = new Tensor[BATCHES], labels = new Tensor[BATCHES];
    private final Tensor[] eagerImages = new Tensor[BATCHES], eagerLabels = new Tensor[BATCHES];

    private CompiledIrisBenchmark.Run keras;
    private ExecContext ctx;
    private EagerRun eager;

    @Setup
    public void setup() {
        TensorDataset digits = Digits.load();
        for (int b = 0; b < BATCHES; b++) {
            int[] rows = new int[BATCH];
            for (int k = 0; k < BATCH; k++) rows[k] = (37 * (BATCH * b + k) + 11) % Digits.IMAGES;
            Tensor[] batch = digits.batch(rows);
            Tensor pixels = Immediate.global().mul(batch[0], 1.0 / 16);
            images[b] = pixels.view(Shape.of(BATCH, 8, 8, 1));
            labels[b] = batch[1];
            eagerImages[b] = pixels.view(Shape.of(BATCH, 1, 8, 8));
            eagerLabels[b] = batch[1];
        }
        Generator.manualSeed(0);
        Sequential model = new Sequential(new Input(8, 8, 1),
                new Conv2D(16, 3, "relu").padding("same"), new MaxPooling2D(),
                new Conv2D(32, 3, "relu").padding("same"), new MaxPooling2D(),
                new dev.janus.layers.core.Flatten(), new Dense(10, "softmax"));
        model.compile("adam", "sparse_categorical_crossentropy", List.of());
        keras = new CompiledIrisBenchmark.Run(model, RUN, BATCHES);
        ctx = new ExecContext(new Generator(3));

        dev.janus.eager.nn.NNSequential module = new dev.janus.eager.nn.NNSequential(
                new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new NNFlatten(), new Linear(128, 10));
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
