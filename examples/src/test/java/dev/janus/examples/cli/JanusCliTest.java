package dev.janus.examples.cli;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.data.Iris;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.core.data.NumericTable;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxRuntimeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The janus command line, run in-process: parsing, help, errors and their exit status, and small real runs. */
class JanusCliTest {
    /** One run's exit status and what it printed. */
    static final class Run {
        final int status;
        final String out, err;

        Run(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "status " + status + "\nout:\n" + out + "\nerr:\n" + err;
        }
    }

    static Run janus(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Janus.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Iris as a CSV: "names" (a header line), "counts" (scikit-learn's count line) or "none". */
    static Path irisCsv(Path dir, String header) throws IOException {
        NumericTable t = Iris.table();
        StringBuilder sb = new StringBuilder();
        if (header.equals("names")) sb.append("sepal_length,sepal_width,petal_length,petal_width,species\n");
        if (header.equals("counts")) sb.append("150,4,setosa,versicolor,virginica\n");
        for (int r = 0; r < t.rows(); r++) {
            for (int c = 0; c < 5; c++) sb.append(c == 0 ? "" : ",").append(c == 4 ? String.valueOf((long) t.get(r, c)) : String.valueOf(t.get(r, c)));
            sb.append('\n');
        }
        Path p = dir.resolve("iris_" + header + ".csv");
        Files.writeString(p, sb.toString());
        return p;
    }

    /** An error is one line on stderr, nothing on stdout. */
    static void assertOneLineError(Run r, int status, String... parts) {
        assertEquals(status, r.status, r.toString());
        List<String> lines = r.err.lines().filter(l -> !l.startsWith("(janus ")).toList();
        assertEquals(1, lines.size(), r.toString());
        for (String p : parts) assertTrue(lines.get(0).contains(p), "'" + p + "' not in: " + lines.get(0));
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasItsOwn() {
        Run none = janus();
        assertEquals(2, none.status);
        assertTrue(none.err.contains("usage: janus <command>"), none.err);
        Run help = janus("--help");
        assertEquals(0, help.status);
        for (String c : List.of("demo", "train", "export", "export-web", "onnx-test", "bench")) {
            assertTrue(help.out.contains("  " + c + " "), c + " missing from\n" + help.out);
            Run own = janus(c, "--help");
            assertEquals(0, own.status, own.toString());
            assertTrue(own.out.startsWith("usage: janus " + c), own.out);
            assertEquals(own.out, janus("help", c).out);
        }
        Run unknown = janus("fit");
        assertEquals(2, unknown.status);
        assertTrue(unknown.err.startsWith("janus: unknown command 'fit'"), unknown.err);
    }

    @Test
    void badArgumentsExitWithStatus2() {
        assertOneLineError(janus("train"), 2, "which CSV file?");
        assertOneLineError(janus("train", "a.csv", "--style", "lazy"), 2, "--style must be one of eager, compiled");
        assertOneLineError(janus("train", "a.csv", "--epochs", "ten"), 2, "--epochs must be a whole number, got 'ten'");
        assertOneLineError(janus("train", "a.csv", "--epochs"), 2, "--epochs needs a value");
        assertOneLineError(janus("train", "a.csv", "--hidden", "64,x"), 2, "--hidden must be positive whole numbers");
        assertOneLineError(janus("train", "a.csv", "--test-fraction", "1.5"), 2, "--test-fraction must be in");
        assertOneLineError(janus("train", "a.csv", "--frobnicate"), 2, "unknown option --frobnicate");
        assertOneLineError(janus("demo", "--epochs", "0"), 2, "--epochs must be at least 1");
        assertOneLineError(janus("demo", "extra"), 2, "unexpected argument 'extra'");
        assertOneLineError(janus("export", "only-one.janus"), 2, "expected <model.janus> <model.onnx>");
        assertOneLineError(janus("export", "a.janus", "b.onnx", "--opset", "9"), 2, "--opset must be 13 to 21");
        assertOneLineError(janus("bench", "--quick-ish"), 2, "unknown option --quick-ish");
        assertOneLineError(janus("export-web", "model.janus"), 2, "expected <model> <folder>");
        assertOneLineError(janus("export-web", "a.janus", "web", "--runtime", "wasm"), 2, "--runtime must be one of janus, onnxruntime-web");
        assertOneLineError(janus("export-web", "a.janus", "web", "--runtime-url", "ort.js"), 2, "--runtime-url goes with --runtime onnxruntime-web");
    }

    @Test
    void badInputNamesTheFileLineAndColumn(@TempDir Path dir) throws IOException {
        assertOneLineError(janus("train", dir.resolve("nope.csv").toString()), 2, "nope.csv: no such file");

        Path words = dir.resolve("words.csv");
        Files.writeString(words, "a,b,label\n1,2,0\n3,four,1\n");
        assertOneLineError(janus("train", words.toString()), 2, "words.csv, line 3, column 2 (b): 'four' is not a number");

        Path named = irisCsv(dir, "names");
        assertOneLineError(janus("train", named.toString(), "--label", "kind"), 2, "iris_names.csv, line 1: no column named 'kind'",
                "sepal_length, sepal_width");
        assertOneLineError(janus("train", named.toString(), "--label", "7"), 2, "iris_names.csv: no column 7; the file has 5 columns");
        assertOneLineError(janus("train", named.toString(), "--label", "petal_width"), 2,
                "iris_names.csv, line 2, column 4 (petal_width): 0.2 is not a class label");

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "1,2,0\n3,4\n");
        assertOneLineError(janus("train", ragged.toString()), 2, "ragged.csv, line 2: 2 values, expected 3");

        assertOneLineError(janus("export", dir.resolve("missing.janus").toString(), dir.resolve("m.onnx").toString()), 2, "missing.janus: no such file");
        Path junk = dir.resolve("junk.janus");
        Files.writeString(junk, "not a model");
        Run r = janus("export", junk.toString(), dir.resolve("m.onnx").toString());
        assertOneLineError(r, 2, "junk.janus");
        assertTrue(Files.notExists(dir.resolve("m.onnx")));
        assertOneLineError(janus("onnx-test", dir.resolve("no-folder").toString()), 2, "no-folder: no such folder");
    }

    @Test
    void trainsEagerOnAHeaderedCsvAndExportsToOnnx(@TempDir Path dir) throws IOException {
        Path csv = irisCsv(dir, "names"), onnx = dir.resolve("iris.onnx"), weights = dir.resolve("iris.safetensors");
        Run r = janus("train", csv.toString(), "--style", "eager", "--label", "species", "--hidden", "16", "--epochs", "20", "--lr", "0.01",
                "--validation-split", "0.2", "--save", weights.toString(), "--onnx", onnx.toString(), "--logdir", dir.resolve("logs").toString());
        assertEquals(0, r.status, r.toString());
        assertEventFiles(dir.resolve("logs"), "train", "validation");
        assertTrue(r.out.contains("150 rows, 4 features, label column 'species' with 3 classes; 120 for training, 30 for the test"), r.out);
        assertTrue(r.out.contains("epoch 20/20  loss"), r.out);
        assertTrue(r.out.contains("val_accuracy"), r.out);
        assertTrue(testAccuracy(r) >= 0.85, r.out);
        assertTrue(Files.size(weights) > 0);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(onnx)) {
            assertEquals(List.of("input"), List.copyOf(ort.inputs().keySet()));
        }
        List<String> scaler = Files.readAllLines(Path.of(onnx + ".scaler.csv"));
        assertEquals("feature,mean,scale", scaler.get(0));
        assertTrue(scaler.get(1).startsWith("sepal_length,5."), scaler.get(1));

        // The saved eager model exports as the compiled one does: the same ONNX outputs as --onnx gave.
        Path again = dir.resolve("again.onnx");
        Run e = janus("export", weights.toString(), again.toString());
        assertEquals(0, e.status, e.toString());
        assertTrue(e.out.startsWith("wrote " + again + " (opset 17); ONNX Runtime reads it: input "), e.out);
        Tensor x = Tensor.randn(new dev.janus.core.Generator(3), 5, 4);
        try (OnnxRuntimeModel first = OnnxRuntimeModel.load(onnx); OnnxRuntimeModel second = OnnxRuntimeModel.load(again)) {
            float[] a = first.run(x).get(0).toFloatArray(), b = second.run(x).get(0).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 1e-6f);
        }
        assertOneLineError(janus("train", csv.toString(), "--style", "eager", "--save", dir.resolve("w.janus").toString()), 2,
                "--save " + dir.resolve("w.janus") + ": an eager model is saved as its state dict in safetensors");
    }

    @Test
    void trainsCompiledOnScikitLearnsFormatAndTheSavedModelExports(@TempDir Path dir) throws IOException {
        Path csv = irisCsv(dir, "counts"), saved = dir.resolve("iris.janus"), onnx = dir.resolve("out/iris.onnx");
        Run r = janus("train", csv.toString(), "--hidden", "16,8", "--dropout", "0.1", "--epochs", "20", "--lr", "0.01", "--save", saved.toString(),
                "--logdir", dir.resolve("logs").toString());
        assertEquals(0, r.status, r.toString());
        assertEventFiles(dir.resolve("logs"), "train");
        assertTrue(r.out.contains("150 rows, 4 features, label column 'column 5' with 3 classes"), r.out);
        assertTrue(r.out.contains("Total params"), "the Keras summary: " + r.out);
        assertTrue(testAccuracy(r) >= 0.85, r.out);

        Run e = janus("export", saved.toString(), onnx.toString(), "--opset", "13");
        assertEquals(0, e.status, e.toString());
        assertTrue(e.out.startsWith("wrote " + onnx + " (opset 13); ONNX Runtime reads it: input "), e.out);
        assertTrue(Files.isRegularFile(onnx));
    }

    /** Each run folder holds a TensorBoard event file (the tensorboard module's tests read such files back). */
    private static void assertEventFiles(Path logDir, String... runs) throws IOException {
        for (String run : runs) {
            try (var files = Files.list(logDir.resolve(run))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("events.out.tfevents.")), "no event file in " + run);
            }
        }
    }

    @Test
    void readsHeaderlessAndGzippedFilesAndTheLabelByIndex(@TempDir Path dir) throws IOException {
        Path plain = irisCsv(dir, "none"), gz = dir.resolve("iris.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(plain));
        }
        Run r = janus("train", gz.toString(), "--label", "4", "--epochs", "2", "--hidden", "8");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.contains("iris.csv.gz: 150 rows, 4 features, label column 'column 5' with 3 classes"), r.out);
        assertOneLineError(janus("train", plain.toString(), "--label", "species"), 2, "no column named 'species'; the file has no line of column names");
    }

    /** A spreadsheet's UTF-8 byte order mark is no part of the first row or the first column's name. */
    @Test
    void aByteOrderMarkIsIgnored(@TempDir Path dir) throws IOException {
        Path plain = irisCsv(dir, "none"), named = irisCsv(dir, "names");
        Path bomPlain = dir.resolve("bom_plain.csv"), bomNamed = dir.resolve("bom_named.csv");
        Files.writeString(bomPlain, "\uFEFF" + Files.readString(plain));
        Files.writeString(bomNamed, "\uFEFF" + Files.readString(named));
        Run r = janus("train", bomPlain.toString(), "--epochs", "1", "--hidden", "4");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.contains("150 rows, 4 features"), "the first row is data, not column names: " + r.out);
        r = janus("train", bomNamed.toString(), "--label", "sepal_length", "--epochs", "1", "--hidden", "4");
        assertOneLineError(r, 2, "bom_named.csv, line 2, column 1 (sepal_length): 5.1 is not a class label");
        r = janus("train", bomNamed.toString(), "--label", "species", "--epochs", "1", "--hidden", "4");
        assertEquals(0, r.status, r.toString());
    }

    /** Values beyond float32 and absurd labels are refused naming the line, before any model is made. */
    @Test
    void valuesTheModelCannotTakeNameTheirLine(@TempDir Path dir) throws IOException {
        Path huge = dir.resolve("huge.csv");
        Files.writeString(huge, "a,b,label\n1,2,0\n3,1e39,1\n");
        assertOneLineError(janus("train", huge.toString()), 2,
                "huge.csv, line 3, column 2 (b): 1.0E39 is beyond the range of float32 (largest 3.4028235E38), which the model computes in");
        Path classes = dir.resolve("classes.csv");
        Files.writeString(classes, "a,label\n1,0\n2,1\n3,60000000\n");
        assertOneLineError(janus("train", classes.toString()), 2,
                "classes.csv, line 4, column 2 (label): label 60000000 would make a model of 60000001 classes; janus train takes at most 100000");
    }

    @Test
    void exportsASavedModelAndAnOnnxFileAsWebPages(@TempDir Path dir) throws IOException {
        Path csv = irisCsv(dir, "names"), saved = dir.resolve("iris.janus"), web = dir.resolve("web");
        assertEquals(0, janus("train", csv.toString(), "--label", "species", "--hidden", "8", "--epochs", "3", "--save", saved.toString()).status);
        assertTrue(Files.isRegularFile(Path.of(saved + ".scaler.csv")), "train --save writes the standardisation beside the model");
        Run r = janus("export-web", saved.toString(), web.toString(), "--labels", "setosa,versicolor,virginica", "--title", "Iris");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.startsWith("wrote " + web.resolve("index.html")), r.out);
        assertTrue(r.out.contains("the page standardises its 4 features with " + saved + ".scaler.csv"), r.out);
        String page = Files.readString(web.resolve("index.html"));
        for (String s : List.of("<title>Iris</title>", "\"sepal_length\"", "\"virginica\"", "\"mean\": [5.")) assertTrue(page.contains(s), s + " not in the page");
        assertTrue(Files.readString(web.resolve("model.js")).contains("export function predict(x)"));

        Path onnx = dir.resolve("iris.onnx"), ortWeb = dir.resolve("ort-web");
        assertEquals(0, janus("train", csv.toString(), "--style", "eager", "--label", "species", "--epochs", "2", "--onnx", onnx.toString()).status);
        Run o = janus("export-web", onnx.toString(), ortWeb.toString(), "--runtime", "onnxruntime-web");
        assertEquals(0, o.status, o.toString());
        assertTrue(Files.isRegularFile(ortWeb.resolve("model.onnx")) && Files.notExists(ortWeb.resolve("model.js")), o.out);
        assertTrue(Files.readString(ortWeb.resolve("index.html")).contains("<script src=\"https://cdn.jsdelivr.net/npm/onnxruntime-web@"), o.out);
        assertTrue(o.out.contains("standardises its 4 features"), "the scaler beside the ONNX file is found: " + o.out);
    }

    @Test
    void anOpWithoutJavaScriptIsNamed(@TempDir Path dir) {
        Graph g = new Graph("upsampler");
        Value x = g.input("input", TensorType.of(DType.FLOAT32, -1, 2, 4, 4));
        Value w = g.parameter("w", Tensor.ones(2, 1, 2, 2));
        g.addOutput(g.apply1(Ops.CONV_TRANSPOSE, Attrs.of("strides", new int[] {2, 2}), x, w));
        Path onnx = dir.resolve("up.onnx");
        OnnxExporter.save(g, onnx, ExportOptions.defaults());
        assertOneLineError(janus("export-web", onnx.toString(), dir.resolve("web").toString()), 2, "op 'conv_transpose' has no JavaScript kernel");
        assertTrue(Files.notExists(dir.resolve("web")), "nothing is written");
        assertOneLineError(janus("export-web", dir.resolve("none.onnx").toString(), dir.resolve("web").toString()), 2, "none.onnx: no such file");
    }

    private static double testAccuracy(Run r) {
        String line = r.out.lines().filter(l -> l.startsWith("test loss")).findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
