package dev.janus.graph;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses a buffer for every value of a static graph, once, and builds the {@link Plan}. Walking
 * the nodes in order, a value takes a free buffer of its dtype and size (one whose last reader has
 * run), or an input's buffer when its op is elementwise and that input dies there (in place). A
 * parameter update lands directly in the parameter's tensor when the updating node is the last to
 * read the old value; otherwise it is copied there after the run.
 */
final class BufferPlanner {
    private BufferPlanner() {
    }

    /**
     * @param updates graph output index -> index in {@code graph.parameters()} of the parameter the
     *                output replaces after each run
     */
    static Plan plan(Graph graph, Map<Integer, Integer> updates, CompileOptions options) {
        List<Node> nodes = graph.nodes();
        Map<Value, Integer> lastUse = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) for (Value v : nodes.get(k).inputs()) lastUse.put(v, k);
        for (Value v : graph.outputs()) lastUse.put(v, Integer.MAX_VALUE);

        Map<Value, Tensor> buf = new HashMap<>();
        Map<Value, String> where = new HashMap<>();
        Tensor[] inputs = new Tensor[graph.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            Value v = graph.inputs().get(i);
            inputs[i] = Tensor.empty(v.type().dtype(), staticShape(graph, v));
            buf.put(v, inputs[i]);
        }
        for (Value p : graph.parameters()) buf.put(p, graph.parameterValue(p));
        for (Value c : graph.constants()) buf.put(c, graph.constantValue(c));

        Map<Value, Value> target = new HashMap<>();
        for (Map.Entry<Integer, Integer> u : updates.entrySet()) {
            Value v = graph.outputs().get(u.getKey()), p = graph.parameters().get(u.getValue());
            if (!v.type().equals(p.type())) {
                throw new JanusException("graph " + graph.name() + ": update " + v + " of type " + v.type()
                        + " cannot replace parameter " + p + " of type " + p.type());
            }
            target.put(v, p);
        }

        Set<Object> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Object, Integer> ids = new IdentityHashMap<>();
        Map<String, Deque<Tensor>> free = new HashMap<>();
        Set<Value> landed = new HashSet<>();
        long bytes = 0;
        int n = nodes.size();
        Op[] ops = new Op[n];
        Attrs[] attrs = new Attrs[n];
        Tensor[][] ins = new Tensor[n][], outs = new Tensor[n][];
        String[] labels = new String[n];
        for (int k = 0; k < n; k++) {
            Node node = nodes.get(k);
            ops[k] = node.op();
            attrs[k] = node.attrs();
            labels[k] = node.label();
            ins[k] = new Tensor[node.inputs().size()];
            for (int i = 0; i < ins[k].length; i++) ins[k][i] = buf.get(node.inputs().get(i));
            Set<Value> handedOver = new HashSet<>();
            outs[k] = new Tensor[node.outputs().size()];
            for (int j = 0; j < outs[k].length; j++) {
                Value v = node.outputs().get(j);
                TensorType t = v.type();
                staticShape(graph, v);
                Tensor b = null;
                String how = "";
                Value p = target.get(v);
                if (p != null && options.inPlace() && canLand(node, k, p, lastUse)) {
                    b = buf.get(p);
                    landed.add(v);
                    how = "param " + p.name();
                }
                if (b == null && options.inPlace() && Elementwise.is(node.op())) {
                    for (Value u : node.inputs()) {
                        if (lastUse.get(u) == k && u.type().equals(t) && owned.contains(Elementwise.storage(buf.get(u)))
                                && !handedOver.contains(u)) {
                            b = buf.get(u);
                            handedOver.add(u);
                            how = " (in place of " + u.name() + ")";
                            break;
                        }
                    }
                }
                if (b == null && options.bufferReuse()) {
                    Deque<Tensor> q = free.get(key(t));
                    Tensor f = q == null ? null : q.poll();
                    if (f != null) b = f.shape().equals(t.shape()) ? f : f.view(t.shape());
                }
                if (b == null) {
                    b = Tensor.empty(t.dtype(), t.shape());
                    owned.add(Elementwise.storage(b));
                    ids.put(Elementwise.storage(b), ids.size() + 1);
                    bytes += (long) b.numel() * t.dtype().bytes();
                }
                if (!how.startsWith("param")) how = "b" + ids.get(Elementwise.storage(b)) + how;
                where.put(v, how);
                buf.put(v, b);
                outs[k][j] = b;
            }
            if (options.bufferReuse()) {
                Set<Value> dying = new LinkedHashSet<>(node.inputs());
                for (Value v : node.outputs()) if (!lastUse.containsKey(v)) dying.add(v);
                for (Value u : dying) {
                    Integer last = lastUse.get(u);
                    if ((last == null || last == k) && !handedOver.contains(u) && owned.contains(Elementwise.storage(buf.get(u)))) {
                        free.computeIfAbsent(key(u.type()), x -> new ArrayDeque<>()).add(buf.get(u));
                    }
                }
            }
        }

        List<Tensor> from = new ArrayList<>(), to = new ArrayList<>();
        for (Map.Entry<Value, Value> e : target.entrySet()) {
            if (landed.contains(e.getKey())) continue;
            from.add(buf.get(e.getKey()));
            to.add(buf.get(e.getValue()));
        }
        Tensor[] outputs = new Tensor[graph.outputs().size()];
        for (int i = 0; i < outputs.length; i++) outputs[i] = buf.get(graph.outputs().get(i));
        return new Plan(graph, ops, attrs, ins, outs, labels, inputs, outputs, from.toArray(new Tensor[0]),
                to.toArray(new Tensor[0]), ids.size(), bytes, layout(graph, where));
    }

    /** The update may overwrite the parameter when no later node reads the old value. */
    private static boolean canLand(Node node, int k, Value p, Map<Value, Integer> lastUse) {
        Integer last = lastUse.get(p);
        if (last != null && last > k) return false;
        return !node.inputs().contains(p) || Elementwise.is(node.op());
    }

    private static dev.janus.core.Shape staticShape(Graph graph, Value v) {
        if (!v.type().shape().isStatic()) {
            throw new JanusException("graph " + graph.name() + ": " + v + " has shape " + v.type().shape()
                    + "; a plan needs static shapes (specialise the graph first)");
        }
        return v.type().shape();
    }

    private static String key(TensorType t) {
        return t.dtype() + "/" + t.shape().size();
    }

    private static String layout(Graph graph, Map<Value, String> where) {
        StringBuilder sb = new StringBuilder("plan ").append(graph.name()).append(" {\n");
        for (Node node : graph.nodes()) {
            sb.append("  ").append(node).append("\n    ->");
            for (Value v : node.outputs()) sb.append(' ').append(where.get(v));
            sb.append('\n');
        }
        return sb.append('}').toString();
    }
}
