package dev.janus.graph;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges equal constants (same dtype, shape and bits, up to {@link #MAX_CONSTANT} elements) and
 * nodes that apply the same op with the same attributes to the same inputs, so each is computed
 * once. Random ops are never merged: two dropouts of one input draw two masks.
 */
public final class CommonSubexpressions implements Pass {
    public static final int MAX_CONSTANT = 4096;

    @Override
    public String name() {
        return "common-subexpressions";
    }

    @Override
    public Graph run(Graph graph) {
        Rewriter r = new Rewriter(graph);
        Map<ConstantKey, Value> constants = new HashMap<>();
        Map<NodeKey, List<Value>> seen = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (Value in : n.inputs()) {
                if (in.kind() != Value.Kind.CONSTANT) continue;
                Tensor t = graph.constantValue(in);
                if (t.numel() > MAX_CONSTANT) continue;
                Value first = constants.computeIfAbsent(new ConstantKey(t), k -> r.get(in));
                r.map(in, first);
            }
            if (n.op().isRandom()) {
                r.copy(n);
                continue;
            }
            NodeKey key = new NodeKey(n.op(), n.attrs(), r.get(n.inputs()));
            List<Value> same = seen.get(key);
            if (same == null) {
                seen.put(key, r.copy(n));
            } else {
                for (int i = 0; i < same.size(); i++) r.map(n.outputs().get(i), same.get(i));
            }
        }
        return r.finish();
    }

    private static final class NodeKey {
        final Op op;
        final Attrs attrs;
        final List<Value> inputs;

        NodeKey(Op op, Attrs attrs, List<Value> inputs) {
            this.op = op;
            this.attrs = attrs;
            this.inputs = new ArrayList<>(inputs);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof NodeKey)) return false;
            NodeKey k = (NodeKey) o;
            return k.op == op && k.attrs.equals(attrs) && k.inputs.equals(inputs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(System.identityHashCode(op), attrs, inputs);
        }
    }

    /** A constant's dtype, shape and exact bits (so 0.0 and -0.0 differ, and NaN equals NaN). */
    private static final class ConstantKey {
        final Tensor t;
        final int hash;

        ConstantKey(Tensor t) {
            this.t = t;
            int h = t.type().hashCode();
            for (int i = 0; i < t.numel(); i++) h = h * 31 + Long.hashCode(bits(t, i));
            this.hash = h;
        }

        private static long bits(Tensor t, int i) {
            return t.dtype() == dev.janus.core.DType.INT64 ? t.readLong(i) : Double.doubleToLongBits(t.readDouble(i));
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ConstantKey)) return false;
            Tensor u = ((ConstantKey) o).t;
            if (!u.type().equals(t.type())) return false;
            for (int i = 0; i < t.numel(); i++) if (bits(t, i) != bits(u, i)) return false;
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
