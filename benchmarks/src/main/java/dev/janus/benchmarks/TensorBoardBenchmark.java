package dev.janus.benchmarks;

import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.Split;
import dev.janus.core.data.StandardScaler;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Sequential;
import dev.janus.tensorboard.TensorBoard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What TensorBoard logging costs the compiled iris training: the demo's fit (120 training flowers,
 * the last 20% held out for validation, batches of 16: 6 steps and a validation pass per epoch),
 * 50 epochs per call, with Keras's {@link TensorBoard} callback at updateFreq "epoch" (its default:
 * the graph before the first step, then per epoch 3 training and 4 validation scalars into two
 * event files), against the same fit without the callback. The target: the callback costs at most
 * 5% of the steps' time. Also without the graph (writeGraph false: only the per-epoch scalars and
 * the two files), and with a histogram of each of the 6 weights every epoch (histogramFreq 1),
 * which writes about 60 times more bytes per epoch.
 *
 * <p>Every call starts from the same weights and optimizer state; the event files go to a
 * temporary folder emptied after each iteration (outside the measured time).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TensorBoardBenchmark {
    private static final int EPOCHS = 50;
    private Tensor x, y;
    private Sequential model;
    private List<Tensor> weights;
    private Path logs;
    private int runs;

    @Setup
    public void setup() throws IOException {
        Split split = Split.trainTest(Iris.load(), 0.2, 42);
        x = new StandardScaler().fit(split.train().tensor(0)).transform(split.train().tensor(0));
        y = split.train().tensor(1);
        model = CompiledIrisBenchmark.iris(CompileOptions.defaults(), false);
        model.output(new PrintStream(OutputStream.nullOutputStream()));
        weights = model.getWeights();
        logs = Files.createTempDirectory("janus-tensorboard-bench");
    }

    /** The same weights, optimizer state and step count before every fit. */
    @Setup(Level.Invocation)
    public void restart() {
        model.setWeights(weights);
        TrainingStep step = model.compiledTrainingStep();
        for (Tensor t : step.state().values()) t.fill(0);
        step.setIterations(0);
    }

    @TearDown(Level.Iteration)
    public void emptyLogs() {
        delete(logs, false);
    }

    @TearDown
    public void tearDown() {
        delete(logs, true);
    }

    private static void delete(Path dir, boolean itself) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) if (itself || !p.equals(dir)) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Fit fit() {
        return new Fit().epochs(EPOCHS).batchSize(16).validationSplit(0.2).verbose(0);
    }

    @Benchmark
    public History irisFit50Epochs_withoutCallback() {
        return model.fit(x, y, fit());
    }

    @Benchmark
    public History irisFit50Epochs_janusTensorBoard() {
        return model.fit(x, y, fit().callbacks(new TensorBoard(logs.resolve("run" + runs++))));
    }

    @Benchmark
    public History irisFit50Epochs_janusTensorBoardNoGraph() {
        return model.fit(x, y, fit().callbacks(new TensorBoard(logs.resolve("run" + runs++)).writeGraph(false)));
    }

    @Benchmark
    public History irisFit50Epochs_janusTensorBoardHistograms() {
        return model.fit(x, y, fit().callbacks(new TensorBoard(logs.resolve("run" + runs++)).histogramFreq(1)));
    }
}
