package dev.janus.graph;

import dev.janus.core.JanusException;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a graph into a new one node by node, so that a pass can keep, drop, replace or merge
 * nodes on the way (core graphs only grow). Inputs and parameters are copied in order (parameters
 * keep their tensors, not copies); constants are copied when first used, so unused ones disappear.
 * Every copied node runs its op's shape rule again in the new graph.
 */
public final class Rewriter {
    private final Graph source, target;
    private final Map<Value, Value> map = new HashMap<>();

    public Rewriter(Graph source) {
        this(source, null);
    }

    /** {@code inputTypes}: a new type for each input of the source (null keeps the source's types). */
    public Rewriter(Graph source, List<TensorType> inputTypes) {
        this.source = source;
        this.target = new Graph(source.name());
        List<Value> inputs = source.inputs();
        if (inputTypes != null && inputTypes.size() != inputs.size()) {
            throw new JanusException("graph " + source.name() + ": expected " + inputs.size() + " input types, got " + inputTypes.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            Value in = inputs.get(i);
            map.put(in, target.input(nameOf(in), inputTypes == null ? in.type() : inputTypes.get(i)));
        }
        for (Value p : source.parameters()) {
            map.put(p, target.parameter(nameOf(p), source.parameterValue(p), source.isTrainable(p)));
        }
    }

    private static String nameOf(Value v) {
        return v.hasName() ? v.name() : null;
    }

    public Graph source() {
        return source;
    }

    public Graph target() {
        return target;
    }

    /** The new value standing for {@code old}. */
    public Value get(Value old) {
        Value v = map.get(old);
        if (v != null) return v;
        if (old.kind() == Value.Kind.CONSTANT) {
            v = target.constant(source.constantValue(old));
            map.put(old, v);
            return v;
        }
        throw new JanusException("graph " + source.name() + ": " + old + " is used before it is computed");
    }

    public List<Value> get(List<Value> old) {
        List<Value> out = new ArrayList<>(old.size());
        for (Value v : old) out.add(get(v));
        return out;
    }

    /** Makes {@code replacement} (a value of the new graph) stand for {@code old} from now on. */
    public void map(Value old, Value replacement) {
        map.put(old, replacement);
    }

    /** Copies a node as it is, with its inputs mapped; returns the new outputs. */
    public List<Value> copy(Node n) {
        List<Value> outs = target.apply(n.op(), n.attrs(), get(n.inputs()), n.label());
        for (int i = 0; i < outs.size(); i++) map.put(n.outputs().get(i), outs.get(i));
        return outs;
    }

    /** Adds the source's outputs, mapped and under the names they were given, and returns the new graph. */
    /** A node-for-node copy of {@code g} (to show a listener the graph before a pass changes it). */
    static Graph copy(Graph g) {
        Rewriter r = new Rewriter(g);
        for (dev.janus.core.ir.Node n : g.nodes()) r.copy(n);
        return r.finish();
    }

    public Graph finish() {
        List<Value> outputs = source.outputs();
        for (int i = 0; i < outputs.size(); i++) {
            Value o = outputs.get(i);
            // outputName falls back to the value's own name, which the new graph already holds (an input's, say).
            String name = source.outputName(i);
            target.addOutput(name.equals(o.name()) ? null : name, get(o));
        }
        return target;
    }
}
