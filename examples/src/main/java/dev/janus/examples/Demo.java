package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.Module;
import dev.janus.layers.Sequential;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole mission on iris, as {@code ./janus demo} runs it: the iris MLP written eagerly
 * ({@link IrisEager#model()}) and as a Keras model ({@link IrisCompiled#model()}), trained from the
 * same seed and the same initial weights ({@link Compare}), side by side epoch by epoch, exported
 * to ONNX and checked in ONNX Runtime, with the training curves drawn to a PNG.
 */
public final class Demo {
    public static final long SEED = 0;
    /** Epochs of both styles run first, unmeasured, so that the JVM has compiled the hot code (about 2 s). */
    public static final int WARMUP_EPOCHS = 600;

    private Demo() {
    }

    /** Runs the demo, writing the ONNX files and the chart into {@code outDir}; prints to {@code out}. */
    public static Comparison run(Path outDir, int epochs, int warmupEpochs, PrintStream out) {
        long start = System.nanoTime();
        IrisData data = IrisData.load();
        // The JVM compiles hot code as it runs: a short run of both styles first, so that the step
        // times below compare compiled Java, not the interpreter.
        if (warmupEpochs > 0) {
            Compare.run(IrisEager.model(), IrisCompiled.model(), data.train(), data.test(), new Compare.Options().epochs(warmupEpochs));
        }

        Generator.manualSeed(SEED);
        Module eager = IrisEager.model();
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
                .exportTo(outDir, "iris"));
        out.print(c.report());
        // README: end

        Map<String, Map<String, List<Double>>> runs = new LinkedHashMap<>();
        runs.put("eager", c.eager.history);
        runs.put("compiled", c.compiled.history);
        Path chart = TrainingChart.write(outDir.resolve("iris_training.png"), "iris", runs);
        out.println("training curves (loss and accuracy per epoch, both styles): " + chart);
        out.println();
        out.print(c.summary());
        out.printf("The demo took %.1f s.%n", (System.nanoTime() - start) / 1e9);
        return c;
    }
}
