package dev.janus.graph;

import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops nodes whose results no output needs (and constants no node uses). Random ops stay even when
 * unused: each draws from the generator, and dropping one would shift every later draw.
 */
public final class DeadCodeElimination implements Pass {
    @Override
    public String name() {
        return "dead-code-elimination";
    }

    @Override
    public Graph run(Graph graph) {
        Set<Value> live = new HashSet<>(graph.outputs());
        Set<Node> keep = new HashSet<>();
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.op().isRandom() || n.outputs().stream().anyMatch(live::contains)) {
                keep.add(n);
                live.addAll(n.inputs());
            }
        }
        Rewriter r = new Rewriter(graph);
        for (Node n : nodes) if (keep.contains(n)) r.copy(n);
        return r.finish();
    }
}
