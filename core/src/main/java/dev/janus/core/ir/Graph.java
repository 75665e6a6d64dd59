package dev.janus.core.ir;

import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IR: graph inputs, parameters (with their current values), constants, nodes in topological
 * order, and the outputs. Plain data that the tracer, the compiler and the ONNX reader and writer
 * all share. {@link #apply} runs the op's shape rule, so a graph is well typed as it is built.
 */
public final class Graph {
    private final String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<String> outputNames = new ArrayList<>();
    private final Map<Value, Tensor> parameters = new LinkedHashMap<>();
    private final Set<Value> frozen = new HashSet<>();
    private final Map<Value, Tensor> constants = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private int nextId;

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** A graph input (placeholder); its shape may have unknown dimensions, such as the batch. */
    public Value input(String valueName, TensorType type) {
        Value v = new Value(this, nextId++, claim(valueName), type, Value.Kind.INPUT, null, 0);
        inputs.add(v);
        return v;
    }

    /** A trainable parameter holding {@code value} (the tensor is kept, not copied). */
    public Value parameter(String valueName, Tensor value) {
        return parameter(valueName, value, true);
    }

    public Value parameter(String valueName, Tensor value, boolean trainable) {
        Value v = new Value(this, nextId++, claim(valueName), value.type(), Value.Kind.PARAMETER, null, 0);
        parameters.put(v, value);
        if (!trainable) frozen.add(v);
        return v;
    }

    public Value constant(Tensor value) {
        Value v = new Value(this, nextId++, null, TensorType.ofValue(value), Value.Kind.CONSTANT, null, 0);
        constants.put(v, value);
        return v;
    }

    /** Applies an op: checks the inputs with its shape rule and appends the node. */
    public List<Value> apply(Op op, Attrs attrs, List<Value> in, String label) {
        TensorType[] types = new TensorType[in.size()];
        for (int i = 0; i < types.length; i++) {
            Value v = in.get(i);
            if (v == null || v.owner != this) {
                throw new JanusException(op.name() + ": input " + i + " is " + (v == null ? "null" : "a value of another graph"));
            }
            types[i] = v.type();
        }
        TensorType[] outTypes;
        try {
            outTypes = op.infer(types, attrs);
        } catch (ShapeException e) {
            throw label == null ? e : new ShapeException(label + ": " + e.getMessage());
        }
        Node node = new Node(op, attrs, in, label);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outTypes.length; i++) {
            outs.add(new Value(this, nextId++, null, outTypes[i], Value.Kind.NODE, node, i));
        }
        node.setOutputs(outs);
        nodes.add(node);
        return outs;
    }

    public List<Value> apply(Op op, Attrs attrs, Value... in) {
        return apply(op, attrs, Arrays.asList(in), null);
    }

    public Value apply1(Op op, Attrs attrs, Value... in) {
        return apply(op, attrs, in).get(0);
    }

    public void addOutput(Value v) {
        addOutput(null, v);
    }

    /**
     * Marks {@code v} as an output called {@code outputName} (null: the value's own name), the name
     * that exporters and runners give it. Names are unique among the graph's names.
     */
    public void addOutput(String outputName, Value v) {
        if (v.owner != this) throw new JanusException("output " + v + " belongs to another graph");
        outputNames.add(claim(outputName));
        outputs.add(v);
    }

    /** The name of output {@code i}: the one given to {@link #addOutput(String, Value)}, else the value's name. */
    public String outputName(int i) {
        String given = outputNames.get(i);
        return given != null ? given : outputs.get(i).name();
    }

    private String claim(String valueName) {
        if (valueName == null) return null;
        if (!names.add(valueName)) throw new JanusException("graph " + name + ": the name '" + valueName + "' is used twice");
        return valueName;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    /** Parameters in creation order. */
    public List<Value> parameters() {
        return List.copyOf(parameters.keySet());
    }

    public boolean isTrainable(Value parameter) {
        return parameters.containsKey(parameter) && !frozen.contains(parameter);
    }

    /** The tensor a parameter holds. */
    public Tensor parameterValue(Value parameter) {
        Tensor t = parameters.get(parameter);
        if (t == null) throw new JanusException(parameter + " is not a parameter of graph " + name);
        return t;
    }

    public void setParameterValue(Value parameter, Tensor value) {
        if (!parameters.containsKey(parameter)) throw new JanusException(parameter + " is not a parameter of graph " + name);
        if (!value.type().equals(parameter.type())) {
            throw new ShapeException("parameter " + parameter + " is " + parameter.type() + ", cannot hold " + value.type());
        }
        parameters.put(parameter, value);
    }

    public List<Value> constants() {
        return List.copyOf(constants.keySet());
    }

    public Tensor constantValue(Value constant) {
        Tensor t = constants.get(constant);
        if (t == null) throw new JanusException(constant + " is not a constant of graph " + name);
        return t;
    }

    /**
     * graph iris {
     *   input x: float32[?, 4]
     *   param fc1.weight: float32[64, 4]
     *   %5: float32[?, 64] = linear(x, fc1.weight, fc1.bias)
     *   output %5
     * }
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("graph ").append(name).append(" {\n");
        for (Value v : inputs) sb.append("  input ").append(v.name()).append(": ").append(v.type()).append('\n');
        for (Value v : parameters.keySet()) {
            sb.append("  param ").append(v.name()).append(": ").append(v.type()).append(frozen.contains(v) ? " (frozen)" : "").append('\n');
        }
        for (Map.Entry<Value, Tensor> c : constants.entrySet()) {
            sb.append("  const ").append(c.getKey().name()).append(": ").append(c.getKey().type());
            if (c.getValue().numel() <= 4) sb.append(" = ").append(c.getValue().toString().replace("\n", " "));
            sb.append('\n');
        }
        for (Node n : nodes) sb.append("  ").append(n).append('\n');
        sb.append("  output");
        for (int i = 0; i < outputs.size(); i++) {
            sb.append(i > 0 ? ", " : " ").append(outputs.get(i).name());
            if (outputNames.get(i) != null) sb.append(" as ").append(outputNames.get(i));
        }
        return sb.append("\n}").toString();
    }
}
