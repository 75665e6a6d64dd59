package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNSequential;
import dev.janus.core.optim.Adam;
import dev.janus.core.quant.Calibrator;
import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsData;
import dev.janus.examples.DigitsRnn;
import dev.janus.examples.EagerTrainer;
import dev.janus.examples.IrisCompiled;
import dev.janus.examples.IrisData;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxImporter;
import dev.janus.export.OnnxQuantizer;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.export.QuantizeOptions;
import dev.janus.export.UnsupportedOpException;
import dev.janus.layers.Fit;
import dev.janus.layers.Sequential;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The int8 proof of issue 17, per trained model (the examples' iris MLP, digits CNN in both front
 * ends, digits LSTM): each float model is exported, quantized by Janus in every form and by
 * onnxruntime.quantization (the peer, benchmarks/peers/quantize_ort.py, when a Python with
 * onnxruntime is found: $JANUS_PYTHON) on the same calibration samples (the training split), and
 * every file is run in ONNX Runtime on the test split. Prints, per file: its size and the float
 * file's size over it, test accuracy and the drop from float in points, the share of test samples
 * whose predicted class is the float model's, and ONNX Runtime's time for the whole test split
 * (median of 30 runs after 10, ONNX Runtime's default threads: a rough figure, the JMH benchmark
 * QuantizedInferenceBenchmark has the careful one), and how far Janus, running the same file itself,
 * is from ONNX Runtime's outputs (largest absolute difference, share of the same class). Each model
 * is also fine-tuned with quantization-aware training (a few more epochs with fake quantization,
 * {@code quantizationAware} in either front end) and quantized the same way (static QDQ, min/max):
 * its drop is against the float model before fine-tuning.
 *
 * <p>Usage: QuantizationReport [--out DIR] (default: a temporary folder; the files are kept there)
 */
public final class QuantizationReport {
    private static final int WARMUP = 10, RUNS = 30;
    /** Quantization-aware fine-tuning after the float training: epochs for the digits models and for iris. */
    static final int QAT_EPOCHS = 3, QAT_EPOCHS_IRIS = 10;
    /** Adam's rate in QAT fine-tuning: a tenth of the examples' 1e-3. */
    static final double QAT_RATE = 1e-4;

    private QuantizationReport() {
    }

    /**
     * A trained float model and its data: calibration samples, test samples and labels; and how to
     * fine-tune it with quantization-aware training, giving the float file of the result.
     */
    private static final class Trained {
        final String name;
        final Path onnx;
        final Tensor calibration, x, y;
        final Callable<Path> qat;

        Trained(String name, Path onnx, Tensor calibration, Tensor x, Tensor y, Callable<Path> qat) {
            this.name = name;
            this.onnx = onnx;
            this.calibration = calibration;
            this.x = x;
            this.y = y;
            this.qat = qat;
        }
    }

    /**
     * QAT fine-tuning of a Keras-style model: {@code epochs} more epochs with fake quantization, Adam
     * at a tenth of the training rate (1e-4), then its float export.
     */
    private static Callable<Path> qat(Sequential model, Tensor x, Tensor y, int epochs, int batch, Path file) {
        return () -> {
            model.quantizationAware(true);
            model.compile(new Adam(QAT_RATE), "sparse_categorical_crossentropy", List.of("accuracy"));
            model.fit(x, y, new Fit().epochs(epochs).batchSize(batch).verbose(0));
            return ModelExport.toOnnx(model, file, ExportOptions.defaults());
        };
    }

    public static void main(String[] args) throws IOException {
        Path out = args.length == 2 && args[0].equals("--out") ? Files.createDirectories(Path.of(args[1])) : Files.createTempDirectory("janus-int8");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        PrintStream stdout = System.out;
        List<Trained> models = new ArrayList<>();
        System.setOut(quiet);   // the trainers' progress lines
        try {
            IrisData iris = IrisData.load();
            Sequential irisModel = IrisCompiled.train(IrisCompiled.SEED, 50, 0).model;
            models.add(new Trained("iris MLP (Keras-style)", ModelExport.toOnnx(irisModel, out.resolve("iris.onnx"), ExportOptions.defaults()),
                    iris.xTrain, iris.xTest, iris.yTest, qat(irisModel, iris.xTrain, iris.yTrain, QAT_EPOCHS_IRIS, 16, out.resolve("iris.qat.onnx"))));
            DigitsData digits = DigitsData.load();
            Tensor nhwc = DigitsData.shaped(digits.train, 8, 8, 1), labels = digits.train.tensor(1);
            Sequential cnn = DigitsCnn.trainCompiled(DigitsCnn.SEED, DigitsCnn.EPOCHS, quiet).model;
            models.add(new Trained("digits CNN (Keras-style)", ModelExport.toOnnx(cnn, out.resolve("digits_cnn_keras.onnx"), ExportOptions.defaults()),
                    nhwc, DigitsData.shaped(digits.test, 8, 8, 1), digits.test.tensor(1),
                    qat(cnn, nhwc, labels, QAT_EPOCHS, DigitsCnn.BATCH, out.resolve("digits_cnn_keras.qat.onnx"))));
            Tensor nchw = DigitsData.shaped(digits.test, 1, 8, 8), trainNchw = DigitsData.shaped(digits.train, 1, 8, 8);
            NNSequential eager = DigitsCnn.trainEager(DigitsCnn.SEED, DigitsCnn.EPOCHS, quiet).model;
            models.add(new Trained("digits CNN (PyTorch-style)", ModelExport.toOnnx(eager, nchw, out.resolve("digits_cnn_eager.onnx"), ExportOptions.defaults()),
                    trainNchw, nchw, digits.test.tensor(1), () -> {
                        eager.quantizationAware(true).train();
                        new EagerTrainer(eager, new CrossEntropyLoss(), new Adam(QAT_RATE))
                                .fit(new TensorDataset(trainNchw, labels), null, QAT_EPOCHS, DigitsCnn.BATCH, Generator.global(), null, null);
                        return ModelExport.toOnnx(eager, nchw, out.resolve("digits_cnn_eager.qat.onnx"), ExportOptions.defaults());
                    }));
            Tensor rows = DigitsData.shaped(digits.train, 8, 8);
            Sequential lstm = DigitsRnn.trainCompiled(DigitsRnn.SEED, DigitsRnn.EPOCHS, quiet).model;
            models.add(new Trained("digits LSTM (Keras-style)", ModelExport.toOnnx(lstm, out.resolve("digits_lstm.onnx"), ExportOptions.defaults()),
                    rows, DigitsData.shaped(digits.test, 8, 8), digits.test.tensor(1),
                    qat(lstm, rows, labels, QAT_EPOCHS, DigitsRnn.BATCH, out.resolve("digits_lstm.qat.onnx"))));
        } finally {
            System.setOut(stdout);
        }

        String python = PythonPeers.python();
        String peer = null;
        System.out.println("| model | quantizer | form | file bytes | float / int8 | test accuracy | drop (points) | same class as float | ORT ms (test split)"
                + " | Janus runs it: max abs diff from ORT, same class |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Trained m : models) {
            Map<String, QuantizeOptions> forms = new LinkedHashMap<>();
            forms.put("static QDQ, min/max", QuantizeOptions.staticQuantization(m.calibration));
            forms.put("static QOperator, min/max", QuantizeOptions.staticQuantization(m.calibration).format(QuantizeOptions.Format.QOPERATOR));
            forms.put("static QDQ, percentile 99.999", QuantizeOptions.staticQuantization(m.calibration).calibration(Calibrator.percentile()));
            forms.put("static QDQ, entropy", QuantizeOptions.staticQuantization(m.calibration).calibration(Calibrator.entropy()));
            forms.put("dynamic", QuantizeOptions.dynamic());
            long floatBytes = Files.size(m.onnx);
            Tensor reference = run(m.onnx, m.x);
            double floatAccuracy = DigitsData.accuracy(reference, m.y);
            row(m, "(float)", "", m.onnx, floatBytes, floatAccuracy, reference);
            String base = m.onnx.getFileName().toString().replace(".onnx", "");
            for (Map.Entry<String, QuantizeOptions> f : forms.entrySet()) {
                Path q = out.resolve(base + "." + f.getKey().replaceAll("[^a-zA-Z0-9]+", "_") + ".int8.onnx");
                try {
                    OnnxQuantizer.quantize(m.onnx, q, f.getValue());
                } catch (RuntimeException e) {
                    System.out.println("| " + m.name + " | Janus | " + f.getKey() + " | failed: " + e.getMessage() + " |||||");
                    continue;
                }
                row(m, "Janus", f.getKey(), q, floatBytes, floatAccuracy, reference);
            }
            // Quantization-aware training: the model fine-tuned with fake quantization, then quantized as above.
            Path qatFloat;
            System.setOut(quiet);
            try {
                qatFloat = m.qat.call();
            } catch (Exception e) {
                throw new IllegalStateException(m.name + ": quantization-aware training failed: " + e, e);
            } finally {
                System.setOut(stdout);
            }
            Path qatInt8 = out.resolve(base + ".qat.int8.onnx");
            OnnxQuantizer.quantize(qatFloat, qatInt8, QuantizeOptions.staticQuantization(m.calibration));
            // The fine-tuned float model's own accuracy, to tell the fine-tuning's effect from the quantization's.
            String tuned = String.format(Locale.ROOT, "static QDQ, min/max (its float model: %.4f)", DigitsData.accuracy(run(qatFloat, m.x), m.y));
            row(m, "Janus, QAT " + (m.name.startsWith("iris") ? QAT_EPOCHS_IRIS : QAT_EPOCHS) + " epochs", tuned, qatInt8, floatBytes,
                    floatAccuracy, reference);
            // The peer: onnxruntime.quantization on the same float file and calibration samples.
            Path peerDir = Files.createDirectories(out.resolve(base + "_ort"));
            Path cal = peerDir.resolve("calibration.bin");
            writeFloats(cal, m.calibration);
            String shape = Arrays.stream(m.calibration.shape().dims()).mapToObj(Integer::toString).collect(Collectors.joining(","));
            String version = PythonPeers.output(List.of(python, PythonPeers.DIR.resolve("quantize_ort.py").toString(), m.onnx.toString(),
                    cal.toString(), shape, peerDir.toString()), 600);
            if (version == null) {
                System.out.println("| " + m.name + " | onnxruntime.quantization | skipped: " + python
                        + " benchmarks/peers/quantize_ort.py failed (needs onnx and onnxruntime; set JANUS_PYTHON) |||||||");
                continue;
            }
            peer = version.strip();
            for (String form : List.of("qdq", "qoperator", "dynamic")) {
                String label = form.equals("dynamic") ? "dynamic" : "static " + (form.equals("qdq") ? "QDQ" : "QOperator") + ", min/max";
                row(m, "onnxruntime", label, peerDir.resolve("ort_" + form + ".onnx"), floatBytes, floatAccuracy, reference);
            }
        }
        System.out.println();
        System.out.println("files in " + out + "; peer: " + (peer == null ? "none ran" : peer) + "; calibration: each model's training split"
                + " (iris 120 flowers standardised, digits 1,437 images)");
    }

    private static void row(Trained m, String quantizer, String form, Path file, long floatBytes, double floatAccuracy, Tensor reference) throws IOException {
        Tensor scores = run(file, m.x);
        double accuracy = DigitsData.accuracy(scores, m.y);
        long bytes = Files.size(file);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %,d | %.2f | %.4f | %+.2f | %.4f | %.3f | %s |%n", m.name, quantizer, form, bytes,
                (double) floatBytes / bytes, accuracy, 100 * (floatAccuracy - accuracy), agreement(scores, reference), millis(file, m.x),
                janusAgainst(file, m.x, scores));
    }

    /** Janus running the file itself (imported: the quantized ops on int8 storage) against ONNX Runtime's scores. */
    private static String janusAgainst(Path file, Tensor x, Tensor scores) {
        Tensor janus;
        try {
            janus = Interpreter.run(OnnxImporter.load(file), List.of(x), new ExecContext(new Generator(0))).get(0);
        } catch (UnsupportedOpException e) {
            return "not imported: " + e.opType();
        }
        double diff = 0;
        for (int i = 0; i < scores.numel(); i++) diff = Math.max(diff, Math.abs(scores.readDouble(i) - janus.readDouble(i)));
        return String.format(Locale.ROOT, "%.1e, %.4f", diff, agreement(janus, scores));
    }

    private static Tensor run(Path file, Tensor x) {
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
            return ort.run(x).get(0);
        }
    }

    /** The share of rows whose largest score is where the reference's is. */
    private static double agreement(Tensor scores, Tensor reference) {
        int rows = scores.dim(0), classes = scores.dim(1), same = 0;
        for (int i = 0; i < rows; i++) if (argmax(scores, i, classes) == argmax(reference, i, classes)) same++;
        return (double) same / rows;
    }

    private static int argmax(Tensor t, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) if (t.readDouble(row * classes + c) > t.readDouble(row * classes + best)) best = c;
        return best;
    }

    private static double millis(Path file, Tensor x) {
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
            for (int i = 0; i < WARMUP; i++) ort.run(x);
            double[] t = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long start = System.nanoTime();
                ort.run(x);
                t[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(t);
            return t[RUNS / 2];
        }
    }

    private static void writeFloats(Path file, Tensor t) throws IOException {
        float[] v = t.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        Files.write(file, b.array());
    }
}
