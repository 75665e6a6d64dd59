package dev.janus.examples.cli;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Adam;
import dev.janus.core.quant.Calibrator;
import dev.janus.examples.IrisCompiled;
import dev.janus.examples.IrisData;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxImporter;
import dev.janus.export.OnnxQuantizer;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.export.QuantizeOptions;
import dev.janus.layers.Fit;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.janus.examples.cli.JanusCliTest.assertOneLineError;
import static dev.janus.examples.cli.JanusCliTest.irisCsv;
import static dev.janus.examples.cli.JanusCliTest.janus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** janus quantize (and the Java API) on trained iris models: the int8 model predicts the float model's classes, in every form. */
class QuantizeCommandTest {
    @Test
    void quantizesWhatTrainExportsCalibratedOnTheSameCsv(@TempDir Path dir) throws IOException, CliError {
        Path csv = irisCsv(dir, "names"), onnx = dir.resolve("iris.onnx");
        JanusCliTest.Run r = janus("train", csv.toString(), "--epochs", "30", "--lr", "0.01", "--onnx", onnx.toString());
        assertEquals(0, r.status, r.toString());

        // The float model's classes on all 150 flowers, standardised as the model expects (the scaler train wrote).
        ExportWebCommand.Scaler s = ExportWebCommand.Scaler.read(Path.of(onnx + ".scaler.csv"));
        Tensor x = StandardScaler.of(s.mean, s.scale).transform(Iris.load().tensor(0));
        int[] expected = classes(onnx, x);

        String[][] forms = {{}, {"--format", "qoperator", "--method", "entropy"}, {"--method", "percentile:99.9", "--activations", "int8"}};
        for (String[] form : forms) {
            Path out = dir.resolve("iris." + form.length + ".int8.onnx");
            String[] args = concat(new String[] {"quantize", onnx.toString(), "--calibration", csv.toString()}, form, new String[] {"--out", out.toString()});
            r = janus(args);
            assertEquals(0, r.status, r.toString());
            assertTrue(r.out.contains("150 calibration samples") && r.out.contains("ONNX Runtime reads it"), r.out);
            assertAgrees(expected, classes(out, x), r.out);
        }
        Path dynamic = dir.resolve("iris.dynamic.onnx");
        r = janus("quantize", onnx.toString(), "--dynamic", "--out", dynamic.toString());
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.startsWith("wrote " + dynamic + ": dynamic"), r.out);
        assertAgrees(expected, classes(dynamic, x), r.out);
    }

    /** The Java API on the README's trained iris model: each int8 file gives the float file's classes. */
    @Test
    void quantizesATrainedModelFromJava(@TempDir Path dir) {
        IrisData data = IrisData.load();
        Sequential model = IrisCompiled.train(IrisCompiled.SEED, 30, 0).model;
        Tensor xTrain = data.xTrain;
        // README: quantize
        ModelExport.toOnnx(model, dir.resolve("iris.onnx"), ExportOptions.defaults());
        // Static: activation ranges from the training samples (min/max; or percentile, entropy), weights int8 per output.
        OnnxQuantizer.quantize(dir.resolve("iris.onnx"), dir.resolve("iris.int8.onnx"),
                QuantizeOptions.staticQuantization(xTrain).calibration(Calibrator.entropy()));
        // The QOperator form (QLinearMatMul, QLinearConv), or dynamic (weights only, no data).
        OnnxQuantizer.quantize(dir.resolve("iris.onnx"), dir.resolve("iris.qop.onnx"),
                QuantizeOptions.staticQuantization(xTrain).format(QuantizeOptions.Format.QOPERATOR));
        OnnxQuantizer.quantize(dir.resolve("iris.onnx"), dir.resolve("iris.dynamic.onnx"), QuantizeOptions.dynamic());
        // README: end
        Tensor all = data.scaler.transform(Iris.load().tensor(0));
        int[] expected = classes(dir.resolve("iris.onnx"), all);
        for (String f : new String[] {"iris.int8.onnx", "iris.qop.onnx", "iris.dynamic.onnx"}) assertAgrees(expected, classes(dir.resolve(f), all), f);
    }

    /** Quantization-aware fine-tuning, then ModelExport's quantize option; Janus runs the int8 file with ONNX Runtime's classes. */
    @Test
    void quantizationAwareTrainingExportsInt8(@TempDir Path dir) {
        IrisData data = IrisData.load();
        Sequential model = IrisCompiled.train(IrisCompiled.SEED, 30, 0).model;
        Tensor xTrain = data.xTrain, yTrain = data.yTrain;
        // README: qat
        model.quantizationAware(true);   // fit's steps now see int8 rounding (fake_quantize, straight-through gradient)
        model.compile(new Adam(1e-4), "sparse_categorical_crossentropy", List.of("accuracy"));
        model.fit(xTrain, yTrain, new Fit().epochs(10).batchSize(16).verbose(0));
        Path int8 = ModelExport.toOnnx(model, dir.resolve("iris.qat.int8.onnx"),
                ExportOptions.defaults().quantize(QuantizeOptions.staticQuantization(xTrain)));
        Graph imported = OnnxImporter.load(int8);   // Janus runs it too: QuantizeLinear, MatMul on dequantized int8, ...
        // README: end
        Tensor all = data.scaler.transform(Iris.load().tensor(0));
        int[] ort = classes(int8, all), janus = new int[150];
        Tensor scores = Interpreter.run(imported, List.of(all), new ExecContext(new Generator(0))).get(0);
        for (int i = 0; i < 150; i++) for (int j = 1; j < 3; j++) if (scores.readDouble(i * 3 + j) > scores.readDouble(i * 3 + janus[i])) janus[i] = j;
        assertArrayEquals(ort, janus);
        int[] predicted = new int[150];
        Tensor p = model.predict(all);
        for (int i = 0; i < 150; i++) for (int j = 1; j < 3; j++) if (p.readDouble(i * 3 + j) > p.readDouble(i * 3 + predicted[i])) predicted[i] = j;
        assertAgrees(predicted, ort, "the QAT model against its int8 file");
    }

    @Test
    void badArgumentsAreOneLine(@TempDir Path dir) throws IOException {
        Path csv = irisCsv(dir, "names"), missing = dir.resolve("none.onnx");
        assertOneLineError(janus("quantize", missing.toString(), "--dynamic", "--out", "x.onnx"), 2, "none.onnx: no such file");
        Path model = dir.resolve("m.onnx");
        Files.write(model, new byte[] {1, 2, 3});
        assertOneLineError(janus("quantize", model.toString(), "--dynamic"), 2, "--out");
        assertOneLineError(janus("quantize", model.toString(), "--out", dir.resolve("q.onnx").toString()), 2, "--calibration");
        assertOneLineError(janus("quantize", model.toString(), "--dynamic", "--out", dir.resolve("q.onnx").toString()), 2, "not an ONNX model");
        assertTrue(!Files.exists(dir.resolve("q.onnx")), "nothing written on failure");
        JanusCliTest.Run r = janus("train", csv.toString(), "--epochs", "1", "--onnx", dir.resolve("iris.onnx").toString());
        assertEquals(0, r.status, r.toString());
        assertOneLineError(janus("quantize", dir.resolve("iris.onnx").toString(), "--calibration", csv.toString(), "--method", "median",
                "--out", dir.resolve("q.onnx").toString()), 2, "unknown calibration method 'median'");
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private static int[] classes(Path model, Tensor x) {
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            Tensor scores = ort.run(x).get(0);
            int n = scores.dim(0), k = scores.dim(1);
            int[] c = new int[n];
            for (int i = 0; i < n; i++) for (int j = 1; j < k; j++) if (scores.readDouble(i * k + j) > scores.readDouble(i * k + c[i])) c[i] = j;
            return c;
        }
    }

    /** At most 3 of the 150 flowers (2%) change class. */
    private static void assertAgrees(int[] expected, int[] got, String what) {
        int differ = 0;
        for (int i = 0; i < expected.length; i++) if (expected[i] != got[i]) differ++;
        assertTrue(differ <= 3, differ + " of 150 flowers change class: " + what);
    }
}
