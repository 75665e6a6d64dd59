package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph being recorded while a forward runs under {@link Tracer}: each op applied becomes a
 * node. Values are found by the identity of their storage, so detached views of a parameter still
 * read the parameter; a tensor the trace has not seen becomes a constant (a copy of its values now).
 */
final class Trace {
    final Graph graph;
    private final Map<Tensor, Value> values = new IdentityHashMap<>();

    Trace(Graph graph) {
        this.graph = graph;
    }

    void bind(Tensor t, Value v) {
        values.put(t, v);
    }

    Value valueOf(Tensor t) {
        return values.computeIfAbsent(t, k -> graph.constant(k.copy()));
    }

    void record(Op op, Attrs attrs, Tensor[] in, Tensor[] out) {
        Value[] args = new Value[in.length];
        for (int i = 0; i < in.length; i++) args[i] = valueOf(in[i]);
        List<Value> results = graph.apply(op, attrs, Arrays.asList(args), null);
        for (int k = 0; k < out.length; k++) values.put(out[k], results.get(k));
    }
}
