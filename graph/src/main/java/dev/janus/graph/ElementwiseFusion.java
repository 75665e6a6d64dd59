package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ElementwiseTiles;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuses chains of elementwise ops of one output shape (bias + activation, the optimizer's update
 * chain), and single ops with a repeating operand, into {@link FusedElementwise} nodes. Groups grow in node order: a node joins the
 * groups of its inputs when they have its shape and nothing outside them has consumed them yet (a
 * group is placed where its last member was, so an earlier outside consumer would see it too late).
 * Operands from outside a group must be full-shaped or repeat periodically (scalars, bias rows).
 */
public final class ElementwiseFusion implements Pass {
    @Override
    public String name() {
        return "elementwise-fusion";
    }

    private static final class Group {
        final Shape shape;
        final List<Node> members = new ArrayList<>();
        boolean sealed;

        Group(Shape shape) {
            this.shape = shape;
        }
    }

    @Override
    public Graph run(Graph graph) {
        Map<Node, Group> groupOf = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!candidate(n)) {
                seal(n, groupOf, Set.of());
                continue;
            }
            Shape s = n.output().type().shape();
            Set<Group> join = new LinkedHashSet<>();
            boolean ok = true;
            for (Value in : n.inputs()) {
                Group g = in.producer() == null ? null : groupOf.get(in.producer());
                if (g != null && !g.sealed && g.shape.equals(s)) join.add(g);
                else if (ElementwiseTiles.period(in.type().shape(), s) < 0) ok = false;
            }
            if (!ok) {
                seal(n, groupOf, Set.of());
                continue;
            }
            seal(n, groupOf, join);
            // The smaller groups move into the largest: each node moves O(log n) times, so a chain
            // of n nodes fuses in O(n log n), not the O(n^2) of copying the group at every node.
            Group merged = null;
            for (Group g : join) if (merged == null || g.members.size() > merged.members.size()) merged = g;
            if (merged == null) merged = new Group(s);
            for (Group g : join) {
                if (g == merged) continue;
                merged.members.addAll(g.members);
                for (Node m : g.members) groupOf.put(m, merged);
            }
            merged.members.add(n);
            groupOf.put(n, merged);
        }

        Map<Node, Integer> index = new HashMap<>();
        Map<Group, Node> last = new HashMap<>();
        for (Node n : graph.nodes()) {
            index.put(n, index.size());
            Group g = groupOf.get(n);
            if (g != null) last.put(g, n);
        }
        Map<Value, List<Node>> consumers = new HashMap<>();
        for (Node n : graph.nodes()) for (Value in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Set<Value> graphOutputs = new HashSet<>(graph.outputs());

        Rewriter r = new Rewriter(graph);
        for (Node n : graph.nodes()) {
            Group g = groupOf.get(n);
            if (g == null || !worthFusing(g)) {
                r.copy(n);
            } else if (n == last.get(g)) {
                // A group is placed where its last member was, its members in graph order.
                g.members.sort((a, b) -> Integer.compare(index.get(a), index.get(b)));
                emit(r, g, consumers, graphOutputs);
            }
        }
        return r.finish();
    }

    /**
     * Two ops or more; or one op with an operand that repeats over the output (a bias), which the
     * fused kernel fills into a register instead of walking the broadcast each time.
     */
    private static boolean worthFusing(Group g) {
        if (g.members.size() > 1) return true;
        for (Value in : g.members.get(0).inputs()) {
            if (ElementwiseTiles.period(in.type().shape(), g.shape) < g.shape.size()) return true;
        }
        return false;
    }

    private static boolean candidate(Node n) {
        return n.op().isElementwise() && !(n.op() instanceof FusedElementwise) && n.outputs().size() == 1
                && n.output().type().shape().isStatic() && computesItself(n);
    }

    // A node on a dtype its op computes in a wider one (int8, float16, ...) runs through Kernels' widening.
    private static boolean computesItself(Node n) {
        if (!n.op().computes(n.output().type().dtype())) return false;
        for (Value in : n.inputs()) if (!n.op().computes(in.type().dtype())) return false;
        return true;
    }

    /** Groups whose values {@code n} consumes without joining them can grow no further. */
    private static void seal(Node n, Map<Node, Group> groupOf, Set<Group> joining) {
        for (Value in : n.inputs()) {
            Group g = in.producer() == null ? null : groupOf.get(in.producer());
            if (g != null && !joining.contains(g)) g.sealed = true;
        }
    }

    private static void emit(Rewriter r, Group g, Map<Value, List<Node>> consumers, Set<Value> graphOutputs) {
        Set<Node> members = new HashSet<>(g.members);
        Map<Value, Integer> number = new LinkedHashMap<>();
        List<Value> externals = new ArrayList<>();
        for (Node m : g.members) {
            for (Value in : m.inputs()) {
                if ((in.producer() == null || !members.contains(in.producer())) && !number.containsKey(in)) {
                    number.put(in, externals.size());
                    externals.add(in);
                }
            }
        }
        int nIn = externals.size();
        TensorType[] inTypes = new TensorType[nIn];
        int[] period = new int[nIn];
        boolean[] constant = new boolean[nIn];
        for (int j = 0; j < nIn; j++) {
            Value v = externals.get(j);
            inTypes[j] = r.get(v).type();
            period[j] = ElementwiseTiles.period(v.type().shape(), g.shape);
            constant[j] = v.kind() == Value.Kind.CONSTANT;
        }
        List<FusedElementwise.Instr> program = new ArrayList<>();
        DType[] valueTypes = new DType[g.members.size()];
        List<Value> outs = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        for (Node m : g.members) {
            int[] src = new int[m.inputs().size()];
            for (int i = 0; i < src.length; i++) src[i] = number.get(m.inputs().get(i));
            Value result = m.output();
            number.put(result, nIn + program.size());
            valueTypes[program.size()] = result.type().dtype();
            program.add(new FusedElementwise.Instr(m.op(), m.attrs(), src));
            boolean usedOutside = graphOutputs.contains(result);
            for (Node c : consumers.getOrDefault(result, List.of())) usedOutside |= !members.contains(c);
            if (usedOutside) outs.add(result);
            if (m.label() != null) labels.add(m.label());
        }
        if (outs.isEmpty()) return;
        int[] outputs = outs.stream().mapToInt(number::get).toArray();
        FusedElementwise op = new FusedElementwise(g.shape, inTypes, period, constant, program, valueTypes, outputs);
        List<Value> fused = r.target().apply(op, Attrs.of("ops", FusedElementwise.describe(program)), r.get(externals),
                labels.isEmpty() ? null : String.join(", ", labels));
        for (int k = 0; k < outs.size(); k++) r.map(outs.get(k), fused.get(k));
    }
}
