package dev.janus.benchmarks;

import dev.janus.core.Tensor;
import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsData;
import dev.janus.examples.DigitsRnn;
import dev.janus.examples.IrisCompiled;
import dev.janus.examples.IrisData;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.WebOptions;
import dev.janus.layers.Sequential;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Prepares the web benchmark (benchmarks/web/bench.mjs, which times the generated JavaScript
 * against onnxruntime-node in one Node process): the three example models, trained as the examples
 * train them, each in a folder with model.js (the module ModelExport.toWeb writes), model.onnx
 * (ModelExport.toOnnx), the test set x.bin and Janus's predictions y.bin (float32), and meta.json.
 *
 * <p>Run by benchmarks/web/run.sh: {@code java ... dev.janus.benchmarks.WebBench OUT_DIR}.
 */
public final class WebBench {
    private WebBench() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/web");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        IrisData iris = IrisData.load();
        DigitsData digits = DigitsData.load();
        write(out.resolve("iris-mlp"), "iris MLP 4-64-32-3", IrisCompiled.train(IrisCompiled.SEED, 50, 0).model, iris.xTest);
        write(out.resolve("digits-cnn"), "digits CNN", DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, quiet).model,
                DigitsData.shaped(digits.test, 8, 8, 1));
        write(out.resolve("digits-lstm"), "digits LSTM", DigitsRnn.trainCompiled(DigitsRnn.SEED, DigitsRnn.EPOCHS, quiet).model,
                DigitsData.shaped(digits.test, 8, 8));
    }

    private static void write(Path dir, String name, Sequential model, Tensor x) throws IOException {
        ModelExport.toWeb(model, dir, WebOptions.defaults());
        ModelExport.toOnnx(model, dir.resolve("model.onnx"), ExportOptions.defaults());
        Files.write(dir.resolve("x.bin"), float32(x));
        Files.write(dir.resolve("y.bin"), float32(model.predict(x)));
        int[] sample = Arrays.copyOfRange(x.shape().dims(), 1, x.rank());
        Files.writeString(dir.resolve("meta.json"), String.format(Locale.ROOT, "{\"name\": \"%s\", \"samples\": %d, \"sample\": %s}%n",
                name, x.dim(0), Arrays.toString(sample)));
        System.out.println("wrote " + dir + " (" + name + ", " + x.dim(0) + " test samples)");
    }

    private static byte[] float32(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.toFloatArray()) b.putFloat(v);
        return b.array();
    }
}
