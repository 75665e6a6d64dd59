package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.LossWithSoftmax;
import dev.janus.core.ops.Ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training step computes softmax over the same logits twice: softmax_cross_entropy in the
 * forward pass, and softmax in its gradient (softmax(z) - target). Where a float32 loss is
 * followed by a softmax over the classes of the same logits, both become one node
 * ({@link LossWithSoftmax}) that computes each exponential once; both results keep their bits
 * on heap buffers. On native buffers the softmax ran ND4J's kernel (within 1e-5 relative of the
 * heap formula) and now has the heap kernel's bits, as {@link LossWithSoftmax} runs on heap copies
 * there. Run only for the CPU ({@link Pipeline}): the fused op has no kernel on other devices.
 */
public final class SoftmaxOnce implements Pass {
    @Override
    public String name() {
        return "softmax-once";
    }

    @Override
    public Graph run(Graph graph) {
        Map<Value, Node> lossOf = new HashMap<>();
        Map<Node, Node> softmaxOf = new HashMap<>();
        for (Node n : graph.nodes()) {
            Value z = n.inputs().isEmpty() ? null : n.inputs().get(0);
            if (n.op() == Ops.SOFTMAX_CROSS_ENTROPY && z.type().dtype() == DType.FLOAT32) {
                lossOf.putIfAbsent(z, n);
            } else if (n.op() == Ops.SOFTMAX && lossOf.containsKey(z) && z.type().shape().axis(n.attrs().getInt("axis", -1), "softmax") == 1) {
                softmaxOf.putIfAbsent(lossOf.get(z), n);
            }
        }
        if (softmaxOf.isEmpty()) return graph;
        Rewriter r = new Rewriter(graph);
        Map<Node, Value> probs = new HashMap<>();
        for (Node n : graph.nodes()) {
            Node softmax = softmaxOf.get(n);
            if (softmax != null) {
                List<Value> both = r.target().apply(LossWithSoftmax.OP, n.attrs(), r.get(n.inputs()), n.label());
                r.map(n.output(), both.get(0));
                probs.put(softmax, both.get(1));
            } else if (probs.containsKey(n)) {
                r.map(n.output(), probs.get(n));
            } else {
                r.copy(n);
            }
        }
        return r.finish();
    }
}
