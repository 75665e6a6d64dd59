package dev.janus.export;

import com.google.protobuf.ByteString;
import dev.janus.core.Tensor;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.onnx.OnnxWriter;
import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link OnnxWriter} the exporter hands each op's mapping: it collects ONNX nodes and
 * initializers under unique names, and drops at the end whatever no graph output needs.
 */
final class ModelBuilder implements OnnxWriter {
    private final int opset;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Set<String> valueNames = new HashSet<>(), nodeNames = new HashSet<>();
    private final Map<String, Integer> valueSuffix = new HashMap<>(), nodeSuffix = new HashMap<>();
    private String label;

    ModelBuilder(int opset) {
        this.opset = opset;
    }

    @Override
    public int opset() {
        return opset;
    }

    /** Takes {@code preferred} as a value name, or the first free "preferred_1", "preferred_2", .... */
    String claim(String preferred) {
        return unique(valueNames, valueSuffix, preferred);
    }

    /** Takes exactly {@code name}; an error when it is already used. */
    void reserve(String name, String what) {
        if (name.isEmpty() || !valueNames.add(name)) throw new OnnxException(what + " name '" + name + "' is empty or used twice");
    }

    /**
     * The first of preferred, preferred_1, preferred_2, ... not taken. The next suffix to try is
     * remembered per name, so naming n nodes "Relu" costs O(n), not O(n^2).
     */
    private static String unique(Set<String> taken, Map<String, Integer> nextSuffix, String preferred) {
        String name = preferred;
        int k = nextSuffix.getOrDefault(preferred, 1);
        if (taken.contains(name)) {
            while (!taken.add(name = preferred + "_" + k)) k++;
            k++;
        } else {
            taken.add(name);
        }
        nextSuffix.put(preferred, k);
        return name;
    }

    /** Nodes added from now on are named after {@code nodeLabel} (a layer name), or their op type when null. */
    void label(String nodeLabel) {
        this.label = nodeLabel;
    }

    @Override
    public String fresh() {
        return claim("t");
    }

    @Override
    public void node(String opType, List<String> inputs, List<String> outputs, Object... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType)
                .setName(unique(nodeNames, nodeSuffix, label == null ? opType : label + "/" + opType));
        for (String in : inputs) n.addInput(in.isEmpty() ? in : resolve(in));
        n.addAllOutput(outputs);
        if (attrs.length % 2 != 0) throw new IllegalArgumentException(opType + ": attributes come in name/value pairs");
        for (int i = 0; i < attrs.length; i += 2) n.addAttribute(attribute((String) attrs[i], attrs[i + 1]));
        nodes.add(n.build());
    }

    @Override
    public String constant(Tensor value) {
        String name = claim("const");
        initializers.put(name, OnnxTensors.write(value, name));
        return name;
    }

    /** An initializer under a name already claimed (a parameter's). */
    void initializer(String name, Tensor value) {
        initializers.put(name, OnnxTensors.write(value, name));
    }

    @Override
    public void alias(String name, String source) {
        aliases.put(name, resolve(source));
    }

    /** The name a value is found under, following aliases. */
    String resolve(String name) {
        String s = aliases.get(name);
        return s == null ? name : s;
    }

    /**
     * Renames the node output {@code from} to {@code to} everywhere, so that a graph output whose
     * value an op aliased (a dropout's input) needs no Identity node. False when no node makes {@code from}.
     */
    boolean renameNodeOutput(String from, String to) {
        if (nodes.stream().noneMatch(n -> n.getOutputList().contains(from))) return false;
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            NodeProto.Builder r = n.toBuilder().clearInput().clearOutput();
            for (String in : n.getInputList()) r.addInput(in.equals(from) ? to : in);
            for (String out : n.getOutputList()) r.addOutput(out.equals(from) ? to : out);
            nodes.set(i, r.build());
        }
        return true;
    }

    /** The nodes and initializers that the outputs need, in order. */
    List<NodeProto> nodesFor(List<String> outputs, List<TensorProto> initializersOut) {
        Set<String> needed = new HashSet<>(outputs);
        List<NodeProto> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            NodeProto n = nodes.get(i);
            if (n.getOutputList().stream().noneMatch(needed::contains)) continue;
            kept.add(n);
            needed.addAll(n.getInputList());
        }
        Collections.reverse(kept);
        for (Map.Entry<String, TensorProto> e : initializers.entrySet()) if (needed.contains(e.getKey())) initializersOut.add(e.getValue());
        return kept;
    }

    private static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Integer || v instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
        } else if (v instanceof String) {
            a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom((String) v, StandardCharsets.UTF_8));
        } else if (v instanceof int[]) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (int x : (int[]) v) a.addInts(x);
        } else if (v instanceof long[]) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long x : (long[]) v) a.addInts(x);
        } else if (v instanceof double[]) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (double x : (double[]) v) a.addFloats((float) x);
        } else if (v instanceof float[]) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float x : (float[]) v) a.addFloats(x);
        } else if (v instanceof Tensor) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(OnnxTensors.write((Tensor) v, null));
        } else {
            throw new IllegalArgumentException("attribute " + name + ": no ONNX type for " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
        return a.build();
    }
}
