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
    /** Initializers that are a model's state, not its weights: frozen, so training moves them only by their own rule. */
    private final java.util.Set<String> state = new java.util.HashSet<>();
    /** The enclosing scope of a subgraph (an If branch, a Loop body), or null for the model's graph. */
    private final GraphReader parent;
    private final int depth;
    /** Subgraph copies read so far, counted at the model's graph (unrolled loops). */
    private int copies;

    private GraphReader(String name, int opset, ImportOptions options, Path baseDir) {
        this.graph = new Graph(name);
        this.modelOpset = opset;
        // Nodes of opsets before 7 are read in their opset-7 form (OldOpsets).
        this.opset = Math.max(opset, OldOpsets.TARGET);
        this.options = options;
        this.baseDir = baseDir;
        this.parent = null;
        this.depth = 0;
    }

    /** A scope of its own for a subgraph, read into the same IR graph; names it does not define resolve in {@code parent}. */
    private GraphReader(GraphReader parent) {
        this.graph = parent.graph;
        this.modelOpset = parent.modelOpset;
        this.opset = parent.opset;
        this.options = parent.options;
        this.baseDir = parent.baseDir;
        this.parent = parent;
        this.depth = parent.depth + 1;
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
        for (int k = 1; used(name); k++) name = prefix + "_" + k;
        root().taken.add(name);
        return name;
    }

    private boolean used(String name) {
        return values.containsKey(name) || constants.containsKey(name) || initializers.containsKey(name) || unavailable.containsKey(name)
                || taken.contains(name) || parent != null && parent.used(name);
    }

    private GraphReader root() {
        return parent == null ? this : parent.root();
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
        for (NodeProto n : g.getNodeList()) state.addAll(stateInputs(n));
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
        readNodes(g);
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

    private void readNodes(GraphProto g) {
        for (NodeProto n : g.getNodeList()) {
            if (modelOpset < OldOpsets.TARGET && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                for (NodeProto u : OldOpsets.upgrade(n, modelOpset, this)) readNode(u);
            } else {
                readNode(n);
            }
        }
    }

    /**
     * Reads {@code body} (an If branch, a Loop body: {@code what}) into this graph in a scope of its
     * own, its inputs bound to {@code inputs}; returns its outputs. Each call is a fresh copy, so a
     * loop body read once per iteration is the loop unrolled.
     */
    List<Value> inline(GraphProto body, List<Value> inputs, String what) {
        if (depth >= ControlFlow.MAX_DEPTH) throw new OnnxException(what + ": subgraphs nest more than " + ControlFlow.MAX_DEPTH + " deep");
        if (++root().copies > ControlFlow.MAX_COPIES) {
            throw new OnnxException(what + ": the model's If and Loop subgraphs expand to more than " + ControlFlow.MAX_COPIES + " copies");
        }
        if (body.getInputCount() != inputs.size()) {
            throw new OnnxException(what + " takes " + body.getInputCount() + " inputs; the node gives it " + inputs.size());
        }
        GraphReader scope = new GraphReader(this);
        for (TensorProto t : body.getInitializerList()) {
            if (t.getName().isEmpty()) throw new OnnxException(what + ": an initializer has no name");
            if (scope.initializers.put(t.getName(), t) != null) throw new OnnxException(what + ": initializer '" + t.getName() + "' is defined twice");
        }
        for (NodeProto n : body.getNodeList()) scope.state.addAll(stateInputs(n));
        for (int i = 0; i < inputs.size(); i++) {
            ValueInfoProto declared = body.getInput(i);
            Value v = inputs.get(i);
            // A subgraph's inputs may leave their type to what the node gives them (function expansions do).
            if (declared.getType().getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
                scope.bind(declared.getName(), v);
                continue;
            }
            String kind = nonTensorKind(declared.getType());
            if (kind != null) throw new OnnxException(what + ": input '" + declared.getName() + "' is " + kind + "; Janus imports tensors only");
            int code = declared.getType().getTensorType().getElemType();
            if (code != 0 && OnnxTypes.dtype(code, what + " input '" + declared.getName() + "'") != v.type().dtype()) {
                throw new OnnxException(what + ": input '" + declared.getName() + "' declares " + typeName(code) + ", but is given " + v.type());
            }
            scope.bind(declared.getName(), v);
        }
        scope.readNodes(body);
        if (body.getOutputCount() == 0) throw new OnnxException(what + " has no outputs");
        List<Value> outs = new java.util.ArrayList<>();
        for (ValueInfoProto out : body.getOutputList()) outs.add(scope.value(out.getName(), null));
        return outs;
    }

    /** Gives {@code v} a name in this scope; a constant stays known by that name (an If's condition, a Loop's trip count). */
    void bind(String name, Value v) {
        define(name, v);
        if (v.kind() == Value.Kind.CONSTANT) constants.put(name, graph.constantValue(v));
    }

    /** The elements of {@code v} when they are known at import (a constant, a shape value), else null. */
    Tensor known(Value v) {
        return v.kind() == Value.Kind.CONSTANT ? graph.constantValue(v) : v.type().value();
    }

    /**
     * The inputs of a node that hold state rather than weights: batch norm's running mean and
     * variance (inputs 3 and 4), which a gradient step must never move.
     */
    private static List<String> stateInputs(NodeProto n) {
        boolean ours = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
        if (!ours || !n.getOpType().equals("BatchNormalization") || n.getInputCount() < 5) return List.of();
        return List.of(n.getInput(3), n.getInput(4));
    }

    private void readNode(NodeProto proto) {
        String domain = proto.getDomain().equals("ai.onnx") ? "" : proto.getDomain();
        if (!domain.isEmpty()) throw unsupported(domain + "." + proto.getOpType(), proto);
        if (proto.getOpType().equals("Constant")) {
            readConstant(new NodeReader(proto, this), proto);
            return;
        }
        boolean control = ControlFlow.OPS.contains(proto.getOpType());
        OnnxImportRule rule = control ? n -> ControlFlow.read((NodeReader) n, this) : OnnxImports.rule(proto.getOpType());
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
            // Control flow's outputs keep a constant known by name (an If's branch may be a Constant).
            if (i < outs.size() && outs.get(i) != null && control) bind(names.get(i), outs.get(i));
            else if (i < outs.size() && outs.get(i) != null) define(names.get(i), outs.get(i));
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
        Tensor t = ownConstant(name);
        if (t != null) {
            // Weights are float initializers; a 0-d one is a constant of the computation (gelu's 0.5, say).
            boolean parameter = initializers.containsKey(name) && t.dtype().isFloating() && t.rank() > 0;
            v = parameter ? graph.parameter(name, t, options.trainable() && !state.contains(name)) : graph.constant(t);
            values.put(name, v);
            return v;
        }
        if (parent != null && !unavailable.containsKey(name)) return parent.value(name, user);
        String where = user == null ? "graph output '" + name + "'" : "ONNX node '" + user.name() + "' (" + user.opType() + ")";
        if (unavailable.containsKey(name)) throw new OnnxException(where + " uses " + unavailable.get(name));
        throw new OnnxException(where + " uses the value '" + name + "', which is not defined before it (nodes must be in topological order)");
    }

    /** True when a node output of that name is defined (computed, not a constant). */
    boolean isDefined(String name) {
        if (values.containsKey(name)) return values.get(name).kind() == Value.Kind.NODE;
        return parent != null && !ownsConstant(name) && parent.isDefined(name);
    }

    /** The tensor of a constant value (initializer, Constant node output or fixed input), or null when it is computed. */
    Tensor constant(String name) {
        Tensor t = ownConstant(name);
        if (t != null || parent == null || values.containsKey(name) || unavailable.containsKey(name)) return t;
        return parent.constant(name);
    }

    private boolean ownsConstant(String name) {
        return constants.containsKey(name) || initializers.containsKey(name);
    }

    private Tensor ownConstant(String name) {
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
        boolean fits = want == 0 || want == code;
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
