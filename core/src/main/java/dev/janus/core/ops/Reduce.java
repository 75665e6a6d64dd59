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
        SUM("ReduceSum"), MEAN("ReduceMean"), MAX("ReduceMax"), MIN("ReduceMin"), PROD("ReduceProd");

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
            if (axes.length > 0 && axes[axes.length - 1] - axes[0] != axes.length - 1 && x.dtype() != DType.INT64) {
                reduceStrided(x, axes, out[0]);
                return;
            }
            Block b = Block.of(x, axes);
            if (x.dtype() == DType.INT64) {
                reduce(b.data.i64(), out[0].i64(), b.outer, b.red, b.inner);
                return;
            }
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

        /**
         * Axes that are not adjacent (batch normalisation's statistics: all but the channels): each
         * output element's inputs are read where they lie, with no copy, in the order a copy with
         * the reduced axes moved last would give them (the reduced axes in order), and summed as the
         * heap kernel sums such a copy's rows: the same bits.
         */
        private void reduceStrided(Tensor x, int[] axes, Tensor out) {
            Shape s = x.shape();
            int r = s.rank();
            boolean[] reduced = new boolean[r];
            for (int a : axes) reduced[a] = true;
            int[] off = offsets(s, reduced, true), base = offsets(s, reduced, false);
            Object a = x.heapArray(), y = out.heapArray();
            int grain = (int) Math.max(1, CpuThreads.grain(1) / Math.max(1L, off.length));
            CpuThreads.parallelFor(base.length, grain, (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    if (a instanceof float[]) ((float[]) y)[o] = (float) finish(row((float[]) a, base[o], off), off.length);
                    else ((double[]) y)[o] = finish(row((double[]) a, base[o], off), off.length);
                }
            });
        }

        /** Positions in row-major {@code s} of every element over the axes {@code reduced[i] == over}, the last axis fastest. */
        private static int[] offsets(Shape s, boolean[] reduced, boolean over) {
            int r = s.rank(), count = 1;
            int[] stride = new int[r];
            for (int i = r - 1, st = 1; i >= 0; st *= s.dim(i), i--) stride[i] = st;
            for (int i = 0; i < r; i++) if (reduced[i] == over) count *= s.dim(i);
            int[] off = new int[count], idx = new int[r];
            for (int k = 0; k < count; k++) {
                int p = 0;
                for (int i = 0; i < r; i++) if (reduced[i] == over) p += idx[i] * stride[i];
                off[k] = p;
                for (int i = r - 1; i >= 0; i--) {
                    if (reduced[i] != over) continue;
                    if (++idx[i] < s.dim(i)) break;
                    idx[i] = 0;
                }
            }
            return off;
        }

        // row(), on the elements at base + off[i]: the same operations in the same order.
        private double row(float[] a, int base, int[] off) {
            int n = off.length;
            if (kind == Kind.MAX || kind == Kind.MIN) {
                double m = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) m = kind == Kind.MAX ? Math.max(m, a[base + off[i]]) : Math.min(m, a[base + off[i]]);
                return m;
            }
            if (kind == Kind.PROD) {
                double m = 1;
                for (int i = 0; i < n; i++) m *= a[base + off[i]];
                return m;
            }
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += a[base + off[i]];
                s1 += a[base + off[i + 1]];
                s2 += a[base + off[i + 2]];
                s3 += a[base + off[i + 3]];
            }
            for (; i < n; i++) s0 += a[base + off[i]];
            return (s0 + s1) + (s2 + s3);
        }

        // The float64 kernel's single accumulator (reduce(double[]...) with one column), on the elements at base + off[i].
        private double row(double[] a, int base, int[] off) {
            double[] acc = {kind == Kind.MAX ? Double.NEGATIVE_INFINITY : kind == Kind.MIN ? Double.POSITIVE_INFINITY : kind == Kind.PROD ? 1 : 0};
            for (int v : off) {
                double x = a[base + v];
                switch (kind) {
                    case MAX: acc[0] = Math.max(acc[0], x); break;
                    case MIN: acc[0] = Math.min(acc[0], x); break;
                    case PROD: acc[0] *= x; break;
                    default: acc[0] += x;
                }
            }
            return acc[0];
        }

        /**
         * The kernel for native storage: a float32 input reduced over consecutive axes that leave
         * columns inside them (a bias gradient: a sum over the batch) is read row by row through a
         * small heap buffer and accumulated in the heap kernel's order, so the result has the same
         * bits, without copying the whole input to the heap first. Anything else runs staged.
         */
        Kernel nativeKernel() {
            Kernel staged = new Staged(this);
            return (in, attrs, out, ctx) -> {
                Tensor x = in[0], y = out[0];
                int[] axes = Check.axes(name(), attrs.getIntsOrNull("axes"), x.shape());
                Shape s = x.shape();
                int last = axes.length - 1;
                if (x.dtype() != DType.FLOAT32 || y.storage().kind() != dev.janus.core.backend.StorageKind.HEAP
                        || axes.length == 0 || axes[last] - axes[0] != last || s.size(axes[last] + 1, s.rank()) == 1) {
                    staged.compute(in, attrs, out, ctx);
                    return;
                }
                int outer = s.size(0, axes[0]), red = s.size(axes[0], axes[last] + 1), inner = s.size(axes[last] + 1, s.rank());
                float[] z = y.f32();
                // Columns split among threads as in the heap kernel; each element's order is unchanged.
                int grain = (int) Math.max(16, CpuThreads.grain(1) / Math.max(1L, (long) outer * red));
                CpuThreads.parallelFor(inner, grain, (i0, i1) -> reduceRows(x, z, outer, red, inner, i0, i1));
            };
        }

        // Columns [i0, i1) of x seen as [outer, red, inner], through a heap buffer: whole rows
        // (consecutive in memory) several per copy, a part of a row one per copy; every row is
        // accumulated in order, as the heap kernel does.
        private void reduceRows(Tensor x, float[] y, int outer, int red, int inner, int i0, int i1) {
            double[] acc = accumulators(inner);
            int width = i1 - i0, rowsPerCopy = width == inner ? Math.max(1, Math.min(red, ROWS_ELEMENTS / inner)) : 1;
            float[] buf = ROW.get();
            if (buf.length < rowsPerCopy * width + i0) ROW.set(buf = new float[Math.max(rowsPerCopy * width + i0, 2 * buf.length)]);
            for (int o = 0; o < outer; o++) {
                start(acc, i0, i1);
                for (int r = 0; r < red; r += rowsPerCopy) {
                    int rows = Math.min(rowsPerCopy, red - r);
                    // The first row lands at the accumulators' own positions (i0 on), the rest follow.
                    x.storage().toHost((o * red + r) * inner + i0, buf, i0, rows * width);
                    accumulate(acc, buf, 0, rows, width, i0, i1);
                }
                for (int i = i0; i < i1; i++) y[o * inner + i] = (float) finish(acc[i], red);
            }
        }

        // acc[i] op= each of `rows` rows (row q at buf[base + q * width + i]) in turn, for i in [i0, i1).
        private void accumulate(double[] acc, float[] buf, int base, int rows, int width, int i0, int i1) {
            int q = 0;
            if (kind == Kind.SUM || kind == Kind.MEAN) {
                // Four rows per pass over the accumulators: the same additions in the same order, a fifth faster.
                for (; q + 4 <= rows; q += 4) {
                    int d0 = base + q * width, d1 = d0 + width, d2 = d1 + width, d3 = d2 + width;
                    for (int i = i0; i < i1; i++) acc[i] = (((acc[i] + buf[d0 + i]) + buf[d1 + i]) + buf[d2 + i]) + buf[d3 + i];
                }
            }
            for (; q < rows; q++) {
                int d = base + q * width;
                switch (kind) {
                    case MAX: for (int i = i0; i < i1; i++) acc[i] = Math.max(acc[i], buf[d + i]); break;
                    case MIN: for (int i = i0; i < i1; i++) acc[i] = Math.min(acc[i], buf[d + i]); break;
                    case PROD: for (int i = i0; i < i1; i++) acc[i] *= buf[d + i]; break;
                    default: for (int i = i0; i < i1; i++) acc[i] += buf[d + i];
                }
            }
        }

        /** Floats copied from native memory at once when whole rows are read: 16 KB, inside the first-level cache. */
        private static final int ROWS_ELEMENTS = 4096;

        private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[256]);

        // Integers (int64, the others widened to it): sums wrap, as ONNX's do.
        private void reduce(long[] a, long[] y, int outer, int red, int inner) {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    long acc = kind == Kind.MAX ? Long.MIN_VALUE : kind == Kind.MIN ? Long.MAX_VALUE : kind == Kind.PROD ? 1 : 0;
                    for (int r = 0, p = o * red * inner + i; r < red; r++, p += inner) {
                        switch (kind) {
                            case MAX: acc = Math.max(acc, a[p]); break;
                            case MIN: acc = Math.min(acc, a[p]); break;
                            case PROD: acc *= a[p]; break;
                            default: acc += a[p];
                        }
                    }
                    y[o * inner + i] = acc;
                }
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
                start(acc, i0, i1);
                accumulate(acc, a, o * red * inner, red, inner, i0, i1);
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
                        case PROD: for (int i = i0; i < i1; i++) acc[i] *= a[p + i]; break;
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
            if (kind == Kind.PROD) {
                double m = 1;
                for (int i = 0; i < n; i++) m *= a[p + i];
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
            Arrays.fill(acc, from, to, kind == Kind.MAX ? Double.NEGATIVE_INFINITY : kind == Kind.MIN ? Double.POSITIVE_INFINITY : kind == Kind.PROD ? 1 : 0);
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

        /** GlobalAveragePool and GlobalMaxPool are the mean and the max over the spatial axes, kept. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            Map<String, OnnxImportRule> rules = new HashMap<>();
            rules.put(kind.onnxType, this::importReduce);
            if (kind == Kind.SUM) sumsOf(rules);
            OnnxImportRule global = n -> {
                int rank = n.input(0).type().rank();
                if (rank < 3) throw n.error("input must be [batch, channels, spatial...], got " + n.input(0).type());
                int[] spatial = new int[rank - 2];
                for (int i = 0; i < spatial.length; i++) spatial[i] = i + 2;
                return List.of(n.apply1(this, Attrs.of("axes", spatial, "keepdims", true), n.input(0)));
            };
            if (kind == Kind.MEAN) rules.put("GlobalAveragePool", global);
            if (kind == Kind.MAX) rules.put("GlobalMaxPool", global);
            return rules;
        }

        // ONNX keeps dims by default; empty or absent axes mean all, unless noop_with_empty_axes is set.
        private List<Value> importReduce(ImportNode n) {
            Attrs attrs = reduceAttrs(n, kind.axesInputSince());
            Value x = n.input(0);
            if (attrs == null) return List.of(x);
            if (kind == Kind.MAX || kind == Kind.MIN) {
                // bool (opset 20): the max is an any, the min an all
                if (x.type().dtype() == DType.BOOL) {
                    return List.of(n.emit().cast(n.apply1(this, attrs, n.emit().cast(x, DType.INT64)), DType.BOOL));
                }
                Value empty = emptySet(n, x, attrs, kind == Kind.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                if (empty != null) return List.of(empty);
            }
            return List.of(n.apply1(this, attrs, x));
        }

        /**
         * ONNX's reduction over an empty set (opset 18 on): the identity of the reduction, -inf for
         * a max, +inf for a min, as a constant when the output's shape is known; null when no
         * reduced axis is empty.
         */
        private static Value emptySet(ImportNode n, Value x, Attrs attrs, double identity) {
            Shape s = x.type().shape();
            int[] axes = Check.axes(n.opType(), attrs.getIntsOrNull("axes"), s);
            boolean empty = false;
            for (int a : axes) empty |= s.dim(a) == 0;
            Shape out = reducedShape(s, axes, attrs.getBool("keepdims", false));
            if (!empty || !out.isStatic() || !x.type().dtype().isFloating()) return null;
            return n.emit().constant(Tensor.full(identity, x.type().dtype(), out));
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
            rules.put("LpNormalization", this::importLpNormalization);
            rules.put("ReduceL1", n -> sumOf(n, n.emit().one(Ops.ABS, Attrs.NONE, List.of(n.input(0))), null));
            rules.put("ReduceSumSquare", n -> sumOf(n, n.emit().mul(n.input(0), n.input(0)), null));
            rules.put("ReduceL2", n -> sumOf(n, n.emit().mul(n.input(0), n.input(0)), Ops.SQRT));
            rules.put("ReduceLogSum", n -> sumOf(n, n.input(0), Ops.LOG));
            // log sum exp(x - max) + max, which overflows nowhere
            rules.put("ReduceLogSumExp", n -> {
                Value x = n.input(0);
                Attrs attrs = reduceAttrs(n, 18);
                if (attrs == null) return List.of(x);
                Value empty = emptySet(n, x, attrs, Double.NEGATIVE_INFINITY);   // log of an empty sum
                if (empty != null) return List.of(empty);
                Value shifted = n.emit().sub(x, n.apply1(Ops.MAX, attrs.with("keepdims", true), x));
                Value sum = n.apply1(this, attrs, n.emit().exp(shifted));
                return List.of(n.emit().add(n.emit().log(sum), n.apply1(Ops.MAX, attrs, x)));
            });
        }

        /** LpNormalization (p 1 or 2) divides x by its p-norm along "axis" (default -1); a zero norm gives 0, as in ONNX's reference. */
        private List<Value> importLpNormalization(ImportNode n) {
            Value x = n.input(0);
            int axis = x.type().shape().axis(n.getInt("axis", -1), n.opType());
            int p = n.getInt("p", 2);
            if (p != 1 && p != 2) throw n.error("p must be 1 or 2, got " + p);
            Emitter<Value> e = n.emit();
            Value terms = p == 1 ? n.apply1(Ops.ABS, Attrs.NONE, x) : e.mul(x, x);
            Value norm = n.apply1(this, Attrs.of("axes", new int[] {axis}, "keepdims", true), terms);
            if (p == 2) norm = e.sqrt(norm);
            // a zero norm gives 0, not 0/0
            Value zero = e.scalar(0, x.type().dtype());
            return List.of(e.where(e.equal(norm, zero), zero, e.div(x, norm)));
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
                case PROD:
                    return Arrays.asList(e.mul(e.expand(gk, xs), productOfOthers(e, x, axes)));
                default: {
                    // The extreme elements share the gradient equally, as PyTorch's amax/amin do.
                    V mask = e.cast(e.equal(x, e.expand(e.reshape(out.get(0), keep), xs)), e.dtype(x));
                    V count = e.sum(mask, axes, true);
                    return Arrays.asList(e.mul(mask, e.div(gk, count)));
                }
            }
        }
        /**
         * d prod / d x_i, the product of the other elements of x_i's reduction: prod / x_i where the
         * reduction holds no zero; where it holds exactly one, the product of the rest at the zero and 0
         * elsewhere; where it holds more, 0. Never a division by zero, so a zero gets its true gradient.
         */
        private <V> V productOfOthers(Emitter<V> e, V x, int[] axes) {
            Shape xs = e.shape(x);
            DType dt = e.dtype(x);
            V zero = e.equal(x, e.scalar(0, dt));
            V safe = e.where(zero, e.scalar(1, dt), x);
            V zeros = e.expand(e.sum(e.cast(zero, dt), axes, true), xs);
            V rest = e.expand(e.one(this, Attrs.of("axes", axes, "keepdims", true), List.of(safe)), xs);
            V none = e.equal(zeros, e.scalar(0, dt)), one = e.equal(zeros, e.scalar(1, dt));
            return e.where(none, e.div(rest, safe), e.where(zero, e.where(one, rest, e.scalar(0, dt)), e.scalar(0, dt)));
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
            Map<String, OnnxImportRule> rules = new HashMap<>();
            rules.put(onnxType(), n -> {
                Attrs attrs = Attrs.of("axis", n.getInt("axis", 0), "keepdims", n.getInt("keepdims", 1) != 0);
                if (n.getInt("select_last_index", 0) != 0) attrs = attrs.with("last", true);
                return List.of(n.apply1(this, attrs, n.input(0)));
            });
            if (!min) rules.put("Hardmax", this::importHardmax);
            return rules;
        }

        /**
         * Hardmax: 1 at the first largest element along "axis", 0 elsewhere; one_hot of argmax along
         * the last axis (the axis swapped there and back). Before opset 13 the input is seen as a
         * matrix split at "axis" (default 1).
         */
        private List<Value> importHardmax(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            if (!s.isStatic() || s.rank() == 0) throw n.error("input must have known sizes and rank 1 or more, got " + x.type());
            Emitter<Value> e = n.emit();
            Value v = x;
            int axis;
            if (n.opset() < 13) {
                int split = n.getInt("axis", 1);
                if (split < 0) split += s.rank();
                if (split < 0 || split > s.rank()) throw n.error("axis " + n.getInt("axis", 1) + " is out of range for " + s);
                v = e.reshape(x, Shape.of(s.size(0, split), s.size(split, s.rank())));
                axis = 1;
            } else {
                axis = s.axis(n.getInt("axis", -1), n.opType());
            }
            int last = v.type().rank() - 1;
            int[] swap = new int[last + 1];
            for (int i = 0; i <= last; i++) swap[i] = i == axis ? last : i == last ? axis : i;
            Value moved = axis == last ? v : e.transpose(v, swap);
            Value index = n.apply1(this, Attrs.of("axis", last, "keepdims", false), moved);
            Value hot = e.oneHot(index, v.type().shape().dim(axis), x.type().dtype());
            return List.of(e.reshape(axis == last ? hot : e.transpose(hot, swap), s));
        }
    }

    /**
     * top_k(x) -> (values, indices): the "k" largest elements along attribute "axis" (default -1),
     * or the smallest with "largest" false, in order, ties to the lower index (ONNX's TopK; a NaN
     * counts as the largest). Its gradient scatters the upstream gradient of the values back to the
     * places they came from.
     */
    static final class TopK extends Op {
        TopK() {
            super("top_k", 1, 1);
        }

        @Override
        public int outputCount() {
            return 2;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.numeric(name(), in[0]);
            Shape s = in[0].shape();
            int axis = s.axis(attrs.getInt("axis", -1), name()), k = attrs.getInt("k");
            if (k < 0 || (s.dim(axis) != Shape.DYNAMIC && k > s.dim(axis))) throw new ShapeException(name() + ": k " + k + " is out of range for axis " + axis + " of " + s);
            Shape out = s.with(axis, k);
            return new TensorType[] {in[0].withShape(out), new TensorType(DType.INT64, out)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0];
            Shape s = x.shape();
            int axis = s.axis(attrs.getInt("axis", -1), name()), k = attrs.getInt("k"), d = s.dim(axis);
            int inner = s.size(axis + 1, s.rank()), outer = s.size(0, axis);
            boolean largest = attrs.getBool("largest", true), floating = x.dtype().isFloating();
            Integer[] order = new Integer[d];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * d * inner + i;
                    for (int j = 0; j < d; j++) order[j] = j;
                    java.util.Comparator<Integer> byValue = floating
                            ? (p, q) -> Double.compare(x.readDouble(base + p * inner), x.readDouble(base + q * inner))
                            : (p, q) -> Long.compare(x.readLong(base + p * inner), x.readLong(base + q * inner));
                    Arrays.sort(order, (largest ? byValue.reversed() : byValue).thenComparing(j -> j));
                    int at = o * k * inner + i;
                    for (int j = 0; j < k; j++) {
                        int from = base + order[j] * inner, to = at + j * inner;
                        if (floating) out[0].setDouble(to, x.readDouble(from));
                        else out[0].setLong(to, x.readLong(from));
                        out[1].setLong(to, order[j]);
                    }
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0] || gOut.get(0) == null) return Arrays.asList((V) null);
            V x = in.get(0);
            int axis = e.shape(x).axis(attrs.getInt("axis", -1), name());
            return Arrays.asList(e.one(Ops.SCATTER_ELEMENTS, Attrs.of("axis", axis, "reduction", "add"),
                    List.of(e.zeros(e.type(x)), out.get(1), gOut.get(0))));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            out.node("TopK", List.of(node.input(0), out.int64s(a.getInt("k"))), node.outputs(),
                    "axis", a.getInt("axis", -1), "largest", a.getBool("largest", true) ? 1 : 0, "sorted", 1);
        }

        /** K is an attribute before opset 10, a (known) input after; sorted 0 allows any order, so sorted is as good. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("TopK", n -> {
                long k = n.opset() < 10 ? n.getInt("k", -1) : n.constant(1).readLong(0);
                if (k < 0 || k > Integer.MAX_VALUE) throw n.error("k must be a non-negative int, got " + k);
                Attrs a = Attrs.of("k", (int) k, "axis", n.getInt("axis", -1), "largest", n.getInt("largest", 1) != 0);
                n.getInt("sorted", 1);   // read so that the importer accepts it: the output is always sorted, which sorted 0 allows
                return n.emit().apply(this, a, List.of(n.input(0)));
            });
        }
    }

    /**
     * cumsum(x) and cumprod(x): running sums or products along attribute "axis", with ONNX's
     * "exclusive" (each result leaves out its own element) and "reverse" (from the end). The gradient
     * of a sum is the cumulative sum of the upstream gradient the other way; that of a product is the
     * same of g y / x, with zeros handled without dividing by them ({@link #productGradient}).
     */
    static final class Cumulative extends Op {
        private final boolean product;

        Cumulative(boolean product) {
            super(product ? "cumprod" : "cumsum", 1, 1);
            this.product = product;
        }

        private String onnxType() {
            return product ? "CumProd" : "CumSum";
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
                    double acc = product ? 1 : 0;
                    long iacc = product ? 1 : 0;
                    for (int k = 0; k < len; k++) {
                        int at = (o * len + (reverse ? len - 1 - k : k)) * inner + i;
                        if (integer) {
                            long v = x.readLong(at);
                            if (!exclusive) iacc = product ? iacc * v : iacc + v;
                            y.setLong(at, iacc);
                            if (exclusive) iacc = product ? iacc * v : iacc + v;
                        } else {
                            double v = x.readDouble(at);
                            if (!exclusive) acc = product ? acc * v : acc + v;
                            y.setDouble(at, acc);
                            if (exclusive) acc = product ? acc * v : acc + v;
                        }
                    }
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList((V) null);
            Attrs back = attrs.with("reverse", !attrs.getBool("reverse", false));
            if (!product) return Arrays.asList(e.one(this, back, List.of(gOut.get(0))));
            return Arrays.asList(productGradient(e, attrs, back, in.get(0), out.get(0), gOut.get(0)));
        }

        /**
         * d/dx_i of sum_k g_k y_k, y_k the running product: where no zero comes before x_i (in the
         * scan's order) and x_i is not one, sum over the later y_k of g_k y_k / x_i (a cumulative sum
         * the other way); at the first zero z, the same sum of g_k times the running product with x_z
         * taken as 1; after it, 0 (every product there holds x_z).
         */
        private <V> V productGradient(Emitter<V> e, Attrs attrs, Attrs back, V x, V y, V g) {
            DType dt = e.dtype(x);
            V zero = e.equal(x, e.scalar(0, dt)), one = e.scalar(1, dt), none = e.scalar(0, dt);
            V zerosBefore = e.one(Ops.CUMSUM, attrs.with("exclusive", true), List.of(e.cast(zero, dt)));
            V clear = e.equal(zerosBefore, none);
            V before = e.one(Ops.AND, Attrs.NONE, List.of(clear, e.one(Ops.NOT, Attrs.NONE, List.of(zero))));
            V first = e.one(Ops.AND, Attrs.NONE, List.of(clear, zero));
            V beforeGrad = e.div(e.one(Ops.CUMSUM, back, List.of(e.mul(g, y))), e.where(zero, one, x));
            V skipped = e.one(this, attrs, List.of(e.where(first, one, x)));
            V firstGrad = e.one(Ops.CUMSUM, back, List.of(e.mul(g, skipped)));
            return e.where(before, beforeGrad, e.where(first, firstGrad, none));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            if (product) {
                productToOnnx(node, out);
                return;
            }
            out.node("CumSum", List.of(node.input(0), out.constant(Tensor.scalar(a.getInt("axis", 0), DType.INT64))), node.outputs(),
                    "exclusive", a.getBool("exclusive", false) ? 1 : 0, "reverse", a.getBool("reverse", false) ? 1 : 0);
        }

        /**
         * ONNX has CumProd only from opset 26, past what Janus exports: y_k is written as the product
         * over j of where(mask[k, j], x_j, 1), mask[k, j] saying whether x_j enters y_k (j <= k, or
         * j < k when exclusive, mirrored when reverse), so the axis's length must be known.
         */
        private void productToOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            Shape s = node.inputType(0).shape();
            int axis = s.axis(a.getInt("axis", 0), name()), n = s.dim(axis);
            if (n == Shape.DYNAMIC) throw node.error("the length of axis " + axis + " of " + s + " must be known to export cumprod before opset 26");
            boolean exclusive = a.getBool("exclusive", false), reverse = a.getBool("reverse", false);
            boolean[] mask = new boolean[n * n];
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) mask[k * n + j] = reverse ? (exclusive ? j > k : j >= k) : (exclusive ? j < k : j <= k);
            }
            int[] dims = new int[s.rank() + 1];
            Arrays.fill(dims, 1);
            dims[axis] = n;
            dims[axis + 1] = n;
            String spread = out.emit("Unsqueeze", List.of(node.input(0), out.int64s(axis)));
            String masked = out.emit("Where", List.of(out.constant(Tensor.of(mask, dims)), spread,
                    out.constant(Tensor.scalar(1, node.inputType(0).dtype()))));
            Reduce.reduceToOnnx(out, Kind.PROD, masked, new int[] {axis + 1}, false, node.output(0));
        }

        /** The axis is an input, which must be known when the model is read. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of(onnxType(), n -> List.of(n.apply1(this, Attrs.of("axis", (int) n.constant(1).readLong(0),
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
