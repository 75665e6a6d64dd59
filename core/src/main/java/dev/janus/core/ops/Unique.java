package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * unique(x) -> (y, indices, inverse, counts), as ONNX's Unique: the distinct elements of x (or,
 * with attribute "axis", its distinct slices along that axis), ascending ("sorted", the default;
 * slices compared element by element) or in the order they first appear; the index of each one's
 * first appearance, the index in y of every element (slice) of x, and how often each appears. How
 * many there are is known only at run time. y reads x at the first appearances, so its gradient
 * adds the upstream gradient there.
 */
final class Unique extends Op {
    Unique() {
        super("unique", 1, 1);
    }

    @Override
    public int outputCount() {
        return 4;
    }

    private static Integer axis(Attrs attrs, Shape s, String op) {
        return attrs.has("axis") ? s.axis(attrs.getInt("axis"), op) : null;
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        return types(in[0], attrs, Shape.DYNAMIC);
    }

    private TensorType[] types(TensorType x, Attrs attrs, int n) {
        if (x.dtype() == DType.BOOL) throw new ShapeException(name() + ": bool input is not supported, got " + x);
        Shape s = x.shape();
        Integer axis = axis(attrs, s, name());
        Shape y = axis == null ? Shape.of(n) : s.with(axis, n);
        int all = axis == null ? (s.isStatic() ? s.size() : Shape.DYNAMIC) : s.dim(axis);
        Shape one = Shape.of(n);
        return new TensorType[] {x.withShape(y), new TensorType(DType.INT64, one), new TensorType(DType.INT64, Shape.of(all)), new TensorType(DType.INT64, one)};
    }

    @Override
    protected TensorType[] inferFromValues(Tensor[] in, Attrs attrs) {
        return types(in[0].type(), attrs, new Groups(in[0], axis(attrs, in[0].shape(), name()), attrs.getBool("sorted", true)).first.length);
    }

    @Override
    public boolean computes(DType dtype) {
        return true;    // compares and copies elements of any dtype
    }

    /** x seen as [outer, slices, inner] and its slices grouped: the first appearance of each group, in y's order, and each slice's group. */
    private static final class Groups {
        final int outer, slices, inner;
        final int[] first, group, counts;

        Groups(Tensor x, Integer axis, boolean sorted) {
            Shape s = x.shape();
            outer = axis == null ? 1 : s.size(0, axis);
            slices = axis == null ? s.size() : s.dim(axis);
            inner = axis == null ? 1 : s.size(axis + 1, s.rank());
            boolean integer = !x.dtype().isFloating();
            Comparator<Integer> bySlice = (p, q) -> {
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int a = (o * slices + p) * inner + i, b = (o * slices + q) * inner + i;
                        int c = integer ? Long.compare(x.readLong(a), x.readLong(b)) : compare(x.readDouble(a), x.readDouble(b));
                        if (c != 0) return c;
                    }
                }
                return 0;
            };
            // stable: equal slices keep their order, so each group's first is its first appearance
            Integer[] order = new Integer[slices];
            for (int i = 0; i < slices; i++) order[i] = i;
            Arrays.sort(order, bySlice);
            group = new int[slices];
            List<Integer> firsts = new ArrayList<>();
            for (int i = 0; i < slices; i++) {
                if (i == 0 || bySlice.compare(order[i - 1], order[i]) != 0) firsts.add(order[i]);
                group[order[i]] = firsts.size() - 1;
            }
            int[] rank = new int[firsts.size()];
            if (!sorted) {
                // renumber the groups by first appearance
                Integer[] byFirst = new Integer[firsts.size()];
                for (int g = 0; g < byFirst.length; g++) byFirst[g] = g;
                Arrays.sort(byFirst, Comparator.comparingInt(firsts::get));
                List<Integer> reordered = new ArrayList<>();
                for (int k = 0; k < byFirst.length; k++) {
                    rank[byFirst[k]] = k;
                    reordered.add(firsts.get(byFirst[k]));
                }
                firsts.clear();
                firsts.addAll(reordered);
                for (int i = 0; i < slices; i++) group[i] = rank[group[i]];
            }
            first = firsts.stream().mapToInt(Integer::intValue).toArray();
            counts = new int[first.length];
            for (int g : group) counts[g]++;
        }
    }

    /** As numbers compare: -0 equals 0 (Double.compare would part them); NaNs last, equal to each other. */
    private static int compare(double a, double b) {
        return a == b ? 0 : Double.compare(a, b);
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Tensor x = in[0];
        Groups g = new Groups(x, axis(attrs, x.shape(), name()), attrs.getBool("sorted", true));
        int n = g.first.length;
        Object src = x.heapArray(), dst = out[0].heapArray();
        for (int o = 0; o < g.outer; o++) {
            for (int k = 0; k < n; k++) System.arraycopy(src, (o * g.slices + g.first[k]) * g.inner, dst, (o * n + k) * g.inner, g.inner);
        }
        for (int k = 0; k < n; k++) {
            out[1].setLong(k, g.first[k]);
            out[3].setLong(k, g.counts[k]);
        }
        for (int i = 0; i < g.slices; i++) out[2].setLong(i, g.group[i]);
    }

    @Override
    public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
        if (!wanted[0] || gOut.get(0) == null) return Arrays.asList((V) null);
        V x = in.get(0);
        Shape s = e.shape(x);
        Integer axis = axis(attrs, s, name());
        if (axis != null) return Arrays.asList(e.indexAdd(e.zeros(e.type(x)), out.get(1), gOut.get(0), axis));
        V flat = e.zeros(new TensorType(e.dtype(x), Shape.of(s.size())));
        return Arrays.asList(e.reshape(e.indexAdd(flat, out.get(1), gOut.get(0), 0), s));
    }

    @Override
    public void toOnnx(ExportNode node, OnnxWriter out) {
        Attrs a = node.attrs();
        int sorted = a.getBool("sorted", true) ? 1 : 0;
        if (a.has("axis")) out.node("Unique", node.inputs(), node.outputs(), "axis", a.getInt("axis"), "sorted", sorted);
        else out.node("Unique", node.inputs(), node.outputs(), "sorted", sorted);
    }

    @Override
    public Map<String, OnnxImportRule> fromOnnx() {
        return Map.of("Unique", n -> {
            Attrs a = Attrs.of("sorted", n.getInt("sorted", 1) != 0);
            if (n.has("axis")) a = a.with("axis", n.getInt("axis", 0));
            return n.emit().apply(this, a, List.of(n.input(0)));
        });
    }
}
