package dev.janus.core.ir;

import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph node by node with each op's kernel: the reference semantics of the IR, used to
 * check traced, imported and optimised graphs. (The compiler's executor is the fast path.)
 */
public final class Interpreter {
    private Interpreter() {
    }

    /** Runs {@code graph} on one tensor per graph input, in order; returns the outputs in order. */
    public static List<Tensor> run(Graph graph, List<Tensor> inputs, ExecContext ctx) {
        List<Value> declared = graph.inputs();
        if (inputs.size() != declared.size()) {
            throw new ShapeException("graph " + graph.name() + ": expected " + declared.size() + " inputs, got " + inputs.size());
        }
        Map<Value, Tensor> env = new HashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            Value v = declared.get(i);
            Tensor t = inputs.get(i);
            if (t.dtype() != v.type().dtype() || !v.type().shape().compatible(t.shape())) {
                throw new ShapeException("graph " + graph.name() + ": input " + v.name() + " expects " + v.type() + ", got " + t.type());
            }
            env.put(v, t);
        }
        for (Value p : graph.parameters()) env.put(p, graph.parameterValue(p));
        for (Value c : graph.constants()) env.put(c, graph.constantValue(c));
        for (Node n : graph.nodes()) {
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) in[i] = env.get(n.inputs().get(i));
            Tensor[] out = n.op().run(ctx, n.attrs(), in);
            for (int i = 0; i < out.length; i++) env.put(n.outputs().get(i), out[i]);
        }
        List<Tensor> result = new ArrayList<>();
        for (Value o : graph.outputs()) result.add(env.get(o));
        return result;
    }
}
