package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Comparisons (to bool), selection by a bool mask, and dtype conversion. */
final class Select {
    private Select() {
    }

    /** a > b or a == b, broadcast; the output is bool and has no gradient. */
    abstract static class Compare extends Op {
        @Override
        public boolean isElementwise() {
            return true;
        }

        Compare(String name, String onnxType) {
            super(name, 2, 2, onnxType);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.sameDType(name(), in[0], in[1]);
            return new TensorType[] {new TensorType(DType.BOOL, Shape.broadcast(name(), in[0].shape(), in[1].shape()))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor a = in[0], b = in[1];
            boolean[] o = out[0].bool();
            DType t = a.dtype();
            if (a.shape().equals(b.shape()) && t != DType.BOOL && (this instanceof Greater || this instanceof Equal)) {
                sameShape(a, b, o);
                return;
            }
            if (a.shape().equals(out[0].shape()) && b.numel() == 1 && t != DType.BOOL && (this instanceof Greater || this instanceof Equal)) {
                withScalar(a, b, o);
                return;
            }
            Broadcast.forEachRun(out[0].shape(), new Shape[] {a.shape(), b.shape()}, (off, oo, n, full) -> {
                int sa = full & 1, sb = (full >> 1) & 1;
                if (t == DType.FLOAT32) {
                    float[] x = a.f32(), y = b.f32();
                    for (int i = 0; i < n; i++) o[oo + i] = test(x[off[0] + i * sa], y[off[1] + i * sb]);
                } else if (t == DType.INT64) {
                    long[] x = a.i64(), y = b.i64();
                    for (int i = 0; i < n; i++) o[oo + i] = test(x[off[0] + i * sa], y[off[1] + i * sb]);
                } else {
                    for (int i = 0; i < n; i++) o[oo + i] = test(a.readDouble(off[0] + i * sa), b.readDouble(off[1] + i * sb));
                }
            });
        }

        // Inputs of one shape need no broadcast walk (and allocate nothing); the loops compare
        // directly, as a call per element would keep them from being vectorised.
        private void sameShape(Tensor a, Tensor b, boolean[] o) {
            boolean greater = this instanceof Greater;
            int n = o.length;
            if (a.dtype() == DType.FLOAT32) {
                float[] x = a.f32(), y = b.f32();
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y[i];
                else for (int i = 0; i < n; i++) o[i] = x[i] == y[i];
            } else if (a.dtype() == DType.INT64) {
                long[] x = a.i64(), y = b.i64();
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y[i];
                else for (int i = 0; i < n; i++) o[i] = x[i] == y[i];
            } else {
                double[] x = a.f64(), y = b.f64();
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y[i];
                else for (int i = 0; i < n; i++) o[i] = x[i] == y[i];
            }
        }

        // Against one element (ReLU's gradient compares x with 0): as sameShape, with no broadcast walk.
        private void withScalar(Tensor a, Tensor b, boolean[] o) {
            boolean greater = this instanceof Greater;
            int n = o.length;
            if (a.dtype() == DType.FLOAT32) {
                float[] x = a.f32();
                float y = b.f32()[0];
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y;
                else for (int i = 0; i < n; i++) o[i] = x[i] == y;
            } else if (a.dtype() == DType.INT64) {
                long[] x = a.i64();
                long y = b.i64()[0];
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y;
                else for (int i = 0; i < n; i++) o[i] = x[i] == y;
            } else {
                double[] x = a.f64();
                double y = b.f64()[0];
                if (greater) for (int i = 0; i < n; i++) o[i] = x[i] > y;
                else for (int i = 0; i < n; i++) o[i] = x[i] == y;
            }
        }

        abstract boolean test(double a, double b);

        abstract boolean test(long a, long b);
    }

    static final class Greater extends Compare {
        Greater() { super("greater", "Greater"); }
        boolean test(double a, double b) { return a > b; }
        boolean test(long a, long b) { return a > b; }

        /** Less(a, b) is greater(b, a). */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            Map<String, OnnxImportRule> rules = new java.util.HashMap<>(super.fromOnnx());
            rules.put("Less", n -> List.of(n.apply1(this, Attrs.NONE, n.input(1), n.input(0))));
            // a >= b is a > b or a == b (false with a NaN, as it should be)
            rules.put("GreaterOrEqual", n -> List.of(n.apply1(Ops.OR, Attrs.NONE, n.apply1(this, Attrs.NONE, n.input(0), n.input(1)),
                    n.apply1(Ops.EQUAL, Attrs.NONE, n.input(0), n.input(1)))));
            rules.put("LessOrEqual", n -> List.of(n.apply1(Ops.OR, Attrs.NONE, n.apply1(this, Attrs.NONE, n.input(1), n.input(0)),
                    n.apply1(Ops.EQUAL, Attrs.NONE, n.input(0), n.input(1)))));
            // Shrink: x + bias below -lambd, x - bias above lambd, 0 between
            rules.put("Shrink", n -> {
                Emitter<Value> e = n.emit();
                Value x = n.input(0);
                DType t = x.type().dtype();
                double lambd = n.getFloat("lambd", 0.5), bias = n.getFloat("bias", 0);
                Value above = e.where(e.greater(x, e.scalar(lambd, t)), e.sub(x, e.scalar(bias, t)), e.scalar(0, t));
                return List.of(e.where(e.greater(e.scalar(-lambd, t), x), e.add(x, e.scalar(bias, t)), above));
            });
            return rules;
        }
    }

    static final class Equal extends Compare {
        Equal() { super("equal", "Equal"); }
        boolean test(double a, double b) { return a == b; }
        boolean test(long a, long b) { return a == b; }
    }

    /** where(cond, a, b): a where cond is true, else b; all three broadcast together. */
    static final class Where extends Op {
        @Override
        public boolean isElementwise() {
            return true;
        }

        Where() {
            super("where", 3, 3, "Where");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.dtype(name(), "the condition", in[0], DType.BOOL);
            Check.sameDType(name(), in[1], in[2]);
            Shape s = Shape.broadcast(name(), Shape.broadcast(name(), in[0].shape(), in[1].shape()), in[2].shape());
            return new TensorType[] {in[1].withShape(s)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            boolean[] c = in[0].bool();
            Tensor a = in[1], b = in[2], o = out[0];
            if (in[0].shape().equals(o.shape()) && a.shape().equals(o.shape()) && b.shape().equals(o.shape()) && o.dtype().isFloating()) {
                sameShape(c, a, b, o);
                return;
            }
            if (in[0].shape().equals(o.shape()) && o.dtype().isFloating() && (a.shape().equals(o.shape()) && b.numel() == 1
                    || a.numel() == 1 && b.shape().equals(o.shape()))) {
                withScalar(c, a, b, o);
                return;
            }
            Broadcast.forEachRun(o.shape(), new Shape[] {in[0].shape(), a.shape(), b.shape()}, (off, oo, n, full) -> {
                int sc = full & 1, sa = (full >> 1) & 1, sb = (full >> 2) & 1;
                switch (o.dtype()) {
                    case FLOAT32: {
                        float[] x = a.f32(), y = b.f32(), z = o.f32();
                        for (int i = 0; i < n; i++) z[oo + i] = c[off[0] + i * sc] ? x[off[1] + i * sa] : y[off[2] + i * sb];
                        break;
                    }
                    case FLOAT64: {
                        double[] x = a.f64(), y = b.f64(), z = o.f64();
                        for (int i = 0; i < n; i++) z[oo + i] = c[off[0] + i * sc] ? x[off[1] + i * sa] : y[off[2] + i * sb];
                        break;
                    }
                    case INT64: {
                        long[] x = a.i64(), y = b.i64(), z = o.i64();
                        for (int i = 0; i < n; i++) z[oo + i] = c[off[0] + i * sc] ? x[off[1] + i * sa] : y[off[2] + i * sb];
                        break;
                    }
                    default: {
                        boolean[] x = a.bool(), y = b.bool(), z = o.bool();
                        for (int i = 0; i < n; i++) z[oo + i] = c[off[0] + i * sc] ? x[off[1] + i * sa] : y[off[2] + i * sb];
                    }
                }
            });
        }

        // All of one shape: no broadcast walk (and nothing allocated). The choice is made on the
        // bits, without a branch: a mask like ReLU's is random, and a mispredicted branch per
        // element costs more than the rest of the loop.
        private static void sameShape(boolean[] c, Tensor a, Tensor b, Tensor o) {
            if (o.dtype() == DType.FLOAT32) {
                float[] x = a.f32(), y = b.f32(), z = o.f32();
                for (int i = 0; i < z.length; i++) {
                    int m = -(c[i] ? 1 : 0);
                    z[i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & m | Float.floatToRawIntBits(y[i]) & ~m);
                }
            } else {
                double[] x = a.f64(), y = b.f64(), z = o.f64();
                for (int i = 0; i < z.length; i++) {
                    long m = -(c[i] ? 1L : 0L);
                    z[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(x[i]) & m | Double.doubleToRawLongBits(y[i]) & ~m);
                }
            }
        }

        // One of a and b a single element (ReLU's gradient, where(x > 0, g, 0)): as sameShape, the
        // single element repeated.
        private static void withScalar(boolean[] c, Tensor a, Tensor b, Tensor o) {
            boolean scalarA = a.numel() == 1;
            if (o.dtype() == DType.FLOAT32) {
                float[] full = scalarA ? b.f32() : a.f32(), z = o.f32();
                int one = Float.floatToRawIntBits(scalarA ? a.f32()[0] : b.f32()[0]);
                for (int i = 0; i < z.length; i++) {
                    int m = -(c[i] ^ scalarA ? 1 : 0);
                    z[i] = Float.intBitsToFloat(Float.floatToRawIntBits(full[i]) & m | one & ~m);
                }
            } else {
                double[] full = scalarA ? b.f64() : a.f64(), z = o.f64();
                long one = Double.doubleToRawLongBits(scalarA ? a.f64()[0] : b.f64()[0]);
                for (int i = 0; i < z.length; i++) {
                    long m = -(c[i] ^ scalarA ? 1L : 0L);
                    z[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(full[i]) & m | one & ~m);
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V c = in.get(0), g = gOut.get(0), zero = e.scalar(0, e.dtype(g));
            return Arrays.asList(null,
                    wanted[1] ? e.sumTo(e.where(c, g, zero), e.shape(in.get(1))) : null,
                    wanted[2] ? e.sumTo(e.where(c, zero, g), e.shape(in.get(2))) : null);
        }

    }

    /**
     * Converts to attribute "to", as ONNX's Cast: float to integer truncates toward zero and wraps to
     * the target's width (as integer to narrower integer does); to float16/bfloat16 rounds to nearest
     * even; to bool, non-zero is true.
     */
    static final class Cast extends Op {
        @Override
        public boolean isElementwise() {
            return true;
        }

        Cast() {
            super("cast", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            if (!attrs.has("to")) throw new ShapeException("cast: attribute \"to\" (the target dtype) is missing");
            return new TensorType[] {in[0].withDType(attrs.getDType("to"))};
        }

        @Override
        public boolean computes(DType dtype) {
            return true;
        }

        /** A shape value keeps its known elements (wrapped to the target's width). */
        @Override
        protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
            return in[0].dtype().isInteger() && in[0].elements() != null ? new Long[][] {in[0].elements()} : null;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            convert(in[0], out[0]);
        }

        /** Writes {@code x}'s elements into {@code y} (same size, any dtypes and storage), converted as Cast converts. */
        static void convert(Tensor x, Tensor y) {
            int n = x.numel();
            DType from = x.dtype(), to = y.dtype();
            boolean heap = x.storage().kind() == dev.janus.core.backend.StorageKind.HEAP
                    && y.storage().kind() == dev.janus.core.backend.StorageKind.HEAP;
            if (from == to) {
                y.copyFrom(x.shape().equals(y.shape()) ? x : x.view(y.shape()));
            } else if (heap && from == DType.FLOAT32 && to == DType.FLOAT64) {
                float[] s = x.f32();
                double[] d = y.f64();
                for (int i = 0; i < n; i++) d[i] = s[i];
            } else if (heap && from == DType.FLOAT64 && to == DType.FLOAT32) {
                double[] s = x.f64();
                float[] d = y.f32();
                for (int i = 0; i < n; i++) d[i] = (float) s[i];
            } else if (from.isInteger() && (to.isInteger() || to == DType.BOOL)) {
                for (int i = 0; i < n; i++) {
                    long v = x.readLong(i);
                    if (to == DType.BOOL) y.setDouble(i, v != 0 ? 1 : 0);
                    else y.setLong(i, v);
                }
            } else {
                for (int i = 0; i < n; i++) y.setDouble(i, x.readDouble(i));
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            DType from = e.dtype(in.get(0));
            boolean flows = wanted[0] && from.isFloating() && e.dtype(out.get(0)).isFloating();
            return Arrays.asList(flows ? e.cast(gOut.get(0), from) : null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Cast", node.inputs(), node.outputs(), "to", OnnxTypes.code(node.attrs().getDType("to")));
        }

        /** "saturate" (opset 19) concerns float8 targets only, which Janus does not have. CastLike casts to its second input's dtype. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Cast", n -> {
                n.ignore("saturate");
                DType to = OnnxTypes.dtype(n.getInt("to", 0), "Cast node " + n.name());
                return List.of(n.apply1(this, Attrs.of("to", to), n.input(0)));
            }, "CastLike", n -> {
                n.ignore("saturate");
                return List.of(n.apply1(this, Attrs.of("to", n.input(1).type().dtype()), n.input(0)));
            });
        }
    }
}
