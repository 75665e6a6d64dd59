package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Emitter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies a graph (an imported model, say) through an {@link Emitter}, node by node: with the
 * eager engine's emitter it runs now, with a graph emitter it is inlined into a bigger graph that
 * the compiler differentiates and trains. The front ends wrap an imported model with this.
 */
public final class GraphCall {
    private GraphCall() {
    }

    /**
     * Emits {@code graph} on {@code inputs} (one per graph input, in order); {@code parameter} gives
     * the emitter's handle for each graph parameter (a trainable variable of the caller). Returns the
     * graph's outputs.
     */
    public static <V> List<V> call(Graph graph, Emitter<V> e, List<V> inputs, Function<Value, V> parameter) {
        if (inputs.size() != graph.inputs().size()) {
            throw new JanusException("graph " + graph.name() + " takes " + graph.inputs().size() + " inputs, got " + inputs.size());
        }
        Map<Value, V> env = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) env.put(graph.inputs().get(i), inputs.get(i));
        for (Value p : graph.parameters()) env.put(p, parameter.apply(p));
        for (Value c : graph.constants()) env.put(c, e.constant(graph.constantValue(c)));
        for (Node n : graph.nodes()) {
            List<V> in = new ArrayList<>();
            for (Value v : n.inputs()) in.add(env.get(v));
            List<V> out = e.apply(n.op(), n.attrs(), in);
            for (int i = 0; i < out.size(); i++) env.put(n.outputs().get(i), out.get(i));
        }
        List<V> result = new ArrayList<>();
        for (Value o : graph.outputs()) result.add(env.get(o));
        return result;
    }
}
