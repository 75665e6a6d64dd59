package dev.janus.graph;

import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;

import java.util.List;

/**
 * A transpose of a transpose becomes one transpose, or nothing when the two undo each other. Keras's
 * channels-last layers on the channels-first op set leave such pairs between consecutive layers
 * (to channels last after a conv, back to channels first for the pool), and their gradients hold
 * the same pairs. The first transpose stays for its other readers; dead code removes it otherwise.
 */
public final class TransposeCancellation implements Pass {
    @Override
    public String name() {
        return "transpose-cancellation";
    }

    @Override
    public Graph run(Graph graph) {
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            Value in = n.inputs().isEmpty() ? null : n.inputs().get(0);
            if (n.op() != Ops.TRANSPOSE || in.kind() != Value.Kind.NODE || in.producer().op() != Ops.TRANSPOSE) {
                r.copy(n);
                continue;
            }
            Node first = in.producer();
            int rank = in.type().rank();
            int[] p1 = perm(first.attrs(), rank), p2 = perm(n.attrs(), rank), both = new int[rank];
            boolean identity = true;
            for (int i = 0; i < rank; i++) {
                both[i] = p1[p2[i]];
                identity &= both[i] == i;
            }
            Value source = r.get(first.inputs().get(0));
            r.map(n.output(), identity ? source
                    : r.target().apply(Ops.TRANSPOSE, Attrs.of("perm", both), List.of(source), n.label()).get(0));
        }
        return r.finish();
    }

    /** The transpose's permutation; without one it reverses the axes. */
    private static int[] perm(Attrs attrs, int rank) {
        int[] p = attrs.getIntsOrNull("perm");
        if (p != null) return p;
        p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
        return p;
    }
}
