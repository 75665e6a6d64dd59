package dev.janus.graph;

import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation on the IR: walks the graph's nodes backwards and appends, through a
 * {@link GraphEmitter}, each op's own gradient rule from the core op set (the same rules the eager
 * engine runs), so the backward pass is ordinary IR that the passes optimise like the rest.
 * The graph's shapes must be static (specialise it first): gradient rules read shapes.
 */
public final class Autodiff {
    private Autodiff() {
    }

    /**
     * Appends the gradient of {@code loss} (the sum of its elements, when it is not a scalar) with
     * respect to each value of {@code wrt}; returns them in order, null where the loss does not
     * depend on a value.
     */
    public static List<Value> gradients(GraphEmitter e, Value loss, List<Value> wrt) {
        Graph graph = e.graph();
        TensorType lossType = loss.type();
        if (!lossType.dtype().isFloating()) throw new JanusException("autodiff: the loss must be floating point, got " + lossType);
        for (Value in : graph.inputs()) {
            if (!in.type().shape().isStatic()) {
                throw new ShapeException("autodiff: input " + in.name() + " has shape " + in.type().shape()
                        + "; specialise the graph to static shapes first (gradient rules read shapes)");
            }
        }
        List<Node> forward = new ArrayList<>(graph.nodes());

        // Values that depend on a wrt value: only they need gradients.
        Set<Value> depends = new HashSet<>(wrt);
        for (Node n : forward) {
            if (n.inputs().stream().anyMatch(depends::contains)) {
                for (Value o : n.outputs()) if (o.type().dtype().isFloating()) depends.add(o);
            }
        }

        Map<Value, Value> grads = new HashMap<>();
        grads.put(loss, e.constant(Tensor.full(1, lossType.dtype(), lossType.shape())));
        try {
            for (int k = forward.size() - 1; k >= 0; k--) {
                Node n = forward.get(k);
                List<Value> gOut = new ArrayList<>(n.outputs().size());
                boolean any = false;
                for (Value o : n.outputs()) {
                    Value g = grads.get(o);
                    gOut.add(g);
                    any |= g != null;
                }
                if (!any) continue;
                boolean[] wanted = new boolean[n.inputs().size()];
                boolean wantsAny = false;
                for (int i = 0; i < wanted.length; i++) {
                    wanted[i] = depends.contains(n.inputs().get(i));
                    wantsAny |= wanted[i];
                }
                if (!wantsAny) continue;
                e.label(n.label() == null ? "backward of " + n.op().name() : "backward of " + n.label());
                List<Value> gIn = n.op().gradient(e, n.attrs(), n.inputs(), n.outputs(), gOut, wanted);
                for (int i = 0; i < wanted.length; i++) {
                    Value g = gIn.get(i);
                    if (!wanted[i] || g == null) continue;
                    Value x = n.inputs().get(i);
                    if (!g.type().equals(x.type())) {
                        throw new ShapeException("autodiff: the gradient rule of " + n.op().name() + " gave " + g.type()
                                + " for input " + i + " of type " + x.type());
                    }
                    Value old = grads.get(x);
                    grads.put(x, old == null ? g : e.add(old, g));
                }
            }
        } finally {
            e.label(null);
        }
        List<Value> out = new ArrayList<>(wrt.size());
        for (Value w : wrt) out.add(grads.get(w));
        return out;
    }
}
