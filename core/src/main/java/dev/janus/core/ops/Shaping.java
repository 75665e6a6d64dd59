package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Messages;
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
        return t.heapArray();
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

    /**
     * Attribute "shape", or a second input holding it (a shape computed in the graph, whose elements
     * the type knows or not): -1 is inferred from the element count, 0 keeps the input's dimension
     * (ONNX). An element unknown before run time gives an unknown dimension.
     */
    static final class Reshape extends Op {
        private static final int UNKNOWN = Integer.MIN_VALUE;

        Reshape() {
            super("reshape", 1, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0].withShape(target(in[0].shape(), want(in, attrs)))};
        }

        private int[] want(TensorType[] in, Attrs attrs) {
            if (in.length == 1) return attrs.getInts("shape");
            TensorType t = in[1];
            if (t.rank() != 1 || !t.shape().isStatic()) throw new ShapeException(name() + ": the shape must be a 1-D tensor of known length, got " + t);
            Check.integer(name(), "the shape", t);
            int[] w = new int[t.shape().dim(0)];
            for (int i = 0; i < w.length; i++) {
                Long e = t.element(i);
                w[i] = e == null ? UNKNOWN : (int) Math.max(-2, Math.min(Integer.MAX_VALUE, e));
            }
            return w;
        }

        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            return in[0].elements() == null ? null : new Long[][] {in[0].elements()};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;
        }

        private Shape target(Shape s, int[] want) {
            int[] out = new int[want.length];
            int infer = -1;
            boolean unknown = false;
            for (int i = 0; i < want.length; i++) {
                int w = want[i];
                if (w == UNKNOWN) {
                    unknown = true;
                    w = Shape.DYNAMIC;
                } else if (w == 0) {
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
            if (unknown) return Shape.of(out);
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
            V g = wanted[0] ? e.reshape(gOut.get(0), e.shape(in.get(0))) : null;
            return in.size() == 1 ? only(g) : Arrays.asList(g, null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (node.inputs().size() == 2) out.node("Reshape", node.inputs(), node.outputs());
            else out.node("Reshape", List.of(node.input(0), out.int64s(node.attrs().getInts("shape"))), node.outputs());
        }

        /** Flatten, Squeeze and Unsqueeze are reshapes too. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Reshape", this::importReshape, "Flatten", this::importFlatten,
                    "Squeeze", this::importSqueeze, "Unsqueeze", this::importUnsqueeze);
        }

        private List<Value> importReshape(ImportNode n) {
            if (!n.isConstant(1)) {
                if (n.getInt("allowzero", 0) != 0) throw n.error("allowzero=1 with a shape computed in the graph is not supported");
                return List.of(n.apply1(this, Attrs.NONE, n.input(0), n.input(1)));
            }
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
            Shape s = in[0].shape(), os = out[0].shape();
            int[] p = perm(attrs, s.rank()), xs = s.strides(), str = new int[p.length], ostr = os.strides();
            for (int i = 0; i < p.length; i++) str[i] = xs[p[i]];
            Object src = storage(in[0]), dst = storage(out[0]);
            if (os.rank() == 0 || os.size() == 0) {
                copy(src, 0, str, dst, 0, ostr, os);
                return;
            }
            // A large transpose (a channels-last model's layout change) is split by its output's first
            // axis: each part copies whole slabs, the same values wherever they are copied.
            int rows = os.dim(0), per = os.size() / rows;
            CpuThreads.parallelFor(rows, Math.max(1, CpuThreads.grain(2) / per), (a, b) -> {
                int[] d = os.dims();
                d[0] = b - a;
                copy(src, a * str[0], str, dst, a * ostr[0], ostr, Shape.of(d));
            });
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
            }, "DepthToSpace", n -> List.of(blocks(n, true)), "SpaceToDepth", n -> List.of(blocks(n, false)));
        }

        /**
         * DepthToSpace (modes DCR and CRD) and SpaceToDepth of [N, C, H, W] by "blocksize" b: a reshape
         * that splits off the block axes, a transpose that moves them, a reshape that merges them.
         */
        private Value blocks(ImportNode n, boolean toSpace) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int b = n.getInt("blocksize", 0);
            if (s.rank() != 4 || !s.isStatic()) throw n.error("input must be [N, C, H, W] with known sizes, got " + x.type());
            if (b < 1) throw n.error("blocksize must be positive, got " + b);
            int bn = s.dim(0), c = s.dim(1), h = s.dim(2), w = s.dim(3);
            Emitter<Value> e = n.emit();
            if (toSpace) {
                if (c % (b * b) != 0) throw n.error("channels " + c + " are not a multiple of blocksize^2 = " + b * b);
                boolean crd = n.getString("mode", "DCR").equals("CRD");
                if (!crd && !n.getString("mode", "DCR").equals("DCR")) throw n.error("mode must be DCR or CRD, got " + n.getString("mode", ""));
                Value split = e.reshape(x, crd ? Shape.of(bn, c / (b * b), b, b, h, w) : Shape.of(bn, b, b, c / (b * b), h, w));
                Value moved = crd ? e.transpose(split, 0, 1, 4, 2, 5, 3) : e.transpose(split, 0, 3, 4, 1, 5, 2);
                return e.reshape(moved, Shape.of(bn, c / (b * b), h * b, w * b));
            }
            if (h % b != 0 || w % b != 0) throw n.error("height and width of " + s + " are not multiples of blocksize " + b);
            Value split = e.reshape(x, Shape.of(bn, c, h / b, b, w / b, b));
            return e.reshape(e.transpose(split, 0, 3, 5, 1, 2, 4), Shape.of(bn, c * b * b, h / b, w / b));
        }
    }

    // ------------------------------------------------------------ expand

    /** Broadcasts the input against attribute "shape" (ONNX Expand: either side may be 1). */
    static final class Expand extends Op {
        Expand() {
            super("expand", 1, 2);
        }

        /** Attribute "shape", or a second input holding it (its unknown elements are unknown dimensions). */
        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            int[] shape = in.length == 2 ? ShapeValues.dims(name(), in[1], "the shape") : attrs.getInts("shape");
            return new TensorType[] {in[0].withShape(Shape.broadcast(name(), in[0].shape(), Shape.of(shape)))};
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
            V g = wanted[0] ? e.sumTo(gOut.get(0), e.shape(in.get(0))) : null;
            return in.size() == 1 ? only(g) : Arrays.asList(g, null);
        }

        /** An unknown (-1) target dimension is the input's own; ONNX's Expand keeps that for a 1. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (node.inputs().size() == 2) {
                out.node("Expand", node.inputs(), node.outputs());
                return;
            }
            int[] shape = node.attrs().getInts("shape");
            for (int i = 0; i < shape.length; i++) if (shape[i] == Shape.DYNAMIC) shape[i] = 1;
            out.node("Expand", List.of(node.input(0), out.int64s(shape)), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Expand", n -> List.of(n.isConstant(1) ? n.apply1(this, Attrs.of("shape", n.constant(1).toLongArray()), n.input(0))
                    : n.apply1(this, Attrs.NONE, n.input(0), n.input(1))));
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

        /** Shape values joined: the known elements of each part. */
        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            Long[] e = new Long[out[0].shape().size()];
            int at = 0;
            boolean any = false;
            for (TensorType t : in) {
                int n = t.shape().size();
                for (int i = 0; i < n; i++) any |= (e[at + i] = t.element(i)) != null;
                at += n;
            }
            return any ? new Long[][] {e} : null;
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

        /** Part of a shape value. */
        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            if (in[0].elements() == null || in[0].rank() != 1) return null;
            Region r = new Region(in[0].shape(), attrs, name());
            Long[] e = new Long[out[0].shape().size()];
            for (int i = 0; i < e.length; i++) e[i] = in[0].element(r.start[0] + i * r.step[0]);
            return new Long[][] {e};
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

        /**
         * CenterCropPad: each listed axis cut or zero-padded to its target size about the centre (the
         * odd element goes to the end), as slices and concatenations with zeros.
         */
        private static List<Value> importCenterCropPad(ImportNode n) {
            Value y = n.input(0);
            Shape s = y.type().shape();
            long[] target = n.constant(1).toLongArray();
            long[] given = n.getInts("axes");
            int[] axes = new int[given == null ? s.rank() : given.length];
            for (int i = 0; i < axes.length; i++) axes[i] = given == null ? i : s.axis((int) given[i], n.opType());
            if (target.length != axes.length) throw n.error("shape must hold " + axes.length + " sizes, got " + Arrays.toString(target));
            Emitter<Value> e = n.emit();
            for (int i = 0; i < axes.length; i++) {
                int a = axes[i], d = y.type().shape().dim(a);
                if (d == Shape.DYNAMIC) throw n.error("axis " + a + " of " + s + " is cropped or padded, so its size must be known");
                if (target[i] < 0 || target[i] > Shape.MAX_ELEMENTS) throw n.error("size " + target[i] + " is out of range");
                int t = (int) target[i];
                if (t < d) {
                    int start = (d - t) / 2;
                    y = e.slice(y, a, start, start + t);
                } else if (t > d) {
                    int before = (t - d) / 2, after = t - d - before;
                    Shape ys = y.type().shape();
                    List<Value> parts = new ArrayList<>();
                    if (before > 0) parts.add(e.zeros(y.type().withShape(ys.with(a, before))));
                    parts.add(y);
                    if (after > 0) parts.add(e.zeros(y.type().withShape(ys.with(a, after))));
                    y = e.concat(parts, a);
                }
            }
            return List.of(y);
        }

        /**
         * Split is slices along its axis: the sizes from attribute or input "split" (an input from
         * opset 13), else equal parts, one per output (from opset 18, "num_outputs" parts of
         * ceil(size / n), the last smaller); the axis's size must be known.
         */
        private List<Value> importSplit(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int axis = s.axis(n.getInt("axis", 0), n.opType()), size = s.dim(axis);
            if (size == Shape.DYNAMIC) throw n.error("the size of axis " + axis + " of " + s + " must be known");
            long[] split = n.opset() < 13 ? n.getInts("split") : n.hasInput(1) ? n.constant(1).toLongArray() : null;
            int parts = n.opset() >= 18 && n.has("num_outputs") ? n.getInt("num_outputs", 0) : n.outputCount();
            if (split == null) {
                if (parts <= 0) throw n.error("num_outputs must be positive, got " + parts);
                split = new long[parts];
                long chunk = n.opset() >= 18 ? (size + parts - 1) / parts : size / parts;
                if (n.opset() < 18 && size % parts != 0) throw n.error("axis " + axis + " of size " + size + " does not split into " + parts + " equal parts");
                for (int i = 0; i < parts; i++) split[i] = Math.max(0, Math.min(chunk, size - i * chunk));
            }
            if (split.length != n.outputCount()) throw n.error(split.length + " split sizes for " + n.outputCount() + " outputs");
            List<Value> outs = new ArrayList<>();
            long at = 0;
            for (long len : split) {
                if (len < 0 || at + len > size) throw n.error("split sizes " + Arrays.toString(split) + " do not fit axis " + axis + " of size " + size);
                outs.add(n.apply1(this, Attrs.of("starts", new long[] {at}, "ends", new long[] {at + len}, "axes", new long[] {axis}), x));
                at += len;
            }
            if (at != size) throw n.error("split sizes " + Arrays.toString(split) + " do not add up to " + size);
            return outs;
        }

        /**
         * Trilu keeps the upper (attribute upper=1, the default) or lower triangle of the last two
         * axes, from diagonal k (an input, 0 by default): a where over a constant mask, which needs
         * those two sizes known.
         */
        private static List<Value> importTrilu(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            if (s.rank() < 2) throw n.error("the input must have rank >= 2, got " + x.type());
            int rows = s.dim(-2), cols = s.dim(-1);
            if (rows == Shape.DYNAMIC || cols == Shape.DYNAMIC) throw n.error("the last two sizes of " + s + " must be known");
            long k = n.hasInput(1) ? n.constant(1).readLong(0) : 0;
            boolean upper = n.getInt("upper", 1) != 0;
            boolean[] keep = new boolean[rows * cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) keep[i * cols + j] = upper ? j - i >= k : j - i <= k;
            Emitter<Value> e = n.emit();
            return List.of(e.where(e.constant(Tensor.of(keep, rows, cols)), x, e.scalar(0, x.type().dtype())));
        }

        /** Before opset 10 the bounds are attributes; from 10 they are inputs, which must be constants. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Split", this::importSplit, "Trilu", Slice::importTrilu, "CenterCropPad", Slice::importCenterCropPad, "Slice", n -> {
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
            Check.integer(name(), "indices", in[1]);
            Shape d = in[0].shape();
            int axis = d.axis(attrs.getInt("axis", 0), name());
            return new TensorType[] {in[0].withShape(d.sub(0, axis).concat(in[1].shape()).concat(d.sub(axis + 1, d.rank())))};
        }

        /** Dimensions picked out of a shape value. */
        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            if (in[0].elements() == null || in[0].rank() != 1 || !in[1].isKnown()) return null;
            int size = in[0].shape().dim(0);
            Long[] idx = in[1].elements(), e = new Long[idx.length];
            for (int j = 0; j < idx.length; j++) {
                long k = idx[j] < 0 ? idx[j] + size : idx[j];
                if (k < 0 || k >= size) return null;    // the kernel says so at run time
                e[j] = in[0].element((int) k);
            }
            return new Long[][] {e};
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
            return Map.of("Gather", n -> List.of(n.apply1(this, Attrs.of("axis", n.getInt("axis", 0)), n.input(0), n.input(1))),
                    "Pad", this::importPad, "Tile", this::importTile);
        }

        /** Tile, axis by axis, as a gather of positions 0..d-1 repeated (so its gradient is gather's). */
        private List<Value> importTile(ImportNode n) {
            Value y = n.input(0);
            Shape s = y.type().shape();
            long[] repeats = n.constant(1).toLongArray();
            if (repeats.length != s.rank()) throw n.error("repeats must hold " + s.rank() + " values (one per axis of " + s + "), got " + Arrays.toString(repeats));
            for (int a = 0; a < repeats.length; a++) {
                if (repeats[a] < 0) throw n.error("repeats must not be negative, got " + Arrays.toString(repeats));
                if (repeats[a] == 1) continue;
                int d = s.dim(a);
                if (d == Shape.DYNAMIC) throw n.error("axis " + a + " of " + s + " is repeated, so its size must be known");
                long size = d * repeats[a];
                if (size > Shape.MAX_ELEMENTS) throw n.error("repeats " + Arrays.toString(repeats) + " give axis " + a + " size " + size);
                long[] idx = new long[(int) size];
                for (int j = 0; j < size; j++) idx[j] = j % d;
                y = d == 0 || size == 0 ? n.emit().zeros(y.type().withShape(y.type().shape().with(a, (int) size)))
                        : n.apply1(this, Attrs.of("axis", a), y, n.emit().constant(Tensor.of(idx)));
            }
            return List.of(y);
        }

        /**
         * Pad, axis by axis, as a gather of each output position's source (constant: masked to the
         * value; edge: clamped; reflect: mirrored without repeating the edge; wrap: modulo), so its
         * gradient is gather's; negative pads crop. The padded sizes must be known.
         */
        private List<Value> importPad(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int r = s.rank();
            String mode = n.getString("mode", "constant");
            if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)) throw n.error("mode '" + mode + "' is not one of constant, reflect, edge, wrap");
            long[] pads;
            double value;
            int[] axes = new int[r];
            for (int i = 0; i < r; i++) axes[i] = i;
            if (n.opset() < 11) {
                pads = n.getInts("pads");
                value = n.getFloat("value", 0);
            } else {
                pads = n.constant(1).toLongArray();
                value = n.hasInput(2) ? n.constant(2).readDouble(0) : 0;
                if (n.hasInput(3)) {
                    long[] a = n.constant(3).toLongArray();
                    axes = new int[a.length];
                    for (int i = 0; i < a.length; i++) axes[i] = s.axis((int) a[i], n.opType());
                }
            }
            if (pads == null || pads.length != 2 * axes.length) throw n.error("pads must hold " + 2 * axes.length + " values, got " + Arrays.toString(pads));
            Emitter<Value> e = n.emit();
            Value y = x;
            for (int k = 0; k < axes.length; k++) {
                int a = axes[k];
                long before = pads[k], after = pads[k + axes.length];
                if (before == 0 && after == 0) continue;
                int d = s.dim(a);
                if (d == Shape.DYNAMIC) throw n.error("axis " + a + " of " + s + " is padded, so its size must be known");
                long size = d + before + after;
                if (size < 0 || size > Shape.MAX_ELEMENTS) throw n.error("pads " + Arrays.toString(pads) + " give axis " + a + " size " + size);
                if (d == 0 && !mode.equals("constant") && size > 0) throw n.error(mode + " padding of an empty axis " + a);
                long[] idx = new long[(int) size];
                boolean[] inside = new boolean[(int) size];
                boolean masked = false;
                for (int j = 0; j < size; j++) {
                    long p = j - before;
                    inside[j] = p >= 0 && p < d;
                    masked |= !inside[j];
                    switch (mode) {
                        case "edge": idx[j] = Math.max(0, Math.min(d - 1, p)); break;
                        case "wrap": idx[j] = Math.floorMod(p, (long) d); break;
                        case "reflect": {
                            long period = 2L * (d - 1);
                            long q = period == 0 ? 0 : Math.floorMod(p, period);
                            idx[j] = q < d ? q : period - q;
                            break;
                        }
                        default: idx[j] = inside[j] ? p : 0;
                    }
                }
                Value gathered = d == 0 ? e.zeros(y.type().withShape(y.type().shape().with(a, (int) size)))
                        : n.apply1(this, Attrs.of("axis", a), y, e.constant(Tensor.of(idx)));
                if (mode.equals("constant") && masked) {
                    int[] maskShape = new int[r];
                    Arrays.fill(maskShape, 1);
                    maskShape[a] = (int) size;
                    gathered = e.where(e.constant(Tensor.of(inside, maskShape)), gathered, e.scalar(value, x.type().dtype()));
                }
                y = gathered;
            }
            return List.of(y);
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
            Check.integer(name(), "indices", in[1]);
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
            Check.integer(name(), "labels", in[0]);
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

        /**
         * The plain form (integer indices, off/on values 0 and 1, the last axis) is this op, which
         * refuses a negative or out-of-range label at run time; any other (values, an axis, float
         * indices) compares the indices with a range along the axis, with ONNX's negative indices
         * counted from the end and out-of-range ones giving all off.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("OneHot", n -> {
                Value labels = n.input(0);
                int axis = n.getInt("axis", -1), rank = labels.type().rank() + 1;
                if (axis < -rank || axis >= rank) throw n.error("axis " + axis + " is out of range for an output of rank " + rank);
                if (axis < 0) axis += rank;
                Tensor depthValue = n.constant(1);
                if (depthValue.numel() != 1) throw n.error("depth must hold one value, got " + depthValue);
                double d = depthValue.readDouble(0);
                if (!(d >= 1) || d > Integer.MAX_VALUE) throw n.error("depth " + d + " is out of range");
                int depth = (int) d;
                Value values = n.input(2);
                if (values.type().shape().size() != 2) throw n.error("values must hold [off, on], got " + values.type());
                if (n.isConstant(2) && axis == rank - 1 && labels.type().dtype().isInteger()) {
                    Tensor v = n.constant(2);
                    if (v.readDouble(0) == 0 && v.readDouble(1) == 1) {
                        return List.of(n.apply1(this, Attrs.of("depth", depth, "dtype", v.dtype()), labels));
                    }
                }
                Emitter<Value> e = n.emit();
                Value idx = e.cast(labels, DType.INT64);
                Value zero = e.scalar(0, DType.INT64);
                idx = e.where(e.greater(zero, idx), e.add(idx, e.scalar(depth, DType.INT64)), idx);
                int[] along = new int[rank];
                Arrays.fill(along, 1);
                along[axis] = depth;
                long[] r = new long[depth];
                for (int i = 0; i < depth; i++) r[i] = i;
                Value hot = e.equal(e.one(Ops.RESHAPE, Attrs.of("shape", withOne(labels.type().shape(), axis)), List.of(idx)),
                        e.constant(Tensor.of(r, along)));
                Value flat = e.reshape(values, Shape.of(2));
                return List.of(e.where(hot, e.slice(flat, 0, 1, 2), e.slice(flat, 0, 0, 1)));
            });
        }

        /** The labels' shape with a 1 inserted at {@code axis} (-1 for an unknown dimension). */
        private static int[] withOne(Shape s, int axis) {
            int[] d = new int[s.rank() + 1];
            for (int i = 0, j = 0; i < d.length; i++) d[i] = i == axis ? 1 : s.dim(j++);
            return d;
        }
    }
}
