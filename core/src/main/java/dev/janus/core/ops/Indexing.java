package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Element-wise indexing along one axis, as ONNX's GatherElements and ScatterElements: indices of
 * the data's rank pick (or place) one element each, their coordinate on attribute "axis" replaced
 * by the index (negative indices count from the end; out of range is an error naming it).
 */
final class Indexing {
    private Indexing() {
    }

    /** Calls {@code visit(indexPos, dataPos)} for every element of {@code idx}, checking each index. */
    private static void walk(String op, Shape data, Tensor idx, int axis, java.util.function.IntBinaryOperator visit) {
        Shape is = idx.shape();
        int r = is.rank(), n = is.size(), size = data.dim(axis);
        int[] ds = data.strides(), coord = new int[r];
        for (int p = 0; p < n; p++) {
            long k = idx.readLong(p);
            if (k < 0) k += size;
            if (k < 0 || k >= size) {
                throw new ShapeException(op + ": index " + idx.readLong(p) + " at " + Arrays.toString(coord) + " is out of range for axis "
                        + axis + " of size " + size);
            }
            int at = 0;
            for (int a = 0; a < r; a++) at += (a == axis ? (int) k : coord[a]) * ds[a];
            visit.applyAsInt(p, at);
            for (int a = r - 1; a >= 0 && ++coord[a] == is.dim(a); a--) coord[a] = 0;
        }
    }

    /** The scatters' attribute "reduction", checked: none, add, mul, max or min. */
    static String reduction(String op, Attrs attrs) {
        String red = attrs.getString("reduction", "none");
        if (!List.of("none", "add", "mul", "max", "min").contains(red)) {
            throw new ShapeException(op + ": reduction must be none, add, mul, max or min, got '" + red + "'");
        }
        return red;
    }

    /** y[at] = update u[from] combined with y[at] by the reduction. */
    static void combine(Tensor y, int at, Tensor u, int from, String red, boolean integer) {
        if (integer) {
            long a = y.readLong(at), b = u.readLong(from);
            y.setLong(at, red.equals("none") ? b : red.equals("add") ? a + b : red.equals("mul") ? a * b : red.equals("max") ? Math.max(a, b) : Math.min(a, b));
        } else {
            double a = y.readDouble(at), b = u.readDouble(from);
            y.setDouble(at, red.equals("none") ? b : red.equals("add") ? a + b : red.equals("mul") ? a * b : red.equals("max") ? Math.max(a, b) : Math.min(a, b));
        }
    }

    /** The reduction of a scatter being exported, checked against the opset ONNX added it in (16; max and min 18). */
    static String exportedReduction(ExportNode node, OnnxWriter out) {
        String red = node.attrs().getString("reduction", "none");
        int since = red.equals("max") || red.equals("min") ? 18 : 16;
        if (!red.equals("none") && out.opset() < since) throw node.error("reduction " + red + " needs opset " + since + " or later");
        return red;
    }

    private static int axis(String op, TensorType data, TensorType idx, Attrs attrs) {
        Check.integer(op, "indices", idx);
        if (idx.rank() != data.rank()) throw new ShapeException(op + ": indices " + idx + " must have the rank of data " + data);
        int axis = data.shape().axis(attrs.getInt("axis", 0), op);
        for (int a = 0; a < data.rank(); a++) {
            int d = data.shape().dim(a), i = idx.shape().dim(a);
            if (a != axis && d != Shape.DYNAMIC && i != Shape.DYNAMIC && i > d) {
                throw new ShapeException(op + ": indices " + idx + " are larger than data " + data + " on axis " + a);
            }
        }
        return axis;
    }

    /** gather_elements(data, indices): out[..i..] = data[..indices[..i..]..] along "axis" (ONNX GatherElements). */
    static final class GatherElements extends Op {
        GatherElements() {
            super("gather_elements", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            axis(name(), in[0], in[1], attrs);
            return new TensorType[] {in[0].withShape(in[1].shape())};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;    // moves elements of any dtype; reads any integer indices
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int axis = in[0].shape().axis(attrs.getInt("axis", 0), name());
            Object src = in[0].heapArray(), dst = out[0].heapArray();
            walk(name(), in[0].shape(), in[1], axis, (p, at) -> {
                System.arraycopy(src, at, dst, p, 1);
                return 0;
            });
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList(null, null);
            V zeros = e.zeros(e.type(in.get(0)));
            return Arrays.asList(e.one(Ops.SCATTER_ELEMENTS, attrs.with("reduction", "add"), List.of(zeros, in.get(1), gOut.get(0))), null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("GatherElements", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", 0));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("GatherElements", n -> List.of(n.apply1(this, Attrs.of("axis", n.getInt("axis", 0)), n.input(0), n.input(1))));
        }
    }

    /**
     * scatter_elements(data, indices, updates): data with each update placed (attribute "reduction"
     * none, the default) or combined ("add", "mul", "max", "min") at its index along "axis" (ONNX
     * ScatterElements). With reduction none, a later update at the same place wins.
     */
    static final class ScatterElements extends Op {
        ScatterElements() {
            super("scatter_elements", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            axis(name(), in[0], in[1], attrs);
            Check.sameDType(name(), in[0], in[2]);
            if (!in[1].shape().compatible(in[2].shape())) {
                throw new ShapeException(name() + ": updates " + in[2] + " must have the shape of indices " + in[1]);
            }
            reduction(name(), attrs);
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int axis = in[0].shape().axis(attrs.getInt("axis", 0), name());
            String red = attrs.getString("reduction", "none");
            Tensor y = out[0], u = in[2];
            if (y != in[0]) y.copyFrom(in[0]);
            boolean integer = y.dtype() == DType.INT64;
            walk(name(), in[0].shape(), in[1], axis, (p, at) -> {
                combine(y, at, u, p, red, integer);
                return 0;
            });
        }

        /** Differentiable for reduction none and add. */
        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            String red = attrs.getString("reduction", "none");
            if (!red.equals("none") && !red.equals("add")) throw new JanusException(name() + ": no gradient for reduction " + red);
            V g = gOut.get(0), idx = in.get(1);
            Attrs at = Attrs.of("axis", attrs.getInt("axis", 0));
            V gData = null;
            if (wanted[0]) gData = red.equals("add") ? g : e.one(this, at, List.of(g, idx, e.zeros(e.type(in.get(2)))));
            V gUpd = wanted[2] ? e.one(Ops.GATHER_ELEMENTS, at, List.of(g, idx)) : null;
            return Arrays.asList(gData, null, gUpd);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            String red = exportedReduction(node, out);
            if (red.equals("none")) out.node("ScatterElements", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", 0));
            else out.node("ScatterElements", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", 0), "reduction", red);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            // Scatter (opsets 9-10) is ScatterElements under its old name
            OnnxImportRule rule = n -> List.of(n.apply1(this, Attrs.of("axis", n.getInt("axis", 0),
                    "reduction", n.getString("reduction", "none")), n.input(0), n.input(1), n.input(2)));
            return Map.of("ScatterElements", rule, "Scatter", rule);
        }
    }
}
