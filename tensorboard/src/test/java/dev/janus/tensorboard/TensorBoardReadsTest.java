package dev.janus.tensorboard;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.Digits;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.ReLU;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.tensorboard.proto.TensorBoardProtos.HistogramProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TensorBoard itself reads what Janus writes: a log folder with every kind of summary from both
 * styles is loaded by TensorBoard's EventMultiplexer ({@code src/test/python/read_with_tensorboard.py})
 * and checked against what was written. Skipped without a Python that has tensorboard
 * ({@code JANUS_PYTHON}, else python3 on the path).
 */
class TensorBoardReadsTest {
    @TempDir
    Path logs;

    @Test
    void tensorBoardReadsEveryKindOfSummary() throws Exception {
        String python = System.getenv().getOrDefault("JANUS_PYTHON", "python3");
        assumeTrue(runs(python, "-c", "import tensorboard"), "no Python with tensorboard (" + python + ")");

        Map<String, Object> want = new LinkedHashMap<>();
        List<Object> scalars = new ArrayList<>(), histograms = new ArrayList<>(), images = new ArrayList<>(), text = new ArrayList<>(),
                hparams = new ArrayList<>(), graphs = new ArrayList<>(), truncated = new ArrayList<>();

        // PyTorch style.
        Generator.manualSeed(0);
        dev.janus.eager.nn.NNSequential cnn = new dev.janus.eager.nn.NNSequential(new Conv2d(1, 4, 3), new ReLU(), new NNFlatten(), new Linear(4 * 6 * 6, 10));
        Tensor digits = Digits.load().tensor(0);
        Tensor samples = Tensor.of(Arrays.copyOf(digits.toFloatArray(), 16 * 64), 16, 1, 8, 8);
        Path eagerRun = logs.resolve("eager");
        Tensor weights = Tensor.randn(new Generator(5), 100);
        HistogramProto h = Histograms.of(weights.toDoubleArray());
        try (SummaryWriter w = new SummaryWriter(eagerRun)) {
            for (int step = 0; step < 5; step++) w.addScalar("loss", 1.0 / (step + 1), step);
            scalars.add(Map.of("run", "eager", "tag", "loss", "steps", List.of(0, 1, 2, 3, 4), "values", List.of(1.0, 0.5, 1 / 3.0, 0.25, 0.2)));
            w.addHistogram("weights", weights, 3);
            histograms.add(Map.of("run", "eager", "tag", "weights", "steps", List.of(3), "num", 100, "sum", h.getSum(), "min", h.getMin(),
                    "max", h.getMax(), "bucket_limit", h.getBucketLimitList()));
            w.addImages("sample inputs", Images.rescaled(samples), 0);
            images.add(Map.of("run", "eager", "tag", "sample inputs", "width", 64, "height", 16));
            w.addImages("conv1 filters", Images.rescaled(cnn.namedParameters().get("0.weight")), 0);
            images.add(Map.of("run", "eager", "tag", "conv1 filters", "width", 12, "height", 3));
            w.addText("notes", "a *digits* CNN", 0);
            text.add(Map.of("run", "eager", "tag", "notes/text_summary", "text", "a *digits* CNN"));
            w.addGraph(cnn, Tensor.zeros(2, 1, 8, 8));
            graphs.add(Map.of("run", "eager", "nodes", List.of("input", "0/weight", "0/bias", "3/weight", "output"),
                    "ops", Map.of("input", "Placeholder", "0/weight", "Parameter", "output", "Output"),
                    "shapes", Map.of("input", List.of(-1, 1, 8, 8), "0/weight", List.of(4, 1, 3, 3), "output", List.of(-1, 10))));
            Map<String, Object> hp = new LinkedHashMap<>();
            hp.put("lr", 0.001);
            hp.put("optimizer", "adam");
            hp.put("augment", false);
            w.addHparams(hp, Map.of("hparam/accuracy", 0.75), "hparams");
            hparams.add(Map.of("run", "eager/hparams", "values", hp, "metrics", Map.of("hparam/accuracy", 0.75)));
        }

        // Keras style.
        Sequential model = new Sequential(new Input(64), new Dense(16, "relu"), new Dense(10, "softmax"));
        model.generator(new Generator(0));
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        model.output(new PrintStream(OutputStream.nullOutputStream()));
        Tensor x = Tensor.of(Arrays.copyOf(digits.toFloatArray(), 200 * 64), 200, 64), y = Tensor.of(Arrays.copyOf(Digits.load().tensor(1).toLongArray(), 200), 200);
        History history = model.fit(x, y, new Fit().epochs(3).batchSize(32).validationSplit(0.2).verbose(0)
                .callbacks(new TensorBoard(logs.resolve("compiled")).histogramFreq(1)));
        for (String key : List.of("loss", "accuracy")) {
            scalars.add(Map.of("run", "compiled/train", "tag", "epoch_" + key, "steps", List.of(0, 1, 2), "values", history.get(key)));
            scalars.add(Map.of("run", "compiled/validation", "tag", "epoch_" + key, "steps", List.of(0, 1, 2), "values", history.get("val_" + key)));
        }
        HistogramProto k = Histograms.of(model.layer("dense").weights().get(0).value().toDoubleArray());
        histograms.add(Map.of("run", "compiled/train", "tag", "dense/kernel/histogram", "steps", List.of(0, 1, 2), "num", 64 * 16,
                "sum", k.getSum(), "min", k.getMin(), "max", k.getMax(), "bucket_limit", k.getBucketLimitList()));
        graphs.add(Map.of("run", "compiled/train", "nodes", List.of("x", "y", "dense/kernel", "dense_1/bias"),
                "ops", Map.of("x", "Placeholder", "dense/kernel", "Parameter"), "shapes", Map.of("x", List.of(-1, 64), "dense/kernel", List.of(64, 16))));

        // A run whose last record was cut short by a crash: TensorBoard reads the ones before it.
        Path cut = Files.createDirectories(logs.resolve("cut")).resolve("events.out.tfevents.0.cut");
        try (SummaryWriter w = new SummaryWriter(logs.resolve("whole"))) {
            for (int step = 0; step < 4; step++) w.addScalar("loss", step, step);
        }
        byte[] whole = Files.readAllBytes(EventFileReader.onlyFile(logs.resolve("whole")));
        Files.write(cut, Arrays.copyOf(whole, whole.length - 5));
        truncated.add(Map.of("run", "cut", "tag", "loss", "count", 3));

        want.put("runs", List.of("eager", "eager/hparams", "compiled/train", "compiled/validation", "cut"));
        want.put("scalars", scalars);
        want.put("histograms", histograms);
        want.put("images", images);
        want.put("text", text);
        want.put("hparams", hparams);
        want.put("graphs", graphs);
        want.put("truncated", truncated);
        Files.writeString(logs.resolve("expected.json"), json(want), StandardCharsets.UTF_8);

        Path script = Path.of("src/test/python/read_with_tensorboard.py").toAbsolutePath();
        Process p = new ProcessBuilder(python, script.toString(), logs.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "the script did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Maps, lists, strings, numbers and booleans as JSON. */
    private static String json(Object v) {
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((key, value) -> parts.add(json(String.valueOf(key)) + ": " + json(value)));
            return "{" + String.join(", ", parts) + "}";
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(json(o));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        if (v instanceof Double d) return d == Double.MAX_VALUE ? "1.7976931348623157e308" : d == -Double.MAX_VALUE ? "-1.7976931348623157e308"
                : String.format(Locale.ROOT, "%.17g", d);
        return String.valueOf(v);
    }
}
