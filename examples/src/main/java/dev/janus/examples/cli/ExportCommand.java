package dev.janus.examples.cli;

import dev.janus.core.JanusException;
import dev.janus.core.TensorType;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.core.Tensor;
import dev.janus.core.io.SafeTensors;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.Model;

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
        return "convert a saved model (.janus, or .safetensors from janus train --style eager --save) to ONNX";
    }

    @Override
    public String help() {
        return "usage: janus export <model.janus|model.safetensors> <model.onnx> [--opset N]\n\n"
                + "Writes the inference form of a saved model as ONNX, then loads the file into ONNX Runtime and prints its\n"
                + "inputs and outputs. The model is a .janus file (Model.save, or janus train --style compiled --save) or an\n"
                + "eager model's .safetensors file from janus train --style eager --save (its state dict and layer sizes).\n\n"
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
        ExportOptions options = ExportOptions.defaults().opset(opset);
        try {
            if (from.toString().endsWith(".safetensors")) {
                NNModule module = TrainCommand.mlpFrom(SafeTensors.metadata(from), from.toString());
                module.loadStateDict(SafeTensors.load(from));
                int features = ((Linear) module.children().get(0)).inFeatures();
                ModelExport.toOnnx(module, Tensor.zeros(1, features), Janus.outputFile(to.toString()), options);
            } else {
                ModelExport.toOnnx(Model.load(from), Janus.outputFile(to.toString()), options);
            }
        } catch (JanusException e) {
            throw CliError.input(e.getMessage(), e);
        }
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
