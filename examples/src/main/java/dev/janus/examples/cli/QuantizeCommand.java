package dev.janus.examples.cli;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.quant.Calibrator;
import dev.janus.export.OnnxQuantizer;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.export.QuantizeOptions;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code janus quantize <model.onnx> --calibration data.csv --out model.int8.onnx}: an int8 ONNX model
 * of a float one, calibrated on the user's data, as onnxruntime.quantization's quantize_static and
 * quantize_dynamic write them; the result is loaded into ONNX Runtime before the command says it is done.
 */
final class QuantizeCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("calibration", "out", "format", "method", "activations", "label", "header", "scaler", "tensor");

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "make an int8 ONNX model of a float one (static, calibrated on a CSV or safetensors file, or dynamic)";
    }

    @Override
    public String help() {
        return "usage: janus quantize <model.onnx> --calibration FILE --out <model.int8.onnx> [options]\n"
                + "       janus quantize <model.onnx> --dynamic --out <model.int8.onnx>\n\n"
                + "Quantizes the Conv, MatMul and Gemm nodes of an ONNX model (from Janus, PyTorch or elsewhere) to int8,\n"
                + "weights symmetric per output channel, activations asymmetric with ranges found by running the model\n"
                + "on calibration samples; LSTM and GRU weights are stored int8. --dynamic quantizes weights only and\n"
                + "needs no data. The result is loaded into ONNX Runtime to check it.\n\n"
                + "  --calibration FILE      samples to calibrate on: a CSV file handled as janus train handles it (column\n"
                + "                          names, count line or data first; the --label column dropped; the features\n"
                + "                          standardised with <model>.scaler.csv when it exists, as janus train writes it),\n"
                + "                          or a .safetensors file holding one tensor of samples (first axis)\n"
                + "  --out FILE              where the int8 model goes\n"
                + "  --dynamic               weights only (DynamicQuantizeLinear, MatMulInteger, ConvInteger)\n"
                + "  --format qdq|qoperator  QuantizeLinear/DequantizeLinear around float ops (default), or QLinearConv\n"
                + "                          and QLinearMatMul\n"
                + "  --method M              activation ranges: minmax (default), percentile (99.999), percentile:P, entropy\n"
                + "  --activations uint8|int8  (default: uint8)\n"
                + "  --label NAME|INDEX      the CSV's label column, dropped (default: -1, the last)\n"
                + "  --header auto|yes|no    is the CSV's first line column names? (default: auto)\n"
                + "  --scaler FILE           the standardisation (default: <model>.scaler.csv when it exists)\n"
                + "  --tensor NAME           which tensor of a .safetensors file (default: its only one)\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, OPTIONS, Set.of("dynamic"));
        if (a.positional().size() != 1) throw CliError.usage("expected one <model.onnx>, got " + a.positional());
        Path from = Path.of(a.positional().get(0));
        if (!Files.isRegularFile(from)) throw CliError.input(from + ": no such file", null);
        if (a.get("out", null) == null) throw CliError.usage("where should the int8 model go? (--out FILE)");
        Path to = Janus.outputFile(a.get("out", null));
        boolean dynamic = a.has("dynamic");
        if (dynamic == (a.get("calibration", null) != null)) {
            throw CliError.usage(dynamic ? "--dynamic takes no --calibration data" : "static quantization needs --calibration FILE (or --dynamic)");
        }
        QuantizeOptions options;
        String samples = "";
        try {
            if (dynamic) {
                options = QuantizeOptions.dynamic();
            } else {
                Tensor x = calibration(Path.of(a.get("calibration", null)), from, a);
                samples = ", " + x.dim(0) + " calibration samples";
                options = QuantizeOptions.staticQuantization(x)
                        .format(a.choice("format", "qdq", "qdq", "qoperator").equals("qdq") ? QuantizeOptions.Format.QDQ : QuantizeOptions.Format.QOPERATOR)
                        .calibration(Calibrator.parse(a.get("method", "minmax")))
                        .activations(a.choice("activations", "uint8", "uint8", "int8"));
            }
            OnnxQuantizer.quantize(from, to, options);
        } catch (JanusException e) {
            throw CliError.input(e.getMessage(), e);
        }
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(to)) {
            long before = size(from), after = size(to);
            out.printf(Locale.ROOT, "wrote %s: %s%s; %,d bytes, %.1fx smaller than %s; ONNX Runtime reads it (%d inputs, %d outputs)%n",
                    to, options, samples, after, (double) before / after, from, ort.inputs().size(), ort.outputs().size());
        }
        return 0;
    }

    /** The samples, shaped as the model's first input when that is not [N, features] (a CSV row of 64 pixels for [N, 8, 8, 1], say). */
    private static Tensor calibration(Path file, Path model, Args a) throws CliError {
        if (!Files.isRegularFile(file)) throw CliError.input(file + ": no such file", null);
        Tensor x;
        if (file.getFileName().toString().endsWith(".safetensors")) {
            Map<String, Tensor> all = SafeTensors.load(file);
            String name = a.get("tensor", null);
            if (name == null && all.size() != 1) throw CliError.usage(file + " holds " + all.size() + " tensors " + all.keySet() + ": which one? (--tensor NAME)");
            x = name == null ? all.values().iterator().next() : all.get(name);
            if (x == null) throw CliError.input(file + " has no tensor '" + name + "' (it has " + all.keySet() + ")", null);
        } else {
            // Every row: CsvData splits as janus train does (the smallest test part here), and the two parts go back together.
            CsvData csv = CsvData.load(file, a.choice("header", "auto", "auto", "yes", "no"), a.get("label", "-1"), Double.MIN_VALUE, 0);
            float[] train = csv.train.tensor(0).toFloatArray(), test = csv.test.tensor(0).toFloatArray(), all = Arrays.copyOf(train, train.length + test.length);
            System.arraycopy(test, 0, all, train.length, test.length);
            x = Tensor.of(all, csv.rows, csv.features.size());
            Path scalerFile = a.get("scaler", null) != null ? Path.of(a.get("scaler", null)) : Path.of(model + ".scaler.csv");
            if (a.get("scaler", null) != null || Files.isRegularFile(scalerFile)) {
                ExportWebCommand.Scaler s = ExportWebCommand.Scaler.read(scalerFile);
                if (x.dim(1) != s.mean.length) throw CliError.input(scalerFile + " standardises " + s.mean.length + " features, " + file + " has " + x.dim(1), null);
                x = StandardScaler.of(s.mean, s.scale).transform(x);
            }
        }
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            if (ort.inputs().size() != 1) return x;
            TensorType in = ort.inputs().values().iterator().next();
            int[] dims = in.shape().dims();
            long per = 1;
            for (int i = 1; i < dims.length; i++) per = dims[i] < 0 ? -1 : per * dims[i];
            int[] have = x.shape().dims();
            if (per > 0 && have.length != dims.length && x.numel() == per * x.dim(0)) {
                dims = dims.clone();
                dims[0] = x.dim(0);
                return x.view(Shape.of(dims));
            }
        }
        return x;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
