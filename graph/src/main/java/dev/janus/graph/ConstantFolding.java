package dev.janus.graph;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes at compile time every node whose inputs are all constants, with the op's own kernel, and
 * replaces its outputs by constants. Random ops are never folded (they draw from the generator at
 * run time), and nor is a node whose result would be larger than {@link #MAX_ELEMENTS} (folding a
 * broadcast would trade a cheap op for a large constant).
 */
public final class ConstantFolding implements Pass {
    public static final int MAX_ELEMENTS = 1 << 16;
    // Only non-random ops run here; none of them reads the generator.
    private static final ExecContext CTX = new ExecContext(new Generator(0));

    @Override
    public String name() {
        return "constant-folding";
    }

    @Override
    public Graph run(Graph graph) {
        Rewriter r = new Rewriter(graph);
        // Values known at compile time; folded ones become constants of the new graph only if used.
        Map<Value, Tensor> known = new HashMap<>();
        for (Value c : graph.constants()) known.put(c, graph.constantValue(c));
        Set<Value> placed = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (foldable(n, known)) {
                Tensor[] args = new Tensor[n.inputs().size()];
                for (int i = 0; i < args.length; i++) args[i] = known.get(n.inputs().get(i));
                Tensor[] out = n.op().run(CTX, n.attrs(), args);
                for (int i = 0; i < out.length; i++) known.put(n.outputs().get(i), out[i]);
            } else {
                place(n.inputs(), known, placed, r);
                r.copy(n);
            }
        }
        place(graph.outputs(), known, placed, r);
        return r.finish();
    }

    private static void place(List<Value> values, Map<Value, Tensor> known, Set<Value> placed, Rewriter r) {
        for (Value v : values) {
            if (v.kind() == Value.Kind.NODE && known.containsKey(v) && placed.add(v)) r.map(v, r.target().constant(known.get(v)));
        }
    }

    private static boolean foldable(Node n, Map<Value, Tensor> known) {
        if (n.op().isRandom()) return false;
        for (Value v : n.inputs()) if (!known.containsKey(v)) return false;
        long size = 0;
        for (Value o : n.outputs()) {
            if (!o.type().shape().isStatic()) return false;
            size += o.type().shape().size();
        }
        return size <= MAX_ELEMENTS;
    }
}
