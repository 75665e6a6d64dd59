package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.eager.Tracer;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.Model;
import dev.janus.layers.Sequential;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes a model of either front end as an ONNX file, in the inference form (dropout removed, only
 * what the prediction needs): an eager {@link NNModule} by tracing its forward on an example input,
 * as {@code torch.onnx.export} does, and a Keras-style {@link Model} from its compiled
 * prediction graph. The input is called "input" and the output "output" unless the options name
 * them; the batch dimension is dynamic unless the options fix it. The file is written to a
 * temporary file and renamed, so a failure never leaves half a file.
 *
 * <pre>{@code
 * ModelExport.toOnnx(module, Tensor.randn(1, 4), Path.of("model.onnx"), ExportOptions.defaults());
 * ModelExport.toOnnx(sequential, Path.of("model.onnx"), ExportOptions.defaults());
 * }</pre>
 */
public final class ModelExport {
    private ModelExport() {
    }

    /**
     * Traces {@code module.forward(exampleInput)} in eval mode (the mode of every submodule is
     * restored afterwards) and writes the traced graph. What the trace records is what ran: Java
     * control flow is taken as it went for the example. With a fixed batch size in the options, the
     * example must have that batch. Returns {@code path}.
     */
    public static Path toOnnx(NNModule module, Tensor exampleInput, Path path, ExportOptions options) {
        Objects.requireNonNull(exampleInput, "exampleInput");
        return toOnnx(module, List.of(exampleInput), path, options);
    }

    /**
     * As {@link #toOnnx(Module, Tensor, Path, ExportOptions)} for a module of several inputs
     * ({@code forward(Tensor...)}), one example each, as {@code torch.onnx.export(model, (a, b))}:
     * the inputs are called "input_0", "input_1", ... unless the options name them. Warnings of the
     * trace (values read into Java, a batch fixed by an op) are logged, naming the line.
     */
    public static Path toOnnx(NNModule module, List<Tensor> examples, Path path, ExportOptions options) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        if (examples.isEmpty()) throw new JanusException("export of " + module.kind() + ": no example input");
        Tensor[] xs = new Tensor[examples.size()];
        for (int i = 0; i < xs.length; i++) {
            Tensor x = Objects.requireNonNull(examples.get(i), "example " + i);
            if (!options.isDynamicBatch() && (x.rank() == 0 || x.shape().dim(0) != options.batchSize())) {
                throw new JanusException("export of " + module.kind() + ": the options fix the batch to "
                        + options.batchSize() + ", but the example input is " + x.type() + "; give an example of that batch size");
            }
            xs[i] = x;
        }
        OnnxExporter.save(trace(module, options.isDynamicBatch(), xs), path, options);
        return path;
    }

    /** The module's forward traced on the examples in eval mode; the mode of every submodule is restored. */
    private static Graph trace(NNModule module, boolean dynamicBatch, Tensor... examples) {
        List<NNModule> modules = new ArrayList<>();
        List<Boolean> modes = new ArrayList<>();
        collectModes(module, modules, modes);
        try {
            module.eval();
            return Tracer.trace(module, dynamicBatch, examples);
        } finally {
            // Pre-order: a parent's train(mode) reaches its children, which then set their own.
            for (int i = 0; i < modules.size(); i++) modules.get(i).train(modes.get(i));
        }
    }

    /**
     * Writes the model's prediction graph ({@link Model#inferenceGraph()}): the layers as the
     * graph computes them (a Dense layer as MatMul and Add), dropout removed. The model must be
     * built. A {@link Sequential}'s input is called "input" and its output "output"; a Functional
     * model's inputs and outputs keep its names (each {@code Input}'s, each output layer's),
     * unless the options name them. Returns {@code path}.
     */
    public static Path toOnnx(Model model, Path path, ExportOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        boolean sequential = model instanceof Sequential;
        ExportOptions named = sequential && options.inputNames() == null ? options.inputNames("input") : options;
        OnnxExporter.save(model.inferenceGraph(), path, named);
        return path;
    }

    /**
     * Writes a static web folder that runs the model in a browser, with no server: {@code index.html}
     * (a form to try the model, opening from disk or any static host) and {@code model.js}, the
     * model as a self-contained JavaScript module that Janus compiles from its inference plan, whose
     * {@code predict(Float32Array)} also runs under Node (see {@link WebOptions} for the form, the
     * names, the standardisation and onnxruntime-web). The model must be built. Returns the page's path.
     */
    public static Path toWeb(Sequential model, Path dir, WebOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return WebExport.write(model.inferenceGraph(), model.name(), dir, options);
    }

    /** The same for an eager module, traced on the example input (its shape is what counts) in eval mode. */
    public static Path toWeb(NNModule module, Tensor exampleInput, Path dir, WebOptions options) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(exampleInput, "exampleInput");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return WebExport.write(trace(module, true, exampleInput), module.kind(), dir, options);
    }

    /** The same for a graph of one input and one output with the batch first (an imported ONNX model, say). */
    public static Path toWeb(Graph graph, Path dir, WebOptions options) {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return WebExport.write(graph, graph.name(), dir, options);
    }

    private static void collectModes(NNModule m, List<NNModule> modules, List<Boolean> modes) {
        modules.add(m);
        modes.add(m.isTraining());
        for (NNModule c : m.children()) collectModes(c, modules, modes);
    }
}
