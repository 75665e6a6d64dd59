package dev.janus.core.ir;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.Collections;
import java.util.List;

/** One op application: an op of the op set, its attributes, its input values and its outputs. */
public final class Node {
    private final Op op;
    private final Attrs attrs;
    private final List<Value> inputs;
    private List<Value> outputs = Collections.emptyList();
    private final String label;

    Node(Op op, Attrs attrs, List<Value> inputs, String label) {
        this.op = op;
        this.attrs = attrs;
        this.inputs = List.copyOf(inputs);
        this.label = label;
    }

    void setOutputs(List<Value> outputs) {
        this.outputs = List.copyOf(outputs);
    }

    public Op op() {
        return op;
    }

    public Attrs attrs() {
        return attrs;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public List<Value> outputs() {
        return outputs;
    }

    public Value output() {
        return outputs.get(0);
    }

    /** Where the node came from (a layer or module name), for error messages and printing; may be null. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < outputs.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(outputs.get(i).name()).append(": ").append(outputs.get(i).type());
        }
        sb.append(" = ").append(op.name()).append('(');
        for (int i = 0; i < inputs.size(); i++) sb.append(i > 0 ? ", " : "").append(inputs.get(i).name());
        sb.append(')');
        if (!attrs.keys().isEmpty()) sb.append(" {").append(attrs).append('}');
        if (label != null) sb.append("  # ").append(label);
        return sb.toString();
    }
}
