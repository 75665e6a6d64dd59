package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.Sequential;
import dev.janus.tensorboard.SummaryWriter;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole mission on iris, as {@code ./janus demo} runs it: the iris MLP written eagerly
 * ({@link IrisEager#model()}) and as a Keras model ({@link IrisCompiled#model()}), trained from the
 * same seed and the same initial weights ({@link Compare}), side by side epoch by epoch, exported
 * to ONNX and checked in ONNX Runtime, with the training curves, the test confusion matrices and
 * each class's precision and recall drawn to PNGs, and, when asked, both trainings logged for
 * TensorBoard into one folder.
 */
public final class Demo {
    public static final long SEED = 0;
    /** Epochs of both styles run first, unmeasured, so that the JVM has compiled the hot code (about 2 s). */
    public static final int WARMUP_EPOCHS = 600;

    private Demo() {
    }

    /** Runs the demo, writing the ONNX files and the charts into {@code outDir}; prints to {@code out}. */
    public static Comparison run(Path outDir, int epochs, int warmupEpochs, PrintStream out) {
        return run(outDir, epochs, warmupEpochs, out, null);
    }

    /**
     * As above, and with {@code logDir} (null for none) both trainings logged for TensorBoard into
     * that one folder, so that it draws the two styles in the same charts (see {@link #logTo}).
     */
    public static Comparison run(Path outDir, int epochs, int warmupEpochs, PrintStream out, Path logDir) {
        long start = System.nanoTime();
        IrisData data = IrisData.load();
        // The JVM compiles hot code as it runs: a short run of both styles first, so that the step
        // times below compare compiled Java, not the interpreter.
        if (warmupEpochs > 0) {
            Compare.run(IrisEager.model(), IrisCompiled.model(), data.train(), data.test(), new Compare.Options().epochs(warmupEpochs));
        }

        Generator.manualSeed(SEED);
        NNModule eager = IrisEager.model();
        Sequential compiled = IrisCompiled.model();
        out.println("Janus demo: the iris MLP (4 -> 64 relu -> dropout 0.3 -> 32 relu -> 3) written twice, PyTorch style");
        out.println("and Keras style, trained from the same initial weights (the eager Linear weights, transposed into the");
        out.printf("Dense kernels) and the same seed %d: Adam lr 1e-3, batches of 16, %d epochs, the last 20%% of the%n", SEED, epochs);
        out.println("120 training flowers held out for validation, 30 test flowers.");
        if (warmupEpochs > 0) out.println("(Both styles first ran " + warmupEpochs + " epochs, unmeasured, so that the JVM has compiled the hot code.)");
        out.println();

        // README: compare
        Comparison c = Compare.run(eager, compiled, data.train(), data.test(), new Compare.Options()
                .seed(SEED).epochs(epochs).batchSize(16).validationSplit(0.2)
                .optimizer(() -> new Adam(1e-3))
                .exportTo(outDir, "iris")
                .logDir(logDir));   // TensorBoard logs of both styles in one folder (null: none)
        out.print(c.report());
        // README: end

        Map<String, Map<String, List<Double>>> runs = new LinkedHashMap<>();
        runs.put("eager", c.eager.history);
        runs.put("compiled", c.compiled.history);
        Path chart = TrainingChart.write(outDir.resolve("iris_training.png"), "iris", runs);
        out.println("training curves (loss and accuracy per epoch, both styles): " + chart);
        Tensor yTest = data.test().tensor(1);
        ClassificationCharts eagerTest = new ClassificationCharts(c.eager.predictions, yTest, Iris.CLASSES);
        ClassificationCharts compiledTest = new ClassificationCharts(c.compiled.predictions, yTest, Iris.CLASSES);
        Path confusion = TrainingChart.savePng(outDir.resolve("iris_confusion.png"), List.<Chart<?, ?>>of(
                eagerTest.confusionChart("eager: test confusion matrix"), compiledTest.confusionChart("compiled: test confusion matrix")));
        Path precisionRecall = TrainingChart.savePng(outDir.resolve("iris_precision_recall.png"), List.<Chart<?, ?>>of(
                eagerTest.precisionRecallChart("eager: test precision and recall"),
                compiledTest.precisionRecallChart("compiled: test precision and recall")));
        out.println("confusion matrices on the test set, both styles: " + confusion);
        out.println("precision and recall per class on the test set, both styles: " + precisionRecall);
        if (logDir != null) {
            logTo(logDir, c, epochs, Map.of("eager", eagerTest, "compiled", compiledTest));
            out.println("TensorBoard logs of both styles (tensorboard --logdir " + logDir + "): " + logDir);
        }
        out.println();
        out.print(c.summary());
        out.printf("The demo took %.1f s.%n", (System.nanoTime() - start) / 1e9);
        return c;
    }

    /**
     * What the demo adds to the training logs Compare wrote (logDir/eager and logDir/compiled, each
     * with train/ and validation/): in each style's train/ run, the test set's confusion matrix
     * and precision/recall pictures at the last epoch; in the folder's own run, the demo's summary
     * as text; and one hparams session per style (logDir/hparams/eager, .../compiled) with the
     * settings and the test loss and accuracy.
     */
    static void logTo(Path logDir, Comparison c, int epochs, Map<String, ClassificationCharts> tests) {
        for (Map.Entry<String, ClassificationCharts> t : tests.entrySet()) {
            try (SummaryWriter w = new SummaryWriter(logDir.resolve(t.getKey()).resolve("train"))) {
                w.addImage("test/confusion_matrix", ClassificationCharts.image(t.getValue().confusionChart(t.getKey() + ": test confusion matrix")), epochs - 1);
                w.addImage("test/precision_recall", ClassificationCharts.image(t.getValue().precisionRecallChart(t.getKey() + ": test precision and recall")),
                        epochs - 1);
            }
        }
        try (SummaryWriter w = new SummaryWriter(logDir)) {
            w.addText("demo", "    " + c.summary().replace("\n", "\n    "), epochs - 1);   // indented: markdown shows it as written
            for (Comparison.Side s : new Comparison.Side[] {c.eager, c.compiled}) {
                Map<String, Object> hp = new LinkedHashMap<>();
                hp.put("style", s.style);
                hp.put("optimizer", "adam");
                hp.put("lr", 1e-3);
                hp.put("batch_size", c.options.batchSize());
                hp.put("epochs", c.options.epochs());
                hp.put("dropout", 0.3);
                w.addHparams(hp, Map.of("hparams/test_loss", s.test.get("loss"), "hparams/test_accuracy", s.test.get("accuracy")), "hparams/" + s.style);
            }
        }
    }
}
