package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNLoss;
import dev.janus.eager.nn.NNModule;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Sequential;
import dev.janus.layers.callbacks.Callback;
import dev.janus.tensorboard.TensorBoard;
import dev.janus.tensorboard.TrainingRuns;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Trains one model written both ways, an eager {@link NNModule} (PyTorch style) and a compiled
 * {@link Sequential} (Keras style), from the same initial weights, the same seed and the same
 * optimizer, and reports them side by side:
 *
 * <pre>{@code
 * Comparison c = Compare.run(eagerModel, kerasModel, train, test, new Compare.Options().epochs(50).batchSize(16));
 * System.out.print(c.report());
 * }</pre>
 *
 * <p>What it does, in order: the eager model's weights are copied into the Keras-style model (a
 * Linear's weight [out, in] becomes a Dense kernel [in, out], transposed); the Keras-style model is
 * compiled with the options' optimizer and loss; the last {@code validationSplit} of the training
 * data is held out, as Keras's fit does; the eager model is trained with the PyTorch loop
 * ({@link EagerTrainer}) after {@code Generator.manualSeed(seed)}, which reseeds the global generator
 * its shuffling and dropout draw from, then the Keras-style model with {@code fit}, its generator
 * seeded alike. Both draw the same shuffles and dropout masks in the same order, so the two runs see
 * the same batches and masks. Then both are evaluated on the test data and, when asked, exported to
 * ONNX and run in ONNX Runtime on the test data.
 */
public final class Compare {
    /** The settings of a comparison (defaults: 50 epochs, batches of 16, validation split 0.2, seed 0, Adam lr 1e-3, cross entropy). */
    public static final class Options {
        private long seed;
        private int epochs = 50, batchSize = 16;
        private double validationSplit = 0.2;
        private Supplier<Optimizer> optimizer = () -> new Adam(1e-3);
        private NNLoss eagerLoss = new CrossEntropyLoss();
        private String kerasLoss = "sparse_categorical_crossentropy";
        private Path exportDir;
        private String exportStem = "model";
        private Path logDir;

        public Options seed(long s) {
            seed = s;
            return this;
        }

        public Options epochs(int n) {
            if (n < 1) throw new JanusException("Compare: epochs must be >= 1, got " + n);
            epochs = n;
            return this;
        }

        public Options batchSize(int n) {
            if (n < 1) throw new JanusException("Compare: batch size must be >= 1, got " + n);
            batchSize = n;
            return this;
        }

        /** The last fraction of the training data, held out to validate on after each epoch (0 for none). */
        public Options validationSplit(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) throw new JanusException("Compare: validation split must be in [0, 1), got " + fraction);
            validationSplit = fraction;
            return this;
        }

        /** Makes a fresh optimizer; each model gets its own, with the same settings. */
        public Options optimizer(Supplier<Optimizer> make) {
            optimizer = Objects.requireNonNull(make, "optimizer");
            return this;
        }

        /** The same loss both ways: the eager module and the Keras name, e.g. (new MSELoss(), "mse"). */
        public Options loss(NNLoss eager, String keras) {
            eagerLoss = Objects.requireNonNull(eager, "eager loss");
            kerasLoss = Objects.requireNonNull(keras, "keras loss");
            return this;
        }

        /** Exports both trained models to {@code dir/stem_eager.onnx} and {@code dir/stem_compiled.onnx} and runs them in ONNX Runtime. */
        public Options exportTo(Path dir, String stem) {
            exportDir = Objects.requireNonNull(dir, "dir");
            exportStem = Objects.requireNonNull(stem, "stem");
            return this;
        }

        /**
         * Logs both trainings for TensorBoard into one folder, so that it draws them in the same
         * charts: {@code dir/eager} and {@code dir/compiled}, each with Keras's train/ and
         * validation/ runs (epoch_loss, epoch_accuracy ..., a histogram of every weight each epoch,
         * the model's graph). The compiled side uses the {@link TensorBoard} callback, the eager side
         * the same layout ({@link TrainingRuns}) from the PyTorch loop. Null logs nothing (the default).
         */
        public Options logDir(Path dir) {
            logDir = dir;
            return this;
        }

        public Path logDir() {
            return logDir;
        }

        public long seed() {
            return seed;
        }

        public int epochs() {
            return epochs;
        }

        public int batchSize() {
            return batchSize;
        }

        public double validationSplit() {
            return validationSplit;
        }

        public Optimizer newOptimizer() {
            return optimizer.get();
        }
    }

    private Compare() {
    }

    /**
     * Runs the comparison (see the class comment). {@code train} and {@code test} hold (features,
     * targets); int64 targets are class labels, and accuracy is reported.
     */
    public static Comparison run(NNModule eager, Sequential keras, TensorDataset train, TensorDataset test, Options o) {
        if (train.fields() != 2 || test.fields() != 2) throw new JanusException("Compare: the data must hold (features, targets)");
        boolean classes = train.tensor(1).dtype() == DType.INT64;
        if (!keras.isBuilt()) keras.build(train.tensor(0).shape().sub(1, train.tensor(0).rank()).dims());
        WeightTransfer.copy(eager, keras);
        Optimizer eagerRule = o.newOptimizer(), kerasRule = o.newOptimizer();
        keras.compile(kerasRule, o.kerasLoss, classes ? List.of("accuracy") : List.of());
        keras.output(new PrintStream(OutputStream.nullOutputStream()));

        TensorDataset[] parts = EagerTrainer.holdOut(train, o.validationSplit);
        TensorDataset fitPart = parts[0], validation = parts[1];

        // Eager, the PyTorch way.
        EagerTrainer trainer = new EagerTrainer(eager, o.eagerLoss, eagerRule);
        TrainingRuns eagerRuns = o.logDir == null ? null : new TrainingRuns(o.logDir.resolve("eager"));
        EagerTrainer.EpochListener eagerLog = eagerRuns == null ? null : trainer.tensorBoard(eagerRuns, fitPart, o.batchSize);
        StepClock eagerClock = new StepClock();
        StepClock.resetHeapPeak();
        Generator.manualSeed(o.seed);
        Map<String, List<Double>> eagerHistory;
        try {
            eagerHistory = trainer.fit(fitPart, validation, o.epochs, o.batchSize, Generator.global(), eagerClock, eagerLog);
        } finally {
            if (eagerRuns != null) eagerRuns.close();
        }
        long eagerPeak = StepClock.heapPeak();
        Comparison.Side eagerSide = new Comparison.Side("eager", eagerHistory, eagerClock, eagerPeak, trainer.evaluate(test),
                trainer.predict(test.tensor(0)));

        // Compiled, the Keras way.
        StepClock kerasClock = new StepClock();
        StepClock.resetHeapPeak();
        keras.generator(new Generator(o.seed));
        Fit fit = new Fit().epochs(o.epochs).batchSize(o.batchSize).validationSplit(o.validationSplit).verbose(0).callbacks(clockOf(kerasClock));
        if (o.logDir != null) fit.callbacks(new TensorBoard(o.logDir.resolve("compiled")).histogramFreq(1));
        History history = keras.fit(train.tensor(0), train.tensor(1), fit);
        long kerasPeak = StepClock.heapPeak();
        Comparison.Side kerasSide = new Comparison.Side("compiled", history.history(), kerasClock, kerasPeak,
                keras.evaluate(test.tensor(0), test.tensor(1), 32, 0), keras.predict(test.tensor(0)));

        if (o.exportDir != null) {
            Tensor x = test.tensor(0), y = classes ? test.tensor(1) : null;
            createFolder(o.exportDir);
            Path eagerFile = o.exportDir.resolve(o.exportStem + "_eager.onnx"), kerasFile = o.exportDir.resolve(o.exportStem + "_compiled.onnx");
            eagerSide.onnx = OnnxCheck.run(ModelExport.toOnnx(eager, x, eagerFile, ExportOptions.defaults()), x, eagerSide.predictions, y);
            kerasSide.onnx = OnnxCheck.run(ModelExport.toOnnx(keras, kerasFile, ExportOptions.defaults()), x, kerasSide.predictions, y);
        }
        return new Comparison(o, fitPart.size(), validation == null ? 0 : validation.size(), test.size(), eagerSide, kerasSide,
                WeightTransfer.maxDifference(eager, keras));
    }

    /** Times the steps of each epoch of fit: from the first batch's start to the last batch's end. */
    private static Callback clockOf(StepClock clock) {
        return new Callback() {
            private int steps;

            @Override
            public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
                if (batch == 0) {
                    steps = 0;
                    clock.begin();
                }
            }

            @Override
            public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
                steps++;
                clock.mark();
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                clock.close(steps);
            }
        };
    }

    static void createFolder(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JanusException("cannot create the folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An exported model run in ONNX Runtime against Janus's own outputs. */
    public static final class OnnxCheck {
        public final Path file;
        /** The largest |ONNX Runtime - Janus| over the outputs. */
        public final double maxError;
        /** ONNX Runtime's accuracy on the labels (NaN without labels). */
        public final double accuracy;

        OnnxCheck(Path file, double maxError, double accuracy) {
            this.file = file;
            this.maxError = maxError;
            this.accuracy = accuracy;
        }

        static OnnxCheck run(Path file, Tensor x, Tensor janus, Tensor labels) {
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
                Tensor out = ort.run(x).get(0);
                if (!out.shape().equals(janus.shape())) {
                    throw new JanusException(file + ": ONNX Runtime gave shape " + out.shape() + ", Janus " + janus.shape());
                }
                double worst = 0;
                for (int i = 0; i < out.numel(); i++) {
                    double d = Math.abs(out.readDouble(i) - janus.readDouble(i));
                    worst = Double.isNaN(d) ? Double.NaN : Math.max(worst, d);
                    if (Double.isNaN(worst)) break;
                }
                double acc = labels == null ? Double.NaN : (double) EagerTrainer.correct(out, labels) / labels.dim(0);
                return new OnnxCheck(file, worst, acc);
            }
        }
    }
}
