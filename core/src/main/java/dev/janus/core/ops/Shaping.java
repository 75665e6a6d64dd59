package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Messages;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Ops that move elements without arithmetic: reshape, transpose, expand, concat, slice, gather. */
final class Shaping {
    private Shaping() {
    }

    // ------------------------------------------------------------ strided copy, shared

    /**
     * Copies a block of {@code shape}: dst[dOff + sum i_k dStr_k] = src[sOff + sum i_k sStr_k]. Works for
     * every storage type; the innermost axis is a run (an arraycopy when both strides are 1).
     */
    static void copy(Object src, int sOff, int[] sStr, Object dst, int dOff, int[] dStr, Shape shape) {
        int r = shape.rank();
        if (shape.size() == 0) return;
        if (r == 0) {
            System.arraycopy(src, sOff, dst, dOff, 1);
            return;
        }
        int n = shape.dim(r - 1), ss = sStr[r - 1], ds = dStr[r - 1], outer = shape.size() / n;
        int[] idx = new int[r - 1];
        int so = sOff, d = dOff;
        for (int c = 0; c < outer; c++) {
            run(src, so, ss, dst, d, ds, n);
            for (int ax = r - 2; ax >= 0; ax--) {
                idx[ax]++;
                so += sStr[ax];
                d += dStr[ax];
                if (idx[ax] < shape.dim(ax)) break;
                so -= sStr[ax] * shape.dim(ax);
                d -= dStr[ax] * shape.dim(ax);
                idx[ax] = 0;
            }
        }
    }

    private static void run(Object src, int so, int ss, Object dst, int d, int ds, int n) {
        if (ss == 1 && ds == 1) {
            System.arraycopy(src, so, dst, d, n);
        } else if (src instanceof float[]) {
            float[] s = (float[]) src, t = (float[]) dst;
            for (int i = 0; i < n; i++) t[d + i * ds] = s[so + i * ss];
        } else if (src instanceof double[]) {
            double[] s = (double[]) src, t = (double[]) dst;
            for (int i = 0; i < n; i++) t[d + i * ds] = s[so + i * ss];
        } else if (src instanceof long[]) {
            long[] s = (long[]) src, t = (long[]) dst;
            for (int i = 0; i < n; i++) t[d + i * ds] = s[so + i * ss];
        } else {
            boolean[] s = (boolean[]) src, t = (boolean[]) dst;
            for (int i = 0; i < n; i++) t[d + i * ds] = s[so + i * ss];
        }
    }

    static Object storage(Tensor t) {
        switch (t.dtype()) {
            case FLOAT32: return t.f32();
            case FLOAT64: return t.f64();
            case INT64: return t.i64();
            default: return t.bool();
        }
    }

    /** A new tensor with the axes reordered: result axis i is input axis perm[i]. */
    static Tensor permute(Tensor x, int[] perm) {
        Shape s = x.shape();
        int[] dims = new int[perm.length], str = new int[perm.length], xs = s.strides();
        for (int i = 0; i < perm.length; i++) {
            dims[i] = s.dim(perm[i]);
            str[i] = xs[perm[i]];
        }
        Tensor out = Tensor.empty(x.dtype(), Shape.of(dims));
        copy(storage(x), 0, str, storage(out), 0, out.shape().strides(), out.shape());
        return out;
    }

    private static <V> List<V> only(V g) {
        return Arrays.asList(g);
    }

    /**
     * Imports a reshape of {@code x} to {@code target}, where an unknown (-1) target dimension equals
     * input dimension {@code source[i]} (-1: a product of several). The reshape attribute copies
     * (0) an unknown dimension that keeps its position and infers (-1) one other.
     */
    static Value reshapeTo(ImportNode n, Value x, int[] target, int[] source) {
        int[] shape = target.clone();
        int inferred = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != Shape.DYNAMIC || source[i] == i) {
                if (shape[i] == Shape.DYNAMIC) shape[i] = 0;
                continue;
            }
            if (inferred >= 0) {
                throw n.error("cannot reshape " + x.type().shape() + " to " + Shape.of(target)
                        + " with more than one unknown dimension moving");
            }
            inferred = i;
        }
        return n.apply1(Ops.RESHAPE, Attrs.of("shape", shape), x);
    }

    /** Product of dims[from..to), or unknown (-1) when one of them is. */
    static int product(Shape s, int from, int to) {
        for (int i = from; i < to; i++) if (s.dim(i) == Shape.DYNAMIC) return Shape.DYNAMIC;
        return s.size(from, to);
    }

    private static int[] ints(List<Integer> v) {
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------ reshape

    /** Attribute "shape": -1 is inferred from the element count, 0 keeps the input's dimension (ONNX). */
    static final class Reshape extends Op {
        Reshape() {
            super("reshape", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0].withShape(target(in[0].shape(), attrs.getInts("shape")))};
        }

        private Shape target(Shape s, int[] want) {
            int[] out = new int[want.length];
            int infer = -1;
            for (int i = 0; i < want.length; i++) {
                int w = want[i];
                if (w == 0) {
                    if (i >= s.rank()) throw error(s, want, "0 at position " + i + " has no input dimension to copy");
                    w = s.dim(i);
                } else if (w == -1) {
                    if (infer >= 0) throw error(s, want, "more than one -1");
                    infer = i;
                } else if (w < -1) {
                    throw error(s, want, "dimension " + w + " is negative");
                }
                out[i] = w;
            }
            // An unknown input dimension copied to its own place (a 0) is a factor of both sides and
            // cancels, so [?, 4, 3] into [0, 0, -1] is [?, 4, 3]; any other unknown leaves -1 unknown.
            long total = 1, known = 1;
            for (int i = 0; i < s.rank(); i++) {
                boolean copied = i < want.length && want[i] == 0;
                if (s.dim(i) == Shape.DYNAMIC && !copied) return Shape.of(out);
                if (s.dim(i) != Shape.DYNAMIC) total = saturated(total * s.dim(i));
            }
            if (total > Shape.MAX_ELEMENTS) throw error(s, want, "the input has more elements than a tensor holds");
            for (int i = 0; i < out.length; i++) if (i != infer && out[i] != Shape.DYNAMIC) known = saturated(known * out[i]);
            if (infer >= 0) {
                if (known == 0 || total % known != 0 || total / known > Shape.MAX_ELEMENTS) throw error(s, want, null);
                out[infer] = (int) (total / known);
            } else if (known != total) {
                throw error(s, want, null);
            }
            return Shape.of(out);
        }

        /** Products of dimensions stop just past the largest tensor: they never wrap round. */
        private static long saturated(long product) {
            return Math.min(product, Shape.MAX_ELEMENTS + 1L);
        }

        private ShapeException error(Shape s, int[] want, String why) {
            String size = s.isStatic() ? " (" + s.size() + " elements)" : "";
            return new ShapeException("reshape: cannot reshape " + s + size + " into " + Messages.list(want)
                    + (why == null ? "" : ": " + why));
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            System.arraycopy(storage(in[0]), 0, storage(out[0]), 0, in[0].numel());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return only(wanted[0] ? e.reshape(gOut.get(0), e.shape(in.get(0))) : null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Reshape", List.of(node.input(0), out.int64s(node.attrs().getInts("shape"))), node.outputs());
        }

        /** Flatten, Squeeze and Unsqueeze are reshapes too. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Reshape", this::importReshape, "Flatten", this::importFlatten,
                    "Squeeze", this::importSqueeze, "Unsqueeze", this::importUnsqueeze);
        }

        private List<Value> importReshape(ImportNode n) {
            long[] shape = n.constant(1).toLongArray();
            if (n.getInt("allowzero", 0) != 0) {
                for (long d : shape) if (d == 0) throw n.error("allowzero=1 with a 0 in the shape (an empty dimension) is not supported");
            }
            return List.of(n.apply1(this, Attrs.of("shape", shape), n.input(0)));
        }

        private List<Value> importFlatten(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int r = s.rank(), axis = n.getInt("axis", 1);
            if (axis < -r || axis > r) throw n.error("axis " + axis + " is out of range for rank " + r);
            if (axis < 0) axis += r;
            int[] target = {product(s, 0, axis), product(s, axis, r)};
            int[] source = {axis == 1 ? 0 : -1, axis == 1 && r == 2 ? 1 : -1};
            return List.of(reshapeTo(n, x, target, source));
        }

        private List<Value> importSqueeze(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            long[] axes = n.opset() < 13 ? n.getInts("axes") : n.hasInput(1) ? n.constant(1).toLongArray() : null;
            boolean[] drop = new boolean[s.rank()];
            if (axes == null) {
                for (int i = 0; i < s.rank(); i++) {
                    if (s.dim(i) == Shape.DYNAMIC) throw n.error("without axes, the unknown dimension " + i + " of " + s + " may or may not be squeezed");
                    drop[i] = s.dim(i) == 1;
                }
            } else {
                for (long a : axes) {
                    int k = s.axis((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, a)), "Squeeze");
                    if (s.dim(k) != 1 && s.dim(k) != Shape.DYNAMIC) throw n.error("cannot squeeze axis " + a + " of " + s + ", its size is not 1");
                    drop[k] = true;
                }
            }
            List<Integer> target = new ArrayList<>(), source = new ArrayList<>();
            for (int i = 0; i < s.rank(); i++) {
                if (drop[i]) continue;
                target.add(s.dim(i));
                source.add(i);
            }
            return List.of(reshapeTo(n, x, ints(target), ints(source)));
        }

        private List<Value> importUnsqueeze(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            long[] axes = n.opset() < 13 ? n.getInts("axes") : n.constant(1).toLongArray();
            if (axes == null) throw n.error("the axes are missing");
            Shape outRank = Shape.of(new int[s.rank() + axes.length]);
            boolean[] inserted = new boolean[outRank.rank()];
            for (long a : axes) {
                int k = outRank.axis((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, a)), "Unsqueeze");
                if (inserted[k]) throw n.error("axis " + a + " is given twice");
                inserted[k] = true;
            }
            int[] target = new int[inserted.length], source = new int[inserted.length];
            for (int i = 0, j = 0; i < inserted.length; i++) {
                target[i] = inserted[i] ? 1 : s.dim(j);
                source[i] = inserted[i] ? -1 : j++;
            }
            return List.of(reshapeTo(n, x, target, source));
        }
    }

    // ------------------------------------------------------------ transpose

    /** Attribute "perm" (default: reversed axes): output axis i is input axis perm[i]. */
    static final class Transpose extends Op {
        Transpose() {
            super("transpose", 1, 1);
        }

        static int[] perm(Attrs attrs, int rank) {
            int[] p = attrs.getIntsOrNull("perm");
            if (p == null) {
                p = new int[rank];
                for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
                return p;
            }
            boolean[] seen = new boolean[rank];
            boolean ok = p.length == rank;
            for (int i = 0; ok && i < p.length; i++) {
                if (p[i] < 0 || p[i] >= rank || seen[p[i]]) ok = false;
                else seen[p[i]] = true;
            }
            if (!ok) throw new ShapeException("transpose: perm " + Messages.list(p) + " is not a permutation of " + rank + " axes");
            return p;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Shape s = in[0].shape();
            int[] p = perm(attrs, s.rank()), d = new int[p.length];
            for (int i = 0; i < p.length; i++) d[i] = s.dim(p[i]);
            return new TensorType[] {in[0].withShape(Shape.of(d))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            int[] p = perm(attrs, s.rank()), xs = s.strides(), str = new int[p.length];
            for (int i = 0; i < p.length; i++) str[i] = xs[p[i]];
            copy(storage(in[0]), 0, str, storage(out[0]), 0, out[0].shape().strides(), out[0].shape());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return only(null);
            int[] p = perm(attrs, e.shape(in.get(0)).rank()), inv = new int[p.length];
            for (int i = 0; i < p.length; i++) inv[p[i]] = i;
            return only(e.transpose(gOut.get(0), inv));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Transpose", node.inputs(), node.outputs(), "perm", perm(node.attrs(), node.inputType(0).rank()));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Transpose", n -> {
                long[] perm = n.getInts("perm");
                return List.of(n.apply1(this, perm == null ? Attrs.NONE : Attrs.of("perm", perm), n.input(0)));
            });
        }
    }

    // ------------------------------------------------------------ expand

    /** Broadcasts the input against attribute "shape" (ONNX Expand: either side may be 1). */
    static final class Expand extends Op {
        Expand() {
            super("expand", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0].withShape(Shape.broadcast(name(), in[0].shape(), Shape.of(attrs.getInts("shape"))))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape os = out[0].shape(), xs = in[0].shape();
            int r = os.rank(), pad = r - xs.rank();
            int[] xStr = xs.strides(), str = new int[r];
            for (int i = pad; i < r; i++) str[i] = xs.dim(i - pad) == 1 ? 0 : xStr[i - pad];
            copy(storage(in[0]), 0, str, storage(out[0]), 0, os.strides(), os);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return only(wanted[0] ? e.sumTo(gOut.get(0), e.shape(in.get(0))) : null);
        }

        /** An unknown (-1) target dimension is the input's own; ONNX's Expand keeps that for a 1. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            int[] shape = node.attrs().getInts("shape");
            for (int i = 0; i < shape.length; i++) if (shape[i] == Shape.DYNAMIC) shape[i] = 1;
            out.node("Expand", List.of(node.input(0), out.int64s(shape)), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Expand", n -> List.of(n.apply1(this, Attrs.of("shape", n.constant(1).toLongArray()), n.input(0))));
        }
    }

    // ------------------------------------------------------------ concat

    /** Joins inputs along attribute "axis"; all other dimensions must agree. */
    static final class Concat extends Op {
        Concat() {
            super("concat", 1, Integer.MAX_VALUE);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Shape first = in[0].shape();
            int axis = first.axis(attrs.getInt("axis"), name());
            int total = 0;
            for (int k = 0; k < in.length; k++) {
                Shape s = in[k].shape();
                Check.sameDType(name(), in[0], in[k]);
                boolean ok = s.rank() == first.rank();
                for (int i = 0; ok && i < s.rank(); i++) {
                    if (i != axis && s.dim(i) != first.dim(i) && s.dim(i) != Shape.DYNAMIC && first.dim(i) != Shape.DYNAMIC) ok = false;
                }
                if (!ok) {
                    throw new ShapeException("concat: input " + k + " has shape " + s + ", which does not match input 0's "
                            + first + " outside axis " + axis);
                }
                total = total == Shape.DYNAMIC || s.dim(axis) == Shape.DYNAMIC ? Shape.DYNAMIC : total + s.dim(axis);
            }
            return new TensorType[] {in[0].withShape(first.with(axis, total))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape os = out[0].shape();
            int axis = os.axis(attrs.getInt("axis"), name());
            int inner = os.size(axis + 1, os.rank()), outer = os.size(0, axis), row = os.dim(axis) * inner;
            Object dst = storage(out[0]);
            int at = 0;
            for (Tensor t : in) {
                int len = t.shape().dim(axis) * inner;
                Object src = storage(t);
                for (int o = 0; o < outer; o++) System.arraycopy(src, o * len, dst, o * row + at, len);
                at += len;
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            int axis = e.shape(out.get(0)).axis(attrs.getInt("axis"), name());
            List<V> grads = new ArrayList<>();
            int at = 0;
            for (int k = 0; k < in.size(); k++) {
                int d = e.shape(in.get(k)).dim(axis);
                grads.add(wanted[k] ? e.one(Ops.SLICE, Attrs.of("starts", new int[] {at}, "ends", new int[] {at + d},
                        "axes", new int[] {axis}), List.of(gOut.get(0))) : null);
                at += d;
            }
            return grads;
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Concat", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis"));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Concat", n -> {
                if (!n.has("axis")) throw n.error("the axis attribute is missing");
                return List.of(n.emit().one(this, Attrs.of("axis", n.getInt("axis", 0)), n.inputs()));
            });
        }
    }

    // ------------------------------------------------------------ slice

    /** Start, step and count of each axis of a slice, with ONNX's clamping of starts and ends. */
    static final class Region {
        final int[] start, step, count;

        Region(Shape s, Attrs attrs, String op) {
            int r = s.rank();
            start = new int[r];
            step = new int[r];
            count = new int[r];
            for (int i = 0; i < r; i++) {
                step[i] = 1;
                count[i] = s.dim(i);
            }
            int[] starts = attrs.getInts("starts"), ends = attrs.getInts("ends");
            int[] axes = attrs.getIntsOrNull("axes"), steps = attrs.getIntsOrNull("steps");
            if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                    || (steps != null && steps.length != starts.length)) {
                throw new ShapeException(op + ": starts, ends, axes and steps must have the same length, got "
                        + Messages.list(starts) + ", " + Messages.list(ends) + ", " + Messages.list(axes) + ", " + Messages.list(steps));
            }
            boolean[] seen = new boolean[r];
            for (int k = 0; k < starts.length; k++) {
                int a = s.axis(axes == null ? k : axes[k], op);
                if (seen[a]) throw new ShapeException(op + ": axis " + a + " is sliced twice");
                seen[a] = true;
                int st = steps == null ? 1 : steps[k], d = s.dim(a);
                if (st == 0) throw new ShapeException(op + ": step for axis " + a + " is 0");
                step[a] = st;
                if (d == Shape.DYNAMIC) {
                    count[a] = Shape.DYNAMIC;
                    continue;
                }
                long b = starts[k] < 0 ? (long) starts[k] + d : starts[k], e = ends[k] < 0 ? (long) ends[k] + d : ends[k];
                if (st > 0) {
                    b = Math.max(0, Math.min(d, b));
                    e = Math.max(0, Math.min(d, e));
                    count[a] = (int) Math.max(0, (e - b + st - 1) / st);
                } else {
                    b = Math.max(0, Math.min(d - 1, b));
                    e = Math.max(-1, Math.min(d - 1, e));
                    count[a] = (int) Math.max(0, (b - e - st - 1) / -st);
                }
                start[a] = (int) b;
            }
        }

        Shape shape() {
            return Shape.of(count);
        }

        int offset(Shape s) {
            int[] str = s.strides();
            int off = 0;
            for (int i = 0; i < str.length; i++) off += start[i] * str[i];
            return off;
        }

        int[] strides(Shape s) {
            int[] str = s.strides();
            for (int i = 0; i < str.length; i++) str[i] *= step[i];
            return str;
        }
    }

    /** Attributes "starts", "ends", optional "axes" and "steps", with ONNX Slice semantics. */
    static final class Slice extends Op {
        Slice() {
            super("slice", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0].withShape(new Region(in[0].shape(), attrs, name()).shape())};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            Region r = new Region(s, attrs, name());
            copy(storage(in[0]), r.offset(s), r.strides(s), storage(out[0]), 0, out[0].shape().strides(), out[0].shape());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return only(null);
            V zeros = e.zeros(e.type(in.get(0)));
            return only(e.one(Ops.SLICE_SCATTER, attrs, List.of(zeros, gOut.get(0))));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            List<String> in = new ArrayList<>(List.of(node.input(0), out.int64s(a.getInts("starts")), out.int64s(a.getInts("ends"))));
            if (a.has("axes") || a.has("steps")) in.add(a.has("axes") ? out.int64s(a.getInts("axes")) : "");
            if (a.has("steps")) in.add(out.int64s(a.getInts("steps")));
            out.node("Slice", in, node.outputs());
        }

        /** Before opset 10 the bounds are attributes; from 10 they are inputs, which must be constants. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Slice", n -> {
                Attrs a;
                if (n.opset() < 10) {
                    if (n.getInts("starts") == null || n.getInts("ends") == null) throw n.error("the starts and ends attributes are required");
                    a = Attrs.of("starts", n.getInts("starts"), "ends", n.getInts("ends"));
                    if (n.getInts("axes") != null) a = a.with("axes", n.getInts("axes"));
                } else {
                    a = Attrs.of("starts", n.constant(1).toLongArray(), "ends", n.constant(2).toLongArray());
                    if (n.hasInput(3)) a = a.with("axes", n.constant(3).toLongArray());
                    if (n.hasInput(4)) a = a.with("steps", n.constant(4).toLongArray());
                }
                return List.of(n.apply1(this, a, n.input(0)));
            });
        }
    }

    /** slice_scatter(base, src): base with the slice (same attributes as slice) replaced by src. */
    static final class SliceScatter extends Op {
        SliceScatter() {
            super("slice_scatter", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.sameDType(name(), in[0], in[1]);
            Shape region = new Region(in[0].shape(), attrs, name()).shape();
            if (!region.compatible(in[1].shape())) {
                throw new ShapeException("slice_scatter: the slice of " + in[0].shape() + " has shape " + region
                        + ", but src has shape " + in[1].shape());
            }
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            Region r = new Region(s, attrs, name());
            if (out[0] != in[0]) out[0].copyFrom(in[0]);
            copy(storage(in[1]), 0, in[1].shape().strides(), storage(out[0]), r.offset(s), r.strides(s), in[1].shape());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V g = gOut.get(0);
            V gBase = wanted[0] ? e.one(Ops.SLICE_SCATTER, attrs, List.of(g, e.zeros(e.type(in.get(1))))) : null;
            V gSrc = wanted[1] ? e.one(Ops.SLICE, attrs, List.of(g)) : null;
            return Arrays.asList(gBase, gSrc);
        }

        /** ScatterND with the slice's element coordinates as a constant, so the base shape must be static. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Shape base = node.inputType(0).shape();
            if (!base.isStatic()) throw node.error("the base shape " + base + " must be static");
            Region r = new Region(base, node.attrs(), name());
            Shape region = r.shape();
            int rank = base.rank(), count = region.size();
            long[] coords = new long[count * rank];
            int[] idx = new int[rank];
            for (int e = 0; e < count; e++) {
                for (int a = 0; a < rank; a++) coords[e * rank + a] = r.start[a] + (long) idx[a] * r.step[a];
                for (int a = rank - 1; a >= 0 && ++idx[a] == region.dim(a); a--) idx[a] = 0;
            }
            String indices = out.constant(Tensor.of(coords, region.concat(Shape.of(rank)).dims()));
            out.node("ScatterND", List.of(node.input(0), indices, node.input(1)), node.outputs());
        }
    }

    // ------------------------------------------------------------ gather / index_add

    /** gather(data, indices): data taken at int64 indices along "axis" (ONNX Gather; negatives wrap). */
    static final class Gather extends Op {
        Gather() {
            super("gather", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.dtype(name(), "indices", in[1], DType.INT64);
            Shape d = in[0].shape();
            int axis = d.axis(attrs.getInt("axis", 0), name());
            return new TensorType[] {in[0].withShape(d.sub(0, axis).concat(in[1].shape()).concat(d.sub(axis + 1, d.rank())))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape d = in[0].shape();
            int axis = d.axis(attrs.getInt("axis", 0), name());
            long[] idx = in[1].i64();
            int size = d.dim(axis), inner = d.size(axis + 1, d.rank()), outer = d.size(0, axis);
            int[] rows = checkedIndices(name(), idx, size, axis);
            Object src = storage(in[0]), dst = storage(out[0]);
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < rows.length; j++) {
                    System.arraycopy(src, (o * size + rows[j]) * inner, dst, (o * rows.length + j) * inner, inner);
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList(null, null);
            Shape d = e.shape(in.get(0));
            int axis = d.axis(attrs.getInt("axis", 0), name());
            int n = e.shape(in.get(1)).size();
            V flatIdx = e.reshape(in.get(1), Shape.of(n));
            V g = e.reshape(gOut.get(0), d.with(axis, n));
            return Arrays.asList(e.indexAdd(e.zeros(e.type(in.get(0))), flatIdx, g, axis), null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Gather", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", 0));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Gather", n -> List.of(n.apply1(this, Attrs.of("axis", n.getInt("axis", 0)), n.input(0), n.input(1))));
        }
    }

    /** Indices checked against the axis size (negatives wrap), before anything is written. */
    static int[] checkedIndices(String op, long[] idx, int size, int axis) {
        int[] rows = new int[idx.length];
        for (int j = 0; j < idx.length; j++) {
            long k = idx[j] < 0 ? idx[j] + size : idx[j];
            if (k < 0 || k >= size) {
                throw new ShapeException(op + ": index " + idx[j] + " at position " + j + " is out of range for axis "
                        + axis + " of size " + size);
            }
            rows[j] = (int) k;
        }
        return rows;
    }

    /** index_add(base, indices, src): base plus src added at the 1-D int64 indices along "axis". */
    static final class IndexAdd extends Op {
        IndexAdd() {
            super("index_add", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.sameDType(name(), in[0], in[2]);
            Check.dtype(name(), "indices", in[1], DType.INT64);
            if (in[1].rank() != 1) throw new ShapeException("index_add: indices must be 1-D, got " + in[1]);
            Shape b = in[0].shape();
            int axis = b.axis(attrs.getInt("axis", 0), name());
            Shape want = b.with(axis, in[1].shape().dim(0));
            if (!want.compatible(in[2].shape())) {
                throw new ShapeException("index_add: src must have shape " + want + " for base " + b + " and "
                        + in[1].shape().dim(0) + " indices, got " + in[2].shape());
            }
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape b = in[0].shape();
            int axis = b.axis(attrs.getInt("axis", 0), name());
            int size = b.dim(axis), inner = b.size(axis + 1, b.rank()), outer = b.size(0, axis);
            int[] rows = checkedIndices(name(), in[1].i64(), size, axis);
            if (out[0] != in[0]) out[0].copyFrom(in[0]);
            int n = rows.length;
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < n; j++) {
                    int d = (o * size + rows[j]) * inner, s = (o * n + j) * inner;
                    if (out[0].dtype() == DType.FLOAT32) {
                        float[] y = out[0].f32(), x = in[2].f32();
                        for (int i = 0; i < inner; i++) y[d + i] += x[s + i];
                    } else {
                        double[] y = out[0].f64(), x = in[2].f64();
                        for (int i = 0; i < inner; i++) y[d + i] += x[s + i];
                    }
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V g = gOut.get(0);
            return Arrays.asList(wanted[0] ? g : null, null, wanted[2] ? e.gather(g, in.get(1), attrs.getInt("axis", 0)) : null);
        }

        /**
         * ScatterElements with reduction "add" (opset 16), the indices stretched along every other
         * axis to the shape of src.
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (out.opset() < 16) throw node.error("needs opset 16 or newer (ScatterElements with reduction), got " + out.opset());
            int rank = node.inputType(0).rank(), axis = node.inputType(0).shape().axis(node.attrs().getInt("axis", 0), name());
            int[] column = new int[rank];
            Arrays.fill(column, 1);
            column[axis] = -1;
            String idx = out.emit("Reshape", List.of(node.input(1), out.int64s(column)));
            String spread = out.emit("Expand", List.of(idx, out.emit("Shape", List.of(node.input(2)))));
            out.node("ScatterElements", List.of(node.input(0), spread, node.input(2)), node.outputs(), "axis", axis, "reduction", "add");
        }
    }

    /** one_hot(labels): int64 labels to vectors of attribute "depth" in attribute "dtype" (float32). */
    static final class OneHot extends Op {
        OneHot() {
            super("one_hot", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.dtype(name(), "labels", in[0], DType.INT64);
            int depth = attrs.getInt("depth");
            if (depth <= 0) throw new ShapeException("one_hot: depth must be positive, got " + depth);
            DType dt = attrs.has("dtype") ? attrs.getDType("dtype") : DType.FLOAT32;
            return new TensorType[] {new TensorType(dt, in[0].shape().concat(Shape.of(depth)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int depth = attrs.getInt("depth");
            long[] labels = in[0].i64();
            for (int j = 0; j < labels.length; j++) {
                if (labels[j] < 0 || labels[j] >= depth) {
                    throw new ShapeException("one_hot: label " + labels[j] + " at position " + j + " is out of range for depth " + depth);
                }
            }
            out[0].fill(0);
            for (int j = 0; j < labels.length; j++) out[0].setDouble(j * depth + (int) labels[j], 1);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            DType dt = node.outputType(0).dtype();
            String depth = out.int64s(node.attrs().getInt("depth"));
            Tensor offOn = Tensor.zeros(dt, 2);
            offOn.setDouble(1, 1);
            String values = out.constant(offOn);
            out.node("OneHot", List.of(node.input(0), depth, values), node.outputs(), "axis", -1);
        }

        /** Only the plain form: off/on values 0 and 1, along the last axis. (ONNX wraps negative labels; Janus rejects them.) */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("OneHot", n -> {
                Value labels = n.input(0);
                Tensor values = n.constant(2);
                int axis = n.getInt("axis", -1);
                if (axis != -1 && axis != labels.type().rank()) throw n.error("only axis -1 is supported, got " + axis);
                if (values.numel() != 2 || values.readDouble(0) != 0 || values.readDouble(1) != 1) {
                    throw n.error("only off/on values [0, 1] are supported, got " + values);
                }
                long depth = (long) n.constant(1).item();
                if (depth < 1 || depth > Integer.MAX_VALUE) throw n.error("depth " + depth + " is out of range");
                return List.of(n.apply1(this, Attrs.of("depth", (int) depth, "dtype", values.dtype()), labels));
            });
        }
    }
}
