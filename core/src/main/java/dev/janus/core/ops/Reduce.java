package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reductions over attribute "axes" (absent: all axes) with "keepdims" (default false). Float
 * inputs accumulate in double, in a fixed order, so results repeat bit for bit.
 */
final class Reduce {
    private Reduce() {
    }

    enum Kind {
        SUM("ReduceSum"), MEAN("ReduceMean"), MAX("ReduceMax"), MIN("ReduceMin");

        final String onnxType;

        Kind(String onnxType) {
            this.onnxType = onnxType;
        }

        /** The opset from which ONNX takes this reduction's axes as an input rather than an attribute. */
        int axesInputSince() {
            return this == SUM ? 13 : 18;
        }
    }

    /** Writes an ONNX reduction of {@code x} over {@code axes} (null: all axes) into {@code y}. */
    static void reduceToOnnx(OnnxWriter out, Kind kind, String x, int[] axes, boolean keepdims, String y) {
        int keep = keepdims ? 1 : 0;
        List<String> ys = List.of(y);
        if (axes == null) out.node(kind.onnxType, List.of(x), ys, "keepdims", keep);
        else if (out.opset() >= kind.axesInputSince()) out.node(kind.onnxType, List.of(x, out.int64s(axes)), ys, "keepdims", keep);
        else out.node(kind.onnxType, List.of(x), ys, "axes", axes, "keepdims", keep);
    }

    static final class Reduction extends Op {
        private final Kind kind;

        Reduction(String name, Kind kind) {
            super(name, 1, 1);
            this.kind = kind;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Shape s = in[0].shape();
            int[] axes = Check.axes(name(), attrs.getIntsOrNull("axes"), s);
            if (kind == Kind.MAX || kind == Kind.MIN) {
                for (int a : axes) {
                    if (s.dim(a) == 0) throw new ShapeException(name() + ": cannot reduce axis " + a + " of " + s + ", it is empty");
                }
            }
            return new TensorType[] {in[0].withShape(reducedShape(s, axes, attrs.getBool("keepdims", false)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0];
            int[] axes = Check.axes(name(), attrs.getIntsOrNull("axes"), x.shape());
            Block b = Block.of(x, axes);
            Object a = b.data.heapArray(), y = out[0].heapArray();
            int outer = b.outer, red = b.red, inner = b.inner;
            long work = (long) outer * red * inner;
            int grain0 = CpuThreads.grain(1);
            if (work < 2L * grain0 || CpuThreads.threads() == 1) {
                reduce(a, y, 0, outer, 0, inner, red, inner);
            } else if (outer >= CpuThreads.threads() || inner == 1) {
                // Whole output rows per thread; each element is summed in the same order as on one thread.
                int grain = (int) Math.max(1, grain0 / Math.max(1L, (long) red * inner));
                CpuThreads.parallelFor(outer, grain, (o0, o1) -> reduce(a, y, o0, o1, 0, inner, red, inner));
            } else {
                // Few rows (a sum over the batch): split the columns.
                int grain = (int) Math.max(16, grain0 / Math.max(1L, (long) outer * red));
                CpuThreads.parallelFor(inner, grain, (i0, i1) -> reduce(a, y, 0, outer, i0, i1, red, inner));
            }
        }

        /** Output rows [o0, o1), columns [i0, i1) of x seen as [outer, red, inner]. */
        private void reduce(Object x, Object y, int o0, int o1, int i0, int i1, int red, int inner) {
            if (x instanceof float[]) reduce((float[]) x, (float[]) y, o0, o1, i0, i1, red, inner);
            else reduce((double[]) x, (double[]) y, o0, o1, i0, i1, red, inner);
        }

        private void reduce(float[] a, float[] y, int o0, int o1, int i0, int i1, int red, int inner) {
            if (inner == 1) {
                for (int o = o0; o < o1; o++) y[o] = (float) finish(row(a, o * red, red), red);
                return;
            }
            double[] acc = accumulators(inner);
            for (int o = o0; o < o1; o++) {
                int base = o * red * inner;
                start(acc, i0, i1);
                for (int r = 0; r < red; r++) {
                    int p = base + r * inner;
                    switch (kind) {
                        case MAX: for (int i = i0; i < i1; i++) acc[i] = Math.max(acc[i], a[p + i]); break;
                        case MIN: for (int i = i0; i < i1; i++) acc[i] = Math.min(acc[i], a[p + i]); break;
                        default: for (int i = i0; i < i1; i++) acc[i] += a[p + i];
                    }
                }
                for (int i = i0; i < i1; i++) y[o * inner + i] = (float) finish(acc[i], red);
            }
        }

        private void reduce(double[] a, double[] y, int o0, int o1, int i0, int i1, int red, int inner) {
            double[] acc = accumulators(inner);
            for (int o = o0; o < o1; o++) {
                int base = o * red * inner;
                start(acc, i0, i1);
                for (int r = 0; r < red; r++) {
                    int p = base + r * inner;
                    switch (kind) {
                        case MAX: for (int i = i0; i < i1; i++) acc[i] = Math.max(acc[i], a[p + i]); break;
                        case MIN: for (int i = i0; i < i1; i++) acc[i] = Math.min(acc[i], a[p + i]); break;
                        default: for (int i = i0; i < i1; i++) acc[i] += a[p + i];
                    }
                }
                for (int i = i0; i < i1; i++) y[o * inner + i] = finish(acc[i], red);
            }
        }

        // A contiguous row; four partial sums break the add chain.
        private double row(float[] a, int p, int n) {
            if (kind == Kind.MAX || kind == Kind.MIN) {
                double m = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) m = kind == Kind.MAX ? Math.max(m, a[p + i]) : Math.min(m, a[p + i]);
                return m;
            }
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += a[p + i];
                s1 += a[p + i + 1];
                s2 += a[p + i + 2];
                s3 += a[p + i + 3];
            }
            for (; i < n; i++) s0 += a[p + i];
            return (s0 + s1) + (s2 + s3);
        }

        // Reused per thread, so a reduction allocates nothing once warm; only [0, inner) is used.
        private static final ThreadLocal<double[][]> ACC = ThreadLocal.withInitial(() -> new double[1][16]);

        private static double[] accumulators(int inner) {
            double[][] holder = ACC.get();
            if (holder[0].length < inner) holder[0] = new double[Math.max(inner, 2 * holder[0].length)];
            return holder[0];
        }

        private void start(double[] acc, int from, int to) {
            Arrays.fill(acc, from, to, kind == Kind.MAX ? Double.NEGATIVE_INFINITY : kind == Kind.MIN ? Double.POSITIVE_INFINITY : 0);
        }

        private double finish(double acc, int count) {
            return kind == Kind.MEAN ? acc / count : acc;
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            int[] axes = node.attrs().getIntsOrNull("axes");
            if (axes != null && axes.length == 0) {
                out.alias(node.output(0), node.input(0));   // no axes: ONNX would reduce them all
                return;
            }
            if (axes != null) axes = Check.axes(name(), axes, node.inputType(0).shape());
            reduceToOnnx(out, kind, node.input(0), axes, node.attrs().getBool("keepdims", false), node.output(0));
        }

        /** GlobalAveragePool is the mean over the spatial axes, kept. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            Map<String, OnnxImportRule> rules = new HashMap<>();
            rules.put(kind.onnxType, this::importReduce);
            if (kind == Kind.MEAN) {
                rules.put("GlobalAveragePool", n -> {
                    int rank = n.input(0).type().rank();
                    if (rank < 3) throw n.error("input must be [batch, channels, spatial...], got " + n.input(0).type());
                    int[] spatial = new int[rank - 2];
                    for (int i = 0; i < spatial.length; i++) spatial[i] = i + 2;
                    return List.of(n.apply1(this, Attrs.of("axes", spatial, "keepdims", true), n.input(0)));
                });
            }
            return rules;
        }

        // ONNX keeps dims by default; empty or absent axes mean all, unless noop_with_empty_axes is set.
        private List<Value> importReduce(ImportNode n) {
            boolean axesInput = n.opset() >= kind.axesInputSince();
            long[] axes = axesInput ? (n.hasInput(1) ? n.constant(1).toLongArray() : null) : n.getInts("axes");
            boolean noop = axesInput && n.getInt("noop_with_empty_axes", 0) != 0;
            Attrs attrs = Attrs.of("keepdims", n.getInt("keepdims", 1) != 0);
            if (axes != null && axes.length > 0) attrs = attrs.with("axes", axes);
            else if (noop) return List.of(n.input(0));
            return List.of(n.apply1(this, attrs, n.input(0)));
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList((V) null);
            V x = in.get(0), g = gOut.get(0);
            Shape xs = e.shape(x);
            int[] axes = Check.axes(name(), attrs.getIntsOrNull("axes"), xs);
            Shape keep = reducedShape(xs, axes, true);
            V gk = e.reshape(g, keep);
            switch (kind) {
                case SUM:
                    return Arrays.asList(e.expand(gk, xs));
                case MEAN:
                    return Arrays.asList(e.expand(e.mul(gk, 1.0 / Math.max(1, xs.size() / Math.max(1, keep.size()))), xs));
                default: {
                    // The extreme elements share the gradient equally, as PyTorch's amax/amin do.
                    V mask = e.cast(e.equal(x, e.expand(e.reshape(out.get(0), keep), xs)), e.dtype(x));
                    V count = e.sum(mask, axes, true);
                    return Arrays.asList(e.mul(mask, e.div(gk, count)));
                }
            }
        }
    }

    /** Index of the largest element along attribute "axis" (default 0), first one on ties; int64. */
    static final class ArgMax extends Op {
        ArgMax() {
            super("argmax", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            if (in[0].dtype() == DType.BOOL) throw new ShapeException("argmax: bool input is not supported, got " + in[0]);
            Shape s = in[0].shape();
            int axis = s.axis(attrs.getInt("axis", 0), name());
            if (s.dim(axis) == 0) throw new ShapeException("argmax: axis " + axis + " of " + s + " is empty");
            return new TensorType[] {new TensorType(DType.INT64, reducedShape(s, new int[] {axis}, attrs.getBool("keepdims", false)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0];
            int axis = x.shape().axis(attrs.getInt("axis", 0), name());
            int red = x.shape().dim(axis), inner = x.shape().size(axis + 1, x.rank()), outer = x.shape().size(0, axis);
            long[] y = out[0].i64();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * red * inner + i, best = 0;
                    double bv = x.readDouble(base);
                    for (int r = 1; r < red && !Double.isNaN(bv); r++) {
                        double v = x.readDouble(base + r * inner);
                        if (v > bv || Double.isNaN(v)) {
                            bv = v;
                            best = r;
                        }
                    }
                    y[o * inner + i] = best;
                }
            }
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("ArgMax", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", 0),
                    "keepdims", node.attrs().getBool("keepdims", false) ? 1 : 0);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("ArgMax", n -> {
                if (n.getInt("select_last_index", 0) != 0) throw n.error("select_last_index=1 is not supported (Janus picks the first maximum)");
                Attrs attrs = Attrs.of("axis", n.getInt("axis", 0), "keepdims", n.getInt("keepdims", 1) != 0);
                return List.of(n.apply1(this, attrs, n.input(0)));
            });
        }
    }

    static Shape reducedShape(Shape s, int[] axes, boolean keepdims) {
        boolean[] reduced = new boolean[s.rank()];
        for (int a : axes) reduced[a] = true;
        int[] d = new int[keepdims ? s.rank() : s.rank() - axes.length];
        for (int i = 0, j = 0; i < s.rank(); i++) {
            if (!reduced[i]) d[j++] = s.dim(i);
            else if (keepdims) d[j++] = 1;
        }
        return Shape.of(d);
    }

    /** The input seen as [outer, red, inner], with the reduced axes moved together when they are not. */
    static final class Block {
        final Tensor data;
        final int outer, red, inner;

        private Block(Tensor data, int outer, int red, int inner) {
            this.data = data;
            this.outer = outer;
            this.red = red;
            this.inner = inner;
        }

        static Block of(Tensor x, int[] axes) {
            Shape s = x.shape();
            int r = s.rank();
            if (axes.length == 0) return new Block(x, s.size(), 1, 1);
            boolean contiguous = axes[axes.length - 1] - axes[0] == axes.length - 1;
            if (contiguous) {
                int p = axes[0], q = axes[axes.length - 1] + 1;
                return new Block(x, s.size(0, p), s.size(p, q), s.size(q, r));
            }
            int[] perm = new int[r];
            boolean[] red = new boolean[r];
            for (int a : axes) red[a] = true;
            int j = 0;
            for (int i = 0; i < r; i++) if (!red[i]) perm[j++] = i;
            for (int a : axes) perm[j++] = a;
            Tensor moved = Shaping.permute(x, perm);
            int kept = 1;
            for (int i = 0; i < r; i++) if (!red[i]) kept *= s.dim(i);
            return new Block(moved, kept, s.size() / Math.max(1, kept), 1);
        }
    }
}
