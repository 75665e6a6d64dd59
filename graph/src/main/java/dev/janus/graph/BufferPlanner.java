package dev.janus.graph;

import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.backend.StoragePolicy;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Kernel;
import dev.janus.core.ops.Kernels;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

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
 *
 * <p>Buffers are allocated on the options' device, in the kind its storage policy gives their size
 * (on the CPU: heap, or native for large buffers); constants are copied there, parameters must
 * already be there (they are the model's own tensors). Each node's kernel
 * is chosen once, here, for its buffers' storage ({@link Kernels#resolve}).
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
        List<Tensor> allocated = new ArrayList<>();
        Set<Value> nativeValues = nativeForProducts(graph, options);
        for (int i = 0; i < inputs.length; i++) {
            Value v = graph.inputs().get(i);
            staticShape(graph, v);
            inputs[i] = allocate(v.type(), options, nativeValues.contains(v));
            allocated.add(inputs[i]);
            buf.put(v, inputs[i]);
        }
        Device device = options.device();
        for (Value p : graph.parameters()) {
            Tensor t = graph.parameterValue(p);
            if (!t.device().equals(device)) {
                throw new JanusException("graph " + graph.name() + ": parameter " + p.name() + " is on " + t.device()
                        + ", but the plan is compiled for " + device + " (move the model to " + device + " first)");
            }
            buf.put(p, t);
        }
        for (Value c : graph.constants()) {
            Tensor value = graph.constantValue(c), moved = value.to(device);
            if (moved != value) allocated.add(moved);
            buf.put(c, moved);
        }

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
        Attrs[] attrs = new Attrs[n];
        Tensor[][] ins = new Tensor[n][], outs = new Tensor[n][];
        Kernel[] kernels = new Kernel[n];
        String[] labels = new String[n];
        for (int k = 0; k < n; k++) {
            Node node = nodes.get(k);
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
                boolean wantNative = nativeValues.contains(v);
                if (b == null && options.inPlace() && node.op().isElementwise()) {
                    for (Value u : node.inputs()) {
                        if (lastUse.get(u) == k && u.type().equals(t) && owned.contains(buf.get(u).storage())
                                && !handedOver.contains(u) && (nativeValues.isEmpty() || isNative(buf.get(u)) == wantNative)) {
                            b = buf.get(u);
                            handedOver.add(u);
                            how = " (in place of " + u.name() + ")";
                            break;
                        }
                    }
                }
                if (b == null && options.bufferReuse()) {
                    Deque<Tensor> q = free.get(key(t, wantNative));
                    Tensor f = q == null ? null : q.poll();
                    if (f != null) b = f.shape().equals(t.shape()) ? f : f.view(t.shape());
                }
                if (b == null) {
                    b = allocate(t, options, wantNative);
                    allocated.add(b);
                    owned.add(b.storage());
                    ids.put(b.storage(), ids.size() + 1);
                    bytes += (long) b.numel() * t.dtype().bytes();
                }
                if (!how.startsWith("param")) {
                    how = "b" + ids.get(b.storage()) + (b.storage().kind() == StorageKind.HEAP ? "" : " " + b.storage().kind()) + how;
                }
                where.put(v, how);
                buf.put(v, b);
                outs[k][j] = b;
            }
            kernels[k] = resolve(node, ins[k], outs[k]);
            if (options.bufferReuse()) {
                Set<Value> dying = new LinkedHashSet<>(node.inputs());
                for (Value v : node.outputs()) if (!lastUse.containsKey(v)) dying.add(v);
                for (Value u : dying) {
                    Integer last = lastUse.get(u);
                    if ((last == null || last == k) && !handedOver.contains(u) && owned.contains(buf.get(u).storage())) {
                        // Under native products a buffer is reused only for a value that wants its kind.
                        Tensor dead = buf.get(u);
                        boolean nativeKey = !nativeValues.isEmpty() && isNative(dead);
                        free.computeIfAbsent(key(u.type(), nativeKey), x -> new ArrayDeque<>()).add(dead);
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
        return new Plan(graph, device, kernels, attrs, ins, outs, labels, inputs, outputs, from.toArray(new Tensor[0]),
                to.toArray(new Tensor[0]), allocated.toArray(new Tensor[0]), ids.size(), bytes, () -> layout(graph, where));
    }

    private static boolean isNative(Tensor t) {
        return t.storage().kind() == StorageKind.NATIVE;
    }

    private static Tensor allocate(TensorType t, CompileOptions options, boolean nativeForProducts) {
        StorageKind kind = nativeForProducts ? StorageKind.NATIVE : options.storage().kindFor(t.shape().size());
        return kind == StorageKind.HEAP ? Tensor.empty(t.dtype(), t.shape()) : kind.empty(t.dtype(), t.shape(), options.device());
    }

    /**
     * The values whose buffers go to native memory under {@link CompileOptions#nativeProducts}: large
     * floating-point buffers the plan owns (inputs and intermediates, not parameters, constants or
     * outputs the caller reads) that products (matmul, linear) touch more often than ops whose native
     * kernel copies through the heap do, and that no op touches whose native kernel rounds
     * differently. Each product saves a copy of the operand; each staging op costs one; elementwise
     * ops and fused chains cost about the same in either storage, but for a chain that runs as one
     * loop on heap arrays (Adam's update: a weight's gradient is better copied back by its product
     * than read through registers).
     */
    private static Set<Value> nativeForProducts(Graph graph, CompileOptions options) {
        if (!options.nativeProducts() || !options.device().isCpu() || !options.storage().heapOnly()) return Set.of();
        Map<Value, Integer> score = new HashMap<>();
        Set<Value> barred = new HashSet<>(graph.outputs());
        barred.addAll(graph.parameters());
        barred.addAll(graph.constants());
        for (Node node : graph.nodes()) {
            Op op = node.op();
            boolean product = op == Ops.MATMUL || op == Ops.LINEAR;
            int weight = product ? 1 : Kernels.stages(op, StorageKind.NATIVE) || op instanceof FusedElementwise && ((FusedElementwise) op).loopsOnHeap() ? -1 : 0;
            boolean sameBits = Kernels.heapBits(op, StorageKind.NATIVE);
            for (List<Value> vs : List.of(node.inputs(), node.outputs())) {
                for (Value v : vs) {
                    if (v == null) continue;
                    if (!sameBits) barred.add(v);
                    score.merge(v, weight, Integer::sum);
                }
            }
        }
        Set<Value> chosen = new HashSet<>();
        for (Map.Entry<Value, Integer> e : score.entrySet()) {
            Value v = e.getKey();
            TensorType t = v.type();
            if (e.getValue() > 0 && !barred.contains(v) && t.dtype().isFloating() && t.shape().isStatic()
                    && t.shape().size() >= StoragePolicy.AUTO_THRESHOLD) {
                chosen.add(v);
            }
        }
        return chosen;
    }

    private static Kernel resolve(Node node, Tensor[] in, Tensor[] out) {
        try {
            return Kernels.resolve(node.op(), in, out);
        } catch (JanusException e) {
            throw new JanusException(node.label() == null ? e.getMessage() : node.label() + ": " + e.getMessage(), e);
        }
    }

    /** The update may overwrite the parameter when no later node reads the old value. */
    private static boolean canLand(Node node, int k, Value p, Map<Value, Integer> lastUse) {
        Integer last = lastUse.get(p);
        if (last != null && last > k) return false;
        return !node.inputs().contains(p) || node.op().isElementwise();
    }

    private static dev.janus.core.Shape staticShape(Graph graph, Value v) {
        if (!v.type().shape().isStatic()) {
            throw new JanusException("graph " + graph.name() + ": " + v + " has shape " + v.type().shape()
                    + "; a plan needs static shapes (specialise the graph first)");
        }
        return v.type().shape();
    }

    private static String key(TensorType t, boolean nativeBuffer) {
        return t.dtype() + "/" + t.shape().size() + (nativeBuffer ? "/native" : "");
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
