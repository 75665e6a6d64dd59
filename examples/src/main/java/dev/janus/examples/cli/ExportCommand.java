package dev.janus.examples.cli;

import dev.janus.core.JanusException;
import dev.janus.core.TensorType;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.layers.Sequential;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code janus export <model.janus> <model.onnx>}: a saved Keras-style model to ONNX, checked by loading it into ONNX Runtime. */
final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "convert a saved model (.janus, from janus train --save or Sequential.save) to ONNX";
    }

    @Override
    public String help() {
        return "usage: janus export <model.janus> <model.onnx> [--opset N]\n\n"
                + "Writes the inference form of a model saved by Sequential.save (or janus train --style compiled --save) as\n"
                + "ONNX, then loads the file into ONNX Runtime and prints its inputs and outputs. (An eager model is\n"
                + "exported with janus train --style eager --onnx FILE, or with ModelExport.toOnnx in Java.)\n\n"
                + "  --opset N    ONNX opset, " + ExportOptions.MIN_OPSET + " to " + ExportOptions.MAX_OPSET + " (default: " + ExportOptions.DEFAULT_OPSET + ")\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, Set.of("opset"), Set.of());
        if (a.positional().size() != 2) throw CliError.usage("expected <model.janus> <model.onnx>, got " + a.positional());
        Path from = Path.of(a.positional().get(0)), to = Path.of(a.positional().get(1));
        int opset = a.integer("opset", ExportOptions.DEFAULT_OPSET, 1);
        if (opset < ExportOptions.MIN_OPSET || opset > ExportOptions.MAX_OPSET) {
            throw CliError.usage("--opset must be " + ExportOptions.MIN_OPSET + " to " + ExportOptions.MAX_OPSET + ", got " + opset);
        }
        if (!Files.isRegularFile(from)) throw CliError.input(from + ": no such file", null);
        Sequential model;
        try {
            model = Sequential.load(from);
        } catch (JanusException e) {
            throw CliError.input(e.getMessage(), e);
        }
        ModelExport.toOnnx(model, Janus.outputFile(to.toString()), ExportOptions.defaults().opset(opset));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(to)) {
            out.println("wrote " + to + " (opset " + opset + "); ONNX Runtime reads it: " + describe(ort.inputs()) + " -> " + describe(ort.outputs()));
        }
        return 0;
    }

    private static String describe(Map<String, TensorType> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((name, type) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ').append(type));
        return sb.toString();
    }
}
