package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
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
            if (kind == Kind.MEAN) Check.floating(name(), in[0]);
            else Check.numeric(name(), in[0]);
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
            if (x.dtype() == DType.FLOAT32) reduce(b.data.f32(), out[0].f32(), b.outer, b.red, b.inner);
            else if (x.dtype() == DType.FLOAT64) reduce(b.data.f64(), out[0].f64(), b.outer, b.red, b.inner);
            else reduce(b.data.i64(), out[0].i64(), b.outer, b.red, b.inner);
        }

        // Integers (int64, the others widened to it): sums wrap, as ONNX's do.
        private void reduce(long[] a, long[] y, int outer, int red, int inner) {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    long acc = kind == Kind.MAX ? Long.MIN_VALUE : kind == Kind.MIN ? Long.MAX_VALUE : 0;
                    for (int r = 0, p = o * red * inner + i; r < red; r++, p += inner) {
                        switch (kind) {
                            case MAX: acc = Math.max(acc, a[p]); break;
                            case MIN: acc = Math.min(acc, a[p]); break;
                            default: acc += a[p];
                        }
                    }
                    y[o * inner + i] = acc;
                }
            }
        }

        private void reduce(float[] a, float[] y, int outer, int red, int inner) {
            if (inner == 1) {
                for (int o = 0; o < outer; o++) y[o] = (float) finish(row(a, o * red, red), red);
                return;
            }
            double[] acc = accumulators(inner);
            for (int o = 0; o < outer; o++) {
                int base = o * red * inner;
                start(acc, inner);
                for (int r = 0; r < red; r++) {
                    int p = base + r * inner;
                    switch (kind) {
                        case MAX: for (int i = 0; i < inner; i++) acc[i] = Math.max(acc[i], a[p + i]); break;
                        case MIN: for (int i = 0; i < inner; i++) acc[i] = Math.min(acc[i], a[p + i]); break;
                        default: for (int i = 0; i < inner; i++) acc[i] += a[p + i];
                    }
                }
                for (int i = 0; i < inner; i++) y[o * inner + i] = (float) finish(acc[i], red);
            }
        }

        private void reduce(double[] a, double[] y, int outer, int red, int inner) {
            double[] acc = accumulators(inner);
            for (int o = 0; o < outer; o++) {
                int base = o * red * inner;
                start(acc, inner);
                for (int r = 0; r < red; r++) {
                    int p = base + r * inner;
                    switch (kind) {
                        case MAX: for (int i = 0; i < inner; i++) acc[i] = Math.max(acc[i], a[p + i]); break;
                        case MIN: for (int i = 0; i < inner; i++) acc[i] = Math.min(acc[i], a[p + i]); break;
                        default: for (int i = 0; i < inner; i++) acc[i] += a[p + i];
                    }
                }
                for (int i = 0; i < inner; i++) y[o * inner + i] = finish(acc[i], red);
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

        private void start(double[] acc, int n) {
            Arrays.fill(acc, 0, n, kind == Kind.MAX ? Double.NEGATIVE_INFINITY : kind == Kind.MIN ? Double.POSITIVE_INFINITY : 0);
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
            if (kind == Kind.SUM) sumsOf(rules);
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
            Attrs attrs = reduceAttrs(n, kind.axesInputSince());
            return List.of(attrs == null ? n.input(0) : n.apply1(this, attrs, n.input(0)));
        }

        /** The node's reduction attributes, or null for a no-op (empty axes with noop_with_empty_axes). */
        private static Attrs reduceAttrs(ImportNode n, int axesInputSince) {
            boolean axesInput = n.opset() >= axesInputSince;
            long[] axes = axesInput ? (n.hasInput(1) ? n.constant(1).toLongArray() : null) : n.getInts("axes");
            boolean noop = axesInput && n.getInt("noop_with_empty_axes", 0) != 0;
            Attrs attrs = Attrs.of("keepdims", n.getInt("keepdims", 1) != 0);
            if (axes != null && axes.length > 0) return attrs.with("axes", axes);
            return noop ? null : attrs;
        }

        /**
         * ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp (axes an input from
         * opset 18) are sums of a function of x, so they import as those ops, gradients included.
         */
        private void sumsOf(Map<String, OnnxImportRule> rules) {
            rules.put("ReduceL1", n -> sumOf(n, n.emit().one(Ops.ABS, Attrs.NONE, List.of(n.input(0))), null));
            rules.put("ReduceSumSquare", n -> sumOf(n, n.emit().mul(n.input(0), n.input(0)), null));
            rules.put("ReduceL2", n -> sumOf(n, n.emit().mul(n.input(0), n.input(0)), Ops.SQRT));
            rules.put("ReduceLogSum", n -> sumOf(n, n.input(0), Ops.LOG));
            // log sum exp(x - max) + max, which overflows nowhere
            rules.put("ReduceLogSumExp", n -> {
                Value x = n.input(0);
                Attrs attrs = reduceAttrs(n, 18);
                if (attrs == null) return List.of(x);
                Value shifted = n.emit().sub(x, n.apply1(Ops.MAX, attrs.with("keepdims", true), x));
                Value sum = n.apply1(this, attrs, n.emit().exp(shifted));
                return List.of(n.emit().add(n.emit().log(sum), n.apply1(Ops.MAX, attrs, x)));
            });
        }

        private List<Value> sumOf(ImportNode n, Value terms, Op after) {
            Attrs attrs = reduceAttrs(n, 18);
            Value sum = attrs == null ? terms : n.apply1(this, attrs, terms);
            return List.of(after == null ? sum : n.apply1(after, Attrs.NONE, sum));
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

    /**
     * Index of the largest (argmax) or smallest (argmin) element along attribute "axis" (default 0),
     * the first one on ties or with attribute "last" the last one (ONNX's select_last_index); a NaN
     * wins, as in PyTorch; int64.
     */
    static final class ArgMax extends Op {
        private final boolean min;

        ArgMax(String name, boolean min) {
            super(name, 1, 1);
            this.min = min;
        }

        private String onnxType() {
            return min ? "ArgMin" : "ArgMax";
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            if (in[0].dtype() == DType.BOOL) throw new ShapeException(name() + ": bool input is not supported, got " + in[0]);
            Shape s = in[0].shape();
            int axis = s.axis(attrs.getInt("axis", 0), name());
            if (s.dim(axis) == 0) throw new ShapeException(name() + ": axis " + axis + " of " + s + " is empty");
            return new TensorType[] {new TensorType(DType.INT64, reducedShape(s, new int[] {axis}, attrs.getBool("keepdims", false)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0];
            int axis = x.shape().axis(attrs.getInt("axis", 0), name());
            boolean last = attrs.getBool("last", false);
            int red = x.shape().dim(axis), inner = x.shape().size(axis + 1, x.rank()), outer = x.shape().size(0, axis);
            long[] y = out[0].i64();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * red * inner + i, best = 0;
                    double bv = x.readDouble(base);
                    for (int r = 1; r < red && !Double.isNaN(bv); r++) {
                        double v = x.readDouble(base + r * inner);
                        boolean better = min ? v < bv || (last && v == bv) : v > bv || (last && v == bv);
                        if (better || Double.isNaN(v)) {
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
            Attrs a = node.attrs();
            if (a.getBool("last", false)) {
                out.node(onnxType(), node.inputs(), node.outputs(), "axis", a.getInt("axis", 0), "keepdims", a.getBool("keepdims", false) ? 1 : 0,
                        "select_last_index", 1);
            } else {
                out.node(onnxType(), node.inputs(), node.outputs(), "axis", a.getInt("axis", 0), "keepdims", a.getBool("keepdims", false) ? 1 : 0);
            }
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of(onnxType(), n -> {
                Attrs attrs = Attrs.of("axis", n.getInt("axis", 0), "keepdims", n.getInt("keepdims", 1) != 0);
                if (n.getInt("select_last_index", 0) != 0) attrs = attrs.with("last", true);
                return List.of(n.apply1(this, attrs, n.input(0)));
            });
        }
    }

    /**
     * cumsum(x): running sums along attribute "axis", with ONNX CumSum's "exclusive" (each sum leaves
     * out its own element) and "reverse" (from the end). Its gradient is the cumulative sum of the
     * upstream gradient the other way.
     */
    static final class CumSum extends Op {
        CumSum() {
            super("cumsum", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.numeric(name(), in[0]);
            in[0].shape().axis(attrs.getInt("axis", 0), name());
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], y = out[0];
            Shape s = x.shape();
            int axis = s.axis(attrs.getInt("axis", 0), name());
            boolean exclusive = attrs.getBool("exclusive", false), reverse = attrs.getBool("reverse", false), integer = x.dtype() == DType.INT64;
            int len = s.dim(axis), inner = s.size(axis + 1, s.rank()), outer = s.size(0, axis);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double acc = 0;
                    long iacc = 0;
                    for (int k = 0; k < len; k++) {
                        int at = (o * len + (reverse ? len - 1 - k : k)) * inner + i;
                        if (integer) {
                            long v = x.readLong(at);
                            if (!exclusive) iacc += v;
                            y.setLong(at, iacc);
                            if (exclusive) iacc += v;
                        } else {
                            double v = x.readDouble(at);
                            if (!exclusive) acc += v;
                            y.setDouble(at, acc);
                            if (exclusive) acc += v;
                        }
                    }
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList((V) null);
            return Arrays.asList(e.one(this, attrs.with("reverse", !attrs.getBool("reverse", false)), List.of(gOut.get(0))));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            out.node("CumSum", List.of(node.input(0), out.constant(Tensor.scalar(a.getInt("axis", 0), DType.INT64))), node.outputs(),
                    "exclusive", a.getBool("exclusive", false) ? 1 : 0, "reverse", a.getBool("reverse", false) ? 1 : 0);
        }

        /** The axis is an input, which must be known when the model is read. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("CumSum", n -> List.of(n.apply1(this, Attrs.of("axis", (int) n.constant(1).readLong(0),
                    "exclusive", n.getInt("exclusive", 0) != 0, "reverse", n.getInt("reverse", 0) != 0), n.input(0))));
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
