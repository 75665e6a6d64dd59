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
import dev.janus.core.onnx.OnnxImports;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Ops that compute shapes as values and ops whose output shape is such a value (ONNX's Shape, Size,
 * ConstantOfShape, Range). A shape value's known elements travel in its type
 * ({@link TensorType#elements()}), so a dimension unknown at import (the batch) stays unknown until
 * the graph is specialised, and then every shape downstream is known.
 */
final class ShapeValues {
    private ShapeValues() {
    }

    /** Input {@code i}'s known elements as dimensions (-1 where unknown); its rank must be 1. */
    static int[] dims(String op, TensorType t, String what) {
        if (t.rank() != 1 || !t.shape().isStatic()) throw new ShapeException(op + ": " + what + " must be a 1-D tensor of known length, got " + t);
        Check.integer(op, what, t);
        int[] d = new int[t.shape().dim(0)];
        for (int i = 0; i < d.length; i++) {
            Long e = t.element(i);
            if (e == null) {
                d[i] = Shape.DYNAMIC;
            } else if (e < 0 || e > Shape.MAX_ELEMENTS) {
                throw new ShapeException(op + ": " + what + " element " + i + " is " + e + ", not a dimension");
            } else {
                d[i] = (int) (long) e;
            }
        }
        return d;
    }

    private static <V> List<V> none(int n) {
        return Arrays.asList((V[]) new Object[n]);
    }

    /** shape(x): x's dimensions from "start" to "end" (ONNX Shape; negative bounds count from the end, clamped). */
    static final class ShapeOf extends Op {
        ShapeOf() {
            super("shape", 1, 1);
        }

        private static int[] range(Attrs attrs, int rank) {
            int start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
            if (start < 0) start += rank;
            if (end < 0) end += rank;
            start = Math.max(0, Math.min(rank, start));
            end = Math.max(start, Math.min(rank, end));
            return new int[] {start, end};
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            int[] r = range(attrs, in[0].rank());
            return new TensorType[] {TensorType.of(DType.INT64, r[1] - r[0])};
        }

        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            int[] r = range(attrs, in[0].rank());
            Long[] e = new Long[r[1] - r[0]];
            for (int i = 0; i < e.length; i++) {
                int d = in[0].shape().dim(r[0] + i);
                e[i] = d == Shape.DYNAMIC ? null : (long) d;
            }
            return new Long[][] {e};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;    // reads only the shape
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int[] r = range(attrs, in[0].rank());
            for (int i = r[0]; i < r[1]; i++) out[0].setLong(i - r[0], in[0].shape().dim(i));
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return none(1);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            int[] r = range(node.attrs(), node.inputType(0).rank());
            if (r[0] == 0 && r[1] == node.inputType(0).rank()) out.node("Shape", node.inputs(), node.outputs());
            else if (out.opset() >= 15) out.node("Shape", node.inputs(), node.outputs(), "start", r[0], "end", r[1]);
            else out.node("Slice", List.of(out.emit("Shape", node.inputs()), out.int64s(r[0]), out.int64s(r[1])), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Shape", n -> {
                Attrs a = Attrs.NONE;
                if (n.has("start")) a = a.with("start", n.getInt("start", 0));
                if (n.has("end")) a = a.with("end", n.getInt("end", 0));
                return List.of(n.apply1(this, a, n.input(0)));
            });
        }
    }

    /** size(x): x's element count, an int64 scalar (ONNX Size). */
    static final class Size extends Op {
        Size() {
            super("size", 1, 1, "Size");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {TensorType.of(DType.INT64)};
        }

        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            return in[0].shape().isStatic() ? new Long[][] {{(long) in[0].shape().size()}} : null;
        }

        @Override
        public boolean computes(DType dtype) {
            return true;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            out[0].setLong(0, in[0].numel());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return none(1);
        }
    }

    /** constant_of_shape(shape): a tensor of that shape filled with attribute "value" in attribute "dtype" (ONNX ConstantOfShape). */
    static final class ConstantOfShape extends Op {
        ConstantOfShape() {
            super("constant_of_shape", 1, 1);
        }

        private static DType dtype(Attrs attrs) {
            return attrs.has("dtype") ? attrs.getDType("dtype") : DType.FLOAT32;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {new TensorType(dtype(attrs), Shape.of(dims(name(), in[0], "the shape")))};
        }

        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            if (!out[0].shape().isStatic() || !dtype(attrs).isInteger()) return null;
            Long[] e = new Long[out[0].shape().size()];
            Arrays.fill(e, (long) attrs.getDouble("value", 0));
            return new Long[][] {e};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;    // a fill, converted as a cast
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            out[0].fill(attrs.getDouble("value", 0));
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return none(1);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Tensor v = Tensor.full(node.attrs().getDouble("value", 0), dtype(node.attrs()), 1);
            out.node("ConstantOfShape", node.inputs(), node.outputs(), "value", v);
        }

        /**
         * The value attribute is a one-element tensor (default: float32 0). EyeLike, ones on diagonal k
         * of a matrix of the input's (known) shape, imports as a constant.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("ConstantOfShape", n -> {
                Tensor v = n.getTensor("value");
                if (v != null && v.numel() != 1) throw n.error("the value attribute must hold one element, it has " + v.numel());
                Attrs a = v == null ? Attrs.NONE : Attrs.of("value", v.readDouble(0), "dtype", v.dtype());
                return List.of(n.apply1(this, a, n.input(0)));
            }, "EyeLike", n -> {
                TensorType t = n.input(0).type();
                if (t.rank() != 2 || !t.shape().isStatic()) throw n.error("input must be a matrix of known size, got " + t);
                DType dtype = n.has("dtype") ? OnnxTypes.dtype(n.getInt("dtype", 0), "dtype of ONNX node '" + n.name() + "'") : t.dtype();
                int k = n.getInt("k", 0), rows = t.shape().dim(0), cols = t.shape().dim(1);
                Tensor eye = Tensor.empty(dtype, t.shape());
                for (int i = Math.max(0, -k); i < rows && i + k < cols; i++) eye.setDouble(i * cols + i + k, 1);
                return List.of(n.emit().constant(eye));
            });
        }
    }

    /** range(start, limit, delta): start, start + delta, ... up to but excluding limit (ONNX Range; scalars of one dtype). */
    static final class Range extends Op {
        Range() {
            super("range", 3, 3, "Range");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.numeric(name(), in[0]);
            for (int i = 0; i < 3; i++) {
                Check.sameDType(name(), in[0], in[i]);
                if (in[i].rank() != 0) throw new ShapeException(name() + ": start, limit and delta must be scalars, got " + in[i]);
            }
            Long s = in[0].element(0), l = in[1].element(0), d = in[2].element(0);
            int n = s == null || l == null || d == null ? Shape.DYNAMIC : count(s, l, d);
            return new TensorType[] {new TensorType(in[0].dtype(), Shape.of(n))};
        }

        /** Float bounds are known only at run time. */
        @Override
        protected TensorType[] inferFromValues(Tensor[] in, Attrs attrs) {
            infer(new TensorType[] {in[0].type(), in[1].type(), in[2].type()}, attrs);
            int n = count(in[0].readDouble(0), in[1].readDouble(0), in[2].readDouble(0));
            return new TensorType[] {new TensorType(in[0].dtype(), Shape.of(n))};
        }

        private int count(double start, double limit, double delta) {
            if (delta == 0) throw new ShapeException(name() + ": delta is 0");
            double n = Math.max(Math.ceil((limit - start) / delta), 0);
            if (n > Shape.MAX_ELEMENTS) throw new ShapeException(name() + ": " + n + " elements are more than a tensor holds");
            return (int) n;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor y = out[0];
            if (y.dtype().isInteger()) {
                long s = in[0].readLong(0), d = in[2].readLong(0);
                for (int i = 0; i < y.numel(); i++) y.setLong(i, s + i * d);
            } else {
                double s = in[0].readDouble(0), d = in[2].readDouble(0);
                for (int i = 0; i < y.numel(); i++) y.setDouble(i, s + i * d);
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return none(3);
        }

        /** Range itself, and the window functions of opset 17, which are cosines of a range. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Range", OnnxImports.direct(this),
                    "HannWindow", n -> window(n, 0.5, 0.5, 0),
                    "HammingWindow", n -> window(n, 25.0 / 46, 21.0 / 46, 0),
                    "BlackmanWindow", n -> window(n, 0.42, 0.5, 0.08));
        }

        /**
         * a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) for n = 0 .. size - 1, N the size ("periodic",
         * the default) or the size - 1; the size may be known only at run time.
         */
        private List<Value> window(ImportNode n, double a0, double a1, double a2) {
            Emitter<Value> e = n.emit();
            DType dt = OnnxTypes.dtype(n.getInt("output_datatype", OnnxTypes.FLOAT), "output_datatype of ONNX node '" + n.name() + "'");
            if (!dt.isFloating()) throw n.error("output_datatype must be a float type, got " + dt);
            Value size = n.input(0);
            if (size.type().rank() != 0 || !size.type().dtype().isInteger()) throw n.error("size must be an integer scalar, got " + size.type());
            size = e.cast(size, DType.INT64);
            Value idx = e.cast(e.one(this, Attrs.NONE, List.of(e.scalar(0, DType.INT64), size, e.scalar(1, DType.INT64))), DType.FLOAT64);
            Value period = e.cast(size, DType.FLOAT64);
            if (n.getInt("periodic", 1) == 0) period = e.add(period, -1.0);
            Value angle = e.div(e.mul(idx, 2 * Math.PI), period);
            Value w = e.rsub(a0, e.mul(e.one(Ops.COS, Attrs.NONE, List.of(angle)), a1));
            if (a2 != 0) w = e.add(w, e.mul(e.one(Ops.COS, Attrs.NONE, List.of(e.mul(angle, 2.0))), a2));
            return List.of(e.cast(w, dt));
        }
    }

    /**
     * mod(a, b) with ONNX Mod's attribute "fmod": 0 (integers only) takes the divisor's sign, as
     * Python's %; 1 takes the dividend's, as C's fmod. Broadcasts; no gradient.
     */
    static final class Mod extends Op {
        Mod() {
            super("mod", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.numeric(name(), in[0]);
            Check.sameDType(name(), in[0], in[1]);
            if (in[0].dtype().isFloating() && !attrs.getBool("fmod", false)) {
                throw new ShapeException(name() + ": floating-point inputs need fmod=1, got " + in[0]);
            }
            return new TensorType[] {in[0].withShape(Shape.broadcast(name(), in[0].shape(), in[1].shape()))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor a = in[0], b = in[1], o = out[0];
            boolean fmod = attrs.getBool("fmod", false), integer = o.dtype().isInteger();
            Broadcast.forEachRun(o.shape(), new Shape[] {a.shape(), b.shape()}, (off, oo, n, full) -> {
                int sa = full & 1, sb = (full >> 1) & 1;
                for (int i = 0; i < n; i++) {
                    int ia = off[0] + i * sa, ib = off[1] + i * sb;
                    if (integer) {
                        long x = a.readLong(ia), y = b.readLong(ib);
                        if (y == 0) throw new dev.janus.core.JanusException(name() + ": integer modulo by zero");
                        o.setLong(oo + i, fmod ? x % y : Math.floorMod(x, y));
                    } else {
                        o.setDouble(oo + i, a.readDouble(ia) % b.readDouble(ib));
                    }
                }
            });
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return none(2);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Mod", node.inputs(), node.outputs(), "fmod", node.attrs().getBool("fmod", false) ? 1 : 0);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Mod", n -> List.of(n.apply1(this, Attrs.of("fmod", n.getInt("fmod", 0) != 0), n.input(0), n.input(1))));
        }
    }
}
