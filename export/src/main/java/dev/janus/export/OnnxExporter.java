package dev.janus.export;

import dev.janus.core.Shape;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.graph.Rewriter;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.OperatorSetIdProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.TensorShapeProto;
import dev.janus.export.proto.Onnx.TypeProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import dev.janus.core.io.AtomicFile;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a core IR graph as an ONNX model, in the inference form: only the nodes and inputs the
 * outputs need are written (a loss, its gradient, the optimizer update and the labels are left
 * out), dropout passes its
 * input through, and each op translates itself ({@link dev.janus.core.ops.Op#toOnnx}). Parameters
 * become initializers under their own names; unknown dimensions become symbolic ("batch" for
 * the first axis), unless the options fix the batch size.
 */
public final class OnnxExporter {
    static final String PRODUCER = "Janus", PRODUCER_VERSION = "0.1.0";

    private OnnxExporter() {
    }

    /** Exports the graph's outputs, under the names the graph gave them unless the options name them. */
    public static ModelProto toModel(Graph graph, ExportOptions options) {
        List<String> given = new ArrayList<>();
        for (int i = 0; i < graph.outputs().size(); i++) {
            // outputName falls back to the value's own name (an input's or a parameter's): not a name given to the output.
            String name = graph.outputName(i);
            given.add(name.equals(graph.outputs().get(i).name()) ? null : name);
        }
        return toModel(graph, graph.outputs(), given, options);
    }

    /**
     * Exports {@code outputs} (values of {@code graph}) as the model's outputs: for a training graph,
     * the prediction, so that the loss, gradients and updates are left out.
     */
    public static ModelProto toModel(Graph graph, List<Value> outputs, ExportOptions options) {
        return toModel(graph, outputs, Collections.nCopies(outputs.size(), null), options);
    }

    /** {@code given}: the graph's name for each output, or null where it gave none. */
    private static ModelProto toModel(Graph graph, List<Value> outputs, List<String> given, ExportOptions options) {
        checkOwned(graph, outputs);
        if (!options.isDynamicBatch()) {
            Rewriter r = new Rewriter(graph, fixedBatch(graph, options.batchSize()));
            for (Node n : graph.nodes()) r.copy(n);
            outputs = r.get(outputs);
            graph = r.target();
        }
        List<String> inNames = names(graph.inputs(), options.inputNames(), "input", graph);
        List<String> outNames = outputNames(graph, outputs, given, options.outputNames());
        ModelBuilder b = new ModelBuilder(options.opset());
        Map<Value, String> names = new HashMap<>();
        for (int i = 0; i < inNames.size(); i++) {
            b.reserve(inNames.get(i), "input");
            names.put(graph.inputs().get(i), inNames.get(i));
        }
        for (int i = 0; i < outNames.size(); i++) {
            b.reserve(outNames.get(i), "output");
            Value v = outputs.get(i);
            if (v.kind() == Value.Kind.NODE) names.putIfAbsent(v, outNames.get(i));
        }
        Set<Node> live = live(outputs);
        for (Node n : graph.nodes()) if (live.contains(n)) write(n, graph, names, b);
        b.label(null);
        // An output that an op aliased (a dropout's) takes over the name of its value; one that is an
        // input, a parameter or listed twice is copied to its name.
        List<String> at = new ArrayList<>();
        for (Value v : outputs) at.add(b.resolve(name(v, names, b, graph)));
        for (int i = 0; i < outNames.size(); i++) {
            String from = at.get(i), to = outNames.get(i);
            if (from.equals(to)) continue;
            boolean shared = Collections.frequency(at, from) > 1 || outNames.contains(from);
            if (shared || !b.renameNodeOutput(from, to)) b.node("Identity", List.of(from), List.of(to));
        }
        List<TensorProto> initializers = new ArrayList<>();
        GraphProto.Builder g = GraphProto.newBuilder().setName(graph.name())
                .addAllNode(b.nodesFor(outNames, initializers)).addAllInitializer(initializers);
        // Inputs only a training part uses (the labels) are left out with it.
        Set<Value> used = new HashSet<>(outputs);
        for (Node n : live) used.addAll(n.inputs());
        for (int i = 0; i < inNames.size(); i++) {
            Value in = graph.inputs().get(i);
            if (used.contains(in)) g.addInput(valueInfo(inNames.get(i), in.type()));
        }
        for (int i = 0; i < outNames.size(); i++) g.addOutput(valueInfo(outNames.get(i), outputs.get(i).type()));
        return ModelProto.newBuilder().setIrVersion(options.irVersion()).setProducerName(PRODUCER).setProducerVersion(PRODUCER_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setGraph(g).build();
    }

    public static byte[] toBytes(Graph graph, ExportOptions options) {
        return toModel(graph, options).toByteArray();
    }

    /**
     * Writes the model to {@code path} through a temporary file in the same folder, so a failure
     * leaves no half file; with {@link ExportOptions#externalData} the weights go to
     * {@code path}.data beside it.
     */
    public static void save(Graph graph, Path path, ExportOptions options) {
        save(toModel(graph, options), path, options);
    }

    static void save(ModelProto model, Path path, ExportOptions options) {
        if (options.externalData()) ExternalData.save(model, path);
        else AtomicFile.write(path, model.toByteArray(), "ONNX model");
    }

    /** Hands one IR node to its op's ONNX mapping, with the ONNX names of its inputs and outputs. */
    private static void write(Node n, Graph graph, Map<Value, String> names, ModelBuilder b) {
        List<String> ins = new ArrayList<>(), outs = new ArrayList<>();
        List<TensorType> inTypes = new ArrayList<>(), outTypes = new ArrayList<>();
        for (Value v : n.inputs()) {
            ins.add(b.resolve(name(v, names, b, graph)));
            inTypes.add(v.type());
        }
        for (Value v : n.outputs()) {
            outs.add(names.computeIfAbsent(v, k -> b.claim(k.hasName() ? k.name() : n.op().name() + "_" + k.id())));
            outTypes.add(v.type());
        }
        b.label(n.label());
        n.op().toOnnx(new ExportNode(n.op().name(), n.label(), n.attrs(), ins, inTypes, outs, outTypes), b);
    }

    private static void checkOwned(Graph graph, List<Value> outputs) {
        Set<Node> nodes = new HashSet<>(graph.nodes());
        for (Value v : outputs) {
            boolean ours = v.kind() == Value.Kind.NODE ? nodes.contains(v.producer())
                    : v.kind() == Value.Kind.INPUT ? graph.inputs().contains(v)
                    : v.kind() == Value.Kind.PARAMETER ? graph.parameters().contains(v) : graph.constants().contains(v);
            if (!ours) throw new OnnxException("output " + v + " is not a value of graph " + graph.name());
        }
    }

    /** The ONNX name of a value; parameters and constants become initializers the first time they are used. */
    private static String name(Value v, Map<Value, String> names, ModelBuilder b, Graph graph) {
        String known = names.get(v);
        if (known != null) return known;
        String name;
        if (v.kind() == Value.Kind.PARAMETER) {
            name = b.claim(v.name());
            b.initializer(name, graph.parameterValue(v));
        } else if (v.kind() == Value.Kind.CONSTANT) {
            name = b.constant(graph.constantValue(v));
        } else {
            throw new OnnxException("graph " + graph.name() + ": value " + v + " is used before it is computed");
        }
        names.put(v, name);
        return name;
    }

    /** The nodes the outputs depend on. */
    private static Set<Node> live(List<Value> outputs) {
        Set<Node> live = new HashSet<>();
        Deque<Value> todo = new ArrayDeque<>(outputs);
        while (!todo.isEmpty()) {
            Node n = todo.pop().producer();
            if (n != null && live.add(n)) todo.addAll(n.inputs());
        }
        return live;
    }

    private static List<String> names(List<Value> values, List<String> given, String what, Graph graph) {
        if (given != null) {
            if (given.size() != values.size()) {
                throw new OnnxException("graph " + graph.name() + " has " + values.size() + " " + what + "s, but " + given.size() + " names were given: " + given);
            }
            return given;
        }
        List<String> out = new ArrayList<>();
        for (Value v : values) out.add(v.name());
        return out;
    }

    private static List<String> outputNames(Graph graph, List<Value> outputs, List<String> given, List<String> fromOptions) {
        if (outputs.isEmpty()) throw new OnnxException("graph " + graph.name() + " has no outputs to export");
        if (fromOptions != null) return names(outputs, fromOptions, "output", graph);
        List<String> out = new ArrayList<>();
        int n = outputs.size();
        for (int i = 0; i < n; i++) out.add(given.get(i) != null ? given.get(i) : n == 1 ? "output" : "output_" + i);
        return out;
    }

    /** The graph's input types with the first dimension fixed to {@code batch}. */
    private static List<TensorType> fixedBatch(Graph graph, int batch) {
        List<TensorType> types = new ArrayList<>();
        for (Value in : graph.inputs()) {
            Shape s = in.type().shape();
            if (s.rank() == 0 || (s.dim(0) != Shape.DYNAMIC && s.dim(0) != batch)) {
                throw new OnnxException("graph " + graph.name() + ": cannot fix the batch of input " + in.name() + " (" + in.type()
                        + ") to " + batch);
            }
            types.add(in.type().withShape(s.with(0, batch)));
        }
        return types;
    }

    static ValueInfoProto valueInfo(String name, TensorType type) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        Shape s = type.shape();
        for (int i = 0; i < s.rank(); i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (s.dim(i) == Shape.DYNAMIC) d.setDimParam(i == 0 ? "batch" : name + "_dim" + i);
            else d.setDimValue(s.dim(i));
            shape.addDim(d);
        }
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(OnnxTypes.code(type.dtype())).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }
}
