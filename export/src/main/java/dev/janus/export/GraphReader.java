package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxImports;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.TensorShapeProto;
import dev.janus.export.proto.Onnx.TypeProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a core IR graph from an ONNX graph, node by node through the op set's import rules
 * ({@link OnnxImports}). Float initializers of rank 1 or more become parameters; other
 * initializers, Constant nodes and fixed inputs are constants, materialised only where a node
 * takes them as a value.
 */
final class GraphReader {
    private final Graph graph;
    private final int opset, modelOpset;
    private final ImportOptions options;
    private final Path baseDir;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, String> unavailable = new HashMap<>();
    private final java.util.Set<String> taken = new java.util.HashSet<>();

    private GraphReader(String name, int opset, ImportOptions options, Path baseDir) {
        this.graph = new Graph(name);
        this.modelOpset = opset;
        // Nodes of opsets before 7 are read in their opset-7 form (OldOpsets).
        this.opset = Math.max(opset, OldOpsets.TARGET);
        this.options = options;
        this.baseDir = baseDir;
    }

    /** {@code baseDir}: the model's folder, where external data is found (null for a model read from bytes). */
    static Graph read(GraphProto g, int opset, ImportOptions options, Path baseDir) {
        GraphReader r = new GraphReader(g.getName().isEmpty() ? "onnx" : g.getName(), opset, options, baseDir);
        r.readGraph(g);
        return r.graph;
    }

    Path baseDir() {
        return baseDir;
    }

    /** The rank of a value defined so far (an input, initializer or node output). */
    int rank(String name) {
        return value(name, null).type().rank();
    }

    /** A value name no one has taken, starting with {@code prefix}. */
    String freshName(String prefix) {
        String name = prefix;
        for (int k = 1; values.containsKey(name) || constants.containsKey(name) || initializers.containsKey(name) || unavailable.containsKey(name)
                || taken.contains(name); k++) {
            name = prefix + "_" + k;
        }
        taken.add(name);
        return name;
    }

    Graph graph() {
        return graph;
    }

    int opset() {
        return opset;
    }

    private void readGraph(GraphProto g) {
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) throw new OnnxException("an initializer has no name");
            if (initializers.put(t.getName(), t) != null) throw new OnnxException("initializer '" + t.getName() + "' is defined twice");
        }
        for (Map.Entry<String, Tensor> e : options.constants().entrySet()) constants.put(e.getKey(), e.getValue());
        for (ValueInfoProto in : g.getInputList()) {
            // Old models list their initializers among the inputs too; only the others are fed.
            Tensor fixed = constant(in.getName());
            if (fixed != null) {
                TensorProto init = initializers.get(in.getName());
                String what = init != null ? "initializer '" + in.getName() + "'" : "ImportOptions.constants '" + in.getName() + "'";
                requireDeclared(in, what, init != null ? init.getDataType() : OnnxTypes.code(fixed.dtype()), fixed.shape());
                continue;
            }
            define(in.getName(), graph.input(in.getName(), type(in, "input")));
        }
        for (String fixed : options.constants().keySet()) {
            if (g.getInputList().stream().noneMatch(v -> v.getName().equals(fixed))) {
                throw new OnnxException("ImportOptions.constants names '" + fixed + "', which is not an input of the model");
            }
        }
        for (NodeProto n : g.getNodeList()) {
            if (modelOpset < OldOpsets.TARGET && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                for (NodeProto u : OldOpsets.upgrade(n, modelOpset, this)) readNode(u);
            } else {
                readNode(n);
            }
        }
        if (g.getOutputCount() == 0) throw new OnnxException("the graph has no outputs");
        for (ValueInfoProto out : g.getOutputList()) {
            Value v = value(out.getName(), null);
            // An output that is an input or an initializer already has that name as its own.
            try {
                graph.addOutput(v.hasName() && v.name().equals(out.getName()) ? null : out.getName(), v);
            } catch (JanusException e) {
                throw new OnnxException("graph output '" + out.getName() + "' is listed twice");
            }
        }
    }

    private void readNode(NodeProto proto) {
        String domain = proto.getDomain().equals("ai.onnx") ? "" : proto.getDomain();
        if (!domain.isEmpty()) throw unsupported(domain + "." + proto.getOpType(), proto);
        if (proto.getOpType().equals("Constant")) {
            readConstant(new NodeReader(proto, this), proto);
            return;
        }
        OnnxImportRule rule = OnnxImports.rule(proto.getOpType());
        if (rule == null) throw unsupported(proto.getOpType(), proto);
        NodeReader node = new NodeReader(proto, this);
        List<Value> outs;
        try {
            outs = rule.build(node);
        } catch (OnnxException e) {
            throw e;
        } catch (JanusException e) {
            String msg = e.getMessage(), prefix = node.name() + ": ";
            throw node.error(msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg);
        }
        if (!node.unread().isEmpty()) throw node.error("attribute(s) " + node.unread() + " are not supported");
        List<String> names = node.outputNames();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) continue;
            if (i < outs.size() && outs.get(i) != null) define(names.get(i), outs.get(i));
            else unavailable.put(names.get(i), "output " + i + " of ONNX node '" + node.name() + "' (" + node.opType() + ") is not supported");
        }
    }

    private void readConstant(NodeReader node, NodeProto proto) {
        Tensor t = null;
        int set = 0;
        for (AttributeProto a : proto.getAttributeList()) {
            switch (a.getName()) {
                case "value": t = node.getTensor("value"); break;
                case "value_float": t = Tensor.scalar(node.getFloat("value_float", 0)); break;
                case "value_int": t = Tensor.scalar(node.getInt("value_int", 0), dev.janus.core.DType.INT64); break;
                case "value_floats": t = Tensor.of(toFloats(node.getFloats("value_floats"))); break;
                case "value_ints": t = Tensor.of(node.getInts("value_ints")); break;
                default: throw node.error("attribute '" + a.getName() + "' is not supported");
            }
            set++;
        }
        if (set != 1 || proto.getOutputCount() != 1) throw node.error("a Constant node needs exactly one value attribute and one output");
        if (proto.getOutput(0).isEmpty()) throw node.error("the output has no name");
        fresh(proto.getOutput(0));
        constants.put(proto.getOutput(0), t);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private UnsupportedOpException unsupported(String opType, NodeProto proto) {
        String node = proto.getName().isEmpty() ? "" : " (node '" + proto.getName() + "')";
        String reason = proto.getDomain().isEmpty() || proto.getDomain().equals("ai.onnx") ? OnnxSupport.opReason(proto.getOpType())
                : OnnxSupport.domainReason(proto.getDomain());
        if (reason != null) return new UnsupportedOpException(opType, reason, "ONNX op " + opType + node + " is not supported: " + reason);
        return new UnsupportedOpException(opType, "not in Janus's op set", "ONNX op " + opType + node + " is not supported; Janus imports "
                + String.join(", ", OnnxImports.opTypes()));
    }

    private void fresh(String name) {
        if (values.containsKey(name) || constants.containsKey(name) || initializers.containsKey(name) || unavailable.containsKey(name)) {
            throw new OnnxException("the value '" + name + "' is defined twice");
        }
    }

    private void define(String name, Value v) {
        fresh(name);
        values.put(name, v);
    }

    /** The value of that name, materialising an initializer or constant on first use; {@code user} names who asks. */
    Value value(String name, NodeReader user) {
        Value v = values.get(name);
        if (v != null) return v;
        Tensor t = constant(name);
        if (t != null) {
            // Weights are float initializers; a 0-d one is a constant of the computation (gelu's 0.5, say).
            boolean parameter = initializers.containsKey(name) && t.dtype().isFloating() && t.rank() > 0;
            v = parameter ? graph.parameter(name, t, options.trainable()) : graph.constant(t);
            values.put(name, v);
            return v;
        }
        String where = user == null ? "graph output '" + name + "'" : "ONNX node '" + user.name() + "' (" + user.opType() + ")";
        if (unavailable.containsKey(name)) throw new OnnxException(where + " uses " + unavailable.get(name));
        throw new OnnxException(where + " uses the value '" + name + "', which is not defined before it (nodes must be in topological order)");
    }

    /** The tensor of a constant value (initializer, Constant node output or fixed input), or null when it is computed. */
    Tensor constant(String name) {
        Tensor t = constants.get(name);
        if (t == null && initializers.containsKey(name)) {
            t = OnnxTensors.read(initializers.get(name), "initializer '" + name + "'", baseDir);
            constants.put(name, t);
        }
        return t;
    }

    /** What a type that is not a tensor is ("a sequence of float32 tensors", ...), or null for a tensor. */
    static String nonTensorKind(TypeProto t) {
        switch (t.getValueCase()) {
            case TENSOR_TYPE: return null;
            case SEQUENCE_TYPE: return "a sequence" + of(t.getSequenceType().getElemType()) + " (sequence_type)";
            case OPTIONAL_TYPE: return "an optional" + of(t.getOptionalType().getElemType()) + " (optional_type)";
            case MAP_TYPE: return "a map (map_type)";
            case SPARSE_TENSOR_TYPE: return "a sparse tensor (sparse_tensor_type)";
            default: return "of no type Janus knows (no tensor_type)";
        }
    }

    private static String of(TypeProto elem) {
        switch (elem.getValueCase()) {
            case TENSOR_TYPE: return " of " + OnnxTypes.name(elem.getTensorType().getElemType()).toLowerCase(java.util.Locale.ROOT) + " tensors";
            case SEQUENCE_TYPE: return " of sequences";
            case OPTIONAL_TYPE: return " of optionals";
            case MAP_TYPE: return " of maps";
            default: return "";
        }
    }

    /** A graph input that a tensor also defines must declare that tensor's element type and shape, where it declares them. */
    private static void requireDeclared(ValueInfoProto in, String what, int code, Shape shape) {
        if (!in.getType().hasTensorType()) return;
        TypeProto.Tensor declared = in.getType().getTensorType();
        int want = declared.getElemType();
        boolean fits = want == 0 || integer(want) == integer(code);
        if (declared.hasShape()) {
            List<TensorShapeProto.Dimension> dims = declared.getShape().getDimList();
            fits &= dims.size() == shape.rank();
            for (int i = 0; fits && i < dims.size(); i++) fits = !dims.get(i).hasDimValue() || dims.get(i).getDimValue() == shape.dim(i);
        }
        if (!fits) {
            String dims = "";
            if (declared.hasShape()) {
                StringBuilder sb = new StringBuilder("[");
                for (TensorShapeProto.Dimension d : declared.getShape().getDimList()) {
                    sb.append(sb.length() > 1 ? ", " : "").append(d.hasDimValue() ? Long.toString(d.getDimValue()) : "?");
                }
                dims = sb.append(']').toString();
            }
            throw new OnnxException(what + " is " + typeName(code) + shape + ", but the graph input of that name declares " + typeName(want) + dims);
        }
    }

    /** INT32 data is read as int64, so the two integer types describe the same Janus tensor. */
    private static int integer(int code) {
        return code == OnnxTypes.INT32 ? OnnxTypes.INT64 : code;
    }

    private static String typeName(int code) {
        try {
            return OnnxTypes.dtype(code, "").toString();
        } catch (OnnxException e) {
            return OnnxTypes.name(code);
        }
    }

    private static TensorType type(ValueInfoProto v, String what) {
        String where = what + " '" + v.getName() + "'";
        String kind = nonTensorKind(v.getType());
        if (kind != null) throw new OnnxException(where + " is " + kind + "; Janus imports tensors only");
        if (!v.getType().getTensorType().hasShape()) throw new OnnxException(where + " has no shape; Janus needs at least its rank");
        TensorShapeProto s = v.getType().getTensorType().getShape();
        int[] dims = new int[s.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = s.getDim(i);
            if (!d.hasDimValue()) {
                dims[i] = Shape.DYNAMIC;
            } else if (d.getDimValue() < 0 || d.getDimValue() > Integer.MAX_VALUE) {
                throw new OnnxException(where + ": dimension " + i + " is " + d.getDimValue());
            } else {
                dims[i] = (int) d.getDimValue();
            }
        }
        return new TensorType(OnnxTypes.dtype(v.getType().getTensorType().getElemType(), where), Shape.of(dims));
    }
}
