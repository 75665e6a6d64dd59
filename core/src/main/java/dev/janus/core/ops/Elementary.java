package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The elementary functions of one float input (reciprocal, trigonometric and hyperbolic, rounding),
 * each the ONNX op of the same name, with its derivative; and the logical ops and float tests that
 * give bool (Not, And, Or, Xor, IsNaN, IsInf). These are not on hot paths, so one loop calling the
 * function serves them all.
 */
final class Elementary {
    private Elementary() {
    }

    /** y = f(x) with dy/dx given as a rule on x, y and the upstream gradient. */
    interface Derivative {
        <V> V of(Emitter<V> e, V x, V y, V g);
    }

    static final class Function extends Unary {
        private final DoubleUnaryOperator f;
        private final Derivative d;

        Function(String name, String onnxType, DoubleUnaryOperator f, Derivative d) {
            super(name, onnxType);
            this.f = f;
            this.d = d;
        }

        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) f.applyAsDouble(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = f.applyAsDouble(x[i]); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return d.of(e, x, y, g); }
        @Override int grain() { return costlyGrain(); }
    }

    private static <V> V call(Emitter<V> e, dev.janus.core.ops.Op op, V x) {
        return e.one(op, Attrs.NONE, List.of(x));
    }

    // 1 - x^2, x^2 + 1, x^2 - 1
    private static <V> V oneMinusSquare(Emitter<V> e, V x) {
        return e.rsub(1, e.mul(x, x));
    }

    static Function reciprocal() {
        return new Function("reciprocal", "Reciprocal", v -> 1 / v, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.neg(e.mul(g, e.mul(y, y))); }
        });
    }

    static Function sin() {
        return new Function("sin", "Sin", Math::sin, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.mul(g, call(e, Ops.COS, x)); }
        });
    }

    static Function cos() {
        return new Function("cos", "Cos", Math::cos, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.neg(e.mul(g, call(e, Ops.SIN, x))); }
        });
    }

    static Function tan() {
        return new Function("tan", "Tan", Math::tan, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.mul(g, e.add(e.mul(y, y), 1)); }
        });
    }

    static Function asin() {
        return new Function("asin", "Asin", Math::asin, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.div(g, e.sqrt(oneMinusSquare(e, x))); }
        });
    }

    static Function acos() {
        return new Function("acos", "Acos", Math::acos, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.neg(e.div(g, e.sqrt(oneMinusSquare(e, x)))); }
        });
    }

    static Function atan() {
        return new Function("atan", "Atan", Math::atan, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.div(g, e.add(e.mul(x, x), 1)); }
        });
    }

    static Function sinh() {
        return new Function("sinh", "Sinh", Math::sinh, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.mul(g, call(e, Ops.COSH, x)); }
        });
    }

    static Function cosh() {
        return new Function("cosh", "Cosh", Math::cosh, new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.mul(g, call(e, Ops.SINH, x)); }
        });
    }

    static Function asinh() {
        return new Function("asinh", "Asinh", v -> Double.isInfinite(v) ? v : Math.log(v + Math.sqrt(v * v + 1)), new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.div(g, e.sqrt(e.add(e.mul(x, x), 1))); }
        });
    }

    static Function acosh() {
        return new Function("acosh", "Acosh", v -> Math.log(v + Math.sqrt(v * v - 1)), new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.div(g, e.sqrt(e.add(e.mul(x, x), -1))); }
        });
    }

    static Function atanh() {
        return new Function("atanh", "Atanh", v -> 0.5 * Math.log((1 + v) / (1 - v)), new Derivative() {
            public <V> V of(Emitter<V> e, V x, V y, V g) { return e.div(g, oneMinusSquare(e, x)); }
        });
    }

    // Piecewise constant: the gradient is 0 almost everywhere, as in PyTorch.
    private static final Derivative FLAT = new Derivative() {
        public <V> V of(Emitter<V> e, V x, V y, V g) { return e.mul(g, 0); }
    };

    static Function floor() {
        return new Function("floor", "Floor", Math::floor, FLAT);
    }

    static Function ceil() {
        return new Function("ceil", "Ceil", Math::ceil, FLAT);
    }

    /** Halves round to even, as ONNX's Round (and NumPy's). */
    static Function round() {
        return new Function("round", "Round", Math::rint, FLAT);
    }

    /** not(x), and/or/xor(a, b) on bool tensors, broadcast. No gradient. */
    static final class Logical extends Op {
        private final int kind;    // 0 not, 1 and, 2 or, 3 xor

        Logical(String name, String onnxType, int kind) {
            super(name, kind == 0 ? 1 : 2, kind == 0 ? 1 : 2, onnxType);
            this.kind = kind;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            for (TensorType t : in) Check.dtype(name(), "the input", t, DType.BOOL);
            Shape s = kind == 0 ? in[0].shape() : Shape.broadcast(name(), in[0].shape(), in[1].shape());
            return new TensorType[] {new TensorType(DType.BOOL, s)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            boolean[] o = out[0].bool(), a = in[0].bool();
            if (kind == 0) {
                for (int i = 0; i < o.length; i++) o[i] = !a[i];
                return;
            }
            boolean[] b = in[1].bool();
            Broadcast.forEachRun(out[0].shape(), new Shape[] {in[0].shape(), in[1].shape()}, (off, oo, n, full) -> {
                int sa = full & 1, sb = (full >> 1) & 1;
                for (int i = 0; i < n; i++) {
                    boolean x = a[off[0] + i * sa], y = b[off[1] + i * sb];
                    o[oo + i] = kind == 1 ? x & y : kind == 2 ? x | y : x ^ y;
                }
            });
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList((V[]) new Object[in.size()]);
        }
    }

    /**
     * is_nan(x), and is_inf(x) with ONNX IsInf's attributes "detect_negative" and "detect_positive"
     * (both true by default): bool, no gradient.
     */
    static final class FloatTest extends Op {
        private final boolean nan;

        FloatTest(String name, String onnxType, boolean nan) {
            super(name, 1, 1, onnxType);
            this.nan = nan;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            return new TensorType[] {new TensorType(DType.BOOL, in[0].shape())};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            boolean neg = attrs.getBool("detect_negative", true), pos = attrs.getBool("detect_positive", true);
            boolean[] o = out[0].bool();
            for (int i = 0; i < o.length; i++) {
                double v = in[0].readDouble(i);
                o[i] = nan ? Double.isNaN(v) : (v == Double.POSITIVE_INFINITY && pos) || (v == Double.NEGATIVE_INFINITY && neg);
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList((V) null);
        }

        @Override
        public void toOnnx(dev.janus.core.onnx.ExportNode node, dev.janus.core.onnx.OnnxWriter out) {
            if (nan) {
                super.toOnnx(node, out);
                return;
            }
            Attrs a = node.attrs();
            out.node("IsInf", node.inputs(), node.outputs(), "detect_negative", a.getBool("detect_negative", true) ? 1 : 0,
                    "detect_positive", a.getBool("detect_positive", true) ? 1 : 0);
        }

        @Override
        public java.util.Map<String, dev.janus.core.onnx.OnnxImportRule> fromOnnx() {
            if (nan) return super.fromOnnx();
            return java.util.Map.of("IsInf", n -> List.of(n.apply1(this, Attrs.of("detect_negative", n.getInt("detect_negative", 1) != 0,
                    "detect_positive", n.getInt("detect_positive", 1) != 0), n.input(0))));
        }
    }
}
