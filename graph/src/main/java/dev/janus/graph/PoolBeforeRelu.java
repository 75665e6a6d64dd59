package dev.janus.graph;

import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Ops;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * max_pool(relu(x)) becomes relu(max_pool(x)) where the relu feeds only the pool and the pool's
 * indices are unused: the relu then runs on the pooled tensor (a quarter of the elements for 2x2
 * windows) and, in training, so does its gradient, the largest elementwise passes of a CNN step.
 *
 * <p>Nothing changes in the numbers. relu is monotone non-decreasing, so it commutes with a
 * window's maximum, relu(max(x)) = max(relu(x)), and the pooled values agree bit for bit. The gradient does too: where a window's maximum is positive, both
 * forms send it to the same (first) largest element; elsewhere relu's gradient is zero in both.
 * Only the indices differ (the pool now ranks x, not relu(x)), which is why a graph that reads
 * them is left alone. {@link GradientStep} runs this on the model graph before autodiff (after it,
 * the relu's output also gives max_pool_grad its shape, so the pattern no longer matches there).
 */
public final class PoolBeforeRelu implements Pass {
    @Override
    public String name() {
        return "pool-before-relu";
    }

    @Override
    public Graph run(Graph graph) {
        Map<Value, Integer> uses = new HashMap<>();
        for (Node n : graph.nodes()) for (Value v : n.inputs()) if (v != null) uses.merge(v, 1, Integer::sum);
        for (Value v : graph.outputs()) uses.merge(v, 1, Integer::sum);
        Set<Node> moved = new HashSet<>();
        for (Node n : graph.nodes()) {
            Node relu = reluBefore(n);
            if (relu != null && uses.get(relu.output()) == 1 && !uses.containsKey(n.outputs().get(1))) moved.add(relu);
        }
        if (moved.isEmpty()) return graph;
        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            Node relu = reluBefore(n);
            if (moved.contains(n)) continue;     // applied after its pool, below
            if (relu == null || !moved.contains(relu)) {
                r.copy(n);
                continue;
            }
            List<Value> pooled = r.target().apply(Ops.MAX_POOL, n.attrs(), List.of(r.get(relu.inputs().get(0))), n.label());
            r.map(n.outputs().get(0), r.target().apply(Ops.RELU, relu.attrs(), List.of(pooled.get(0)), relu.label()).get(0));
            r.map(n.outputs().get(1), pooled.get(1));
        }
        return r.finish();
    }

    /** The relu whose output the max_pool {@code n} reads, or null. */
    private static Node reluBefore(Node n) {
        if (n.op() != Ops.MAX_POOL) return null;
        Value in = n.inputs().get(0);
        return in.kind() == Value.Kind.NODE && in.producer().op() == Ops.RELU ? in.producer() : null;
    }
}
