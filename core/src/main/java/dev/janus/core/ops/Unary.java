package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxImports;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Elementwise ops of one float input. Each op writes its float32 and float64 loops itself (a shared
 * loop calling a per-op function would not inline, and runs ten times slower) and its gradient.
 */
abstract class Unary extends Op {
    /** Every op of this family is elementwise. */
    @Override
    public final boolean isElementwise() {
        return true;
    }

    /** An op whose subclass writes its own ONNX mapping. */
    Unary(String name) {
        super(name, 1, 1);
    }

    /** An op that is the ONNX op {@code onnxType}, with no attributes. */
    Unary(String name, String onnxType) {
        super(name, 1, 1, onnxType);
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        if (takesIntegers()) Check.numeric(name(), in[0]);
        else Check.floating(name(), in[0]);
        return new TensorType[] {in[0]};
    }

    /** The op on an integer (int64; other integer types are widened to it); ops that have none keep the default. */
    long i64(long x) {
        throw new UnsupportedOperationException(name());
    }

    private boolean takesIntegers() {
        try {
            i64(1);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Elements per thread below which the op does not split: cheap ops need more to pay for the hand-off. */
    int grain() {
        return CpuThreads.grain(1);
    }

    /** The grain of ops that call a transcendental function per element (about eight adds' worth). */
    static int costlyGrain() {
        return CpuThreads.grain(8);
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        int n = in[0].numel();
        if (in[0].dtype() != DType.FLOAT32 && in[0].dtype() != DType.FLOAT64) {
            long[] x = in[0].i64(), y = out[0].i64();
            for (int i = 0; i < n; i++) y[i] = i64(x[i]);
            return;
        }
        boolean single = in[0].dtype() == dev.janus.core.DType.FLOAT32;
        if (CpuThreads.parts(n, grain()) <= 1) {
            if (single) f32(in[0].f32(), out[0].f32(), 0, n, attrs);
            else f64(in[0].f64(), out[0].f64(), 0, n, attrs);
            return;
        }
        Object x = in[0].heapArray(), y = out[0].heapArray();
        CpuThreads.parallelFor(n, grain(), (from, to) -> {
            if (single) f32((float[]) x, (float[]) y, from, to, attrs);
            else f64((double[]) x, (double[]) y, from, to, attrs);
        });
    }

    /** y[i] = op(x[i]) for i in [from, n). */
    abstract void f32(float[] x, float[] y, int from, int n, Attrs attrs);

    abstract void f64(double[] x, double[] y, int from, int n, Attrs attrs);

    /** Gradient of the input from x, y = op(x) and the upstream gradient g. */
    abstract <V> V grad(Emitter<V> e, Attrs attrs, V x, V y, V g);

    @Override
    public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
        return Arrays.asList(wanted[0] ? grad(e, attrs, in.get(0), out.get(0), gOut.get(0)) : null);
    }

    static final class Neg extends Unary {
        Neg() { super("neg", "Neg"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = -x[i]; }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = -x[i]; }
        long i64(long x) { return -x; }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.neg(g); }
    }

    static final class Exp extends Unary {
        Exp() { super("exp", "Exp"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) Math.exp(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.exp(x[i]); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.mul(g, y); }
    }

    static final class Log extends Unary {
        Log() { super("log", "Log"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) Math.log(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.log(x[i]); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.div(g, x); }
    }

    static final class Sqrt extends Unary {
        Sqrt() { super("sqrt", "Sqrt"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) Math.sqrt(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.sqrt(x[i]); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.div(g, e.mul(y, 2)); }
    }

    static final class Abs extends Unary {
        Abs() { super("abs", "Abs"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.abs(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.abs(x[i]); }
        long i64(long x) { return Math.abs(x); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.mul(g, e.sign(x)); }

        /** Softsign is x / (1 + |x|). */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Abs", OnnxImports.direct(this), "Softsign", n -> {
                Emitter<Value> e = n.emit();
                return List.of(e.div(n.input(0), e.add(e.one(this, Attrs.NONE, List.of(n.input(0))), 1)));
            });
        }
    }

    static final class Sign extends Unary {
        Sign() { super("sign", "Sign"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.signum(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.signum(x[i]); }
        long i64(long x) { return Long.signum(x); }
        // Flat almost everywhere, as in PyTorch.
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.mul(g, 0); }
    }

    static final class Erf extends Unary {
        Erf() { super("erf", "Erf"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) SpecialMath.erfFast(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = SpecialMath.erf(x[i]); }
        // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            return e.mul(g, e.mul(e.exp(e.neg(e.mul(x, x))), 2 / Math.sqrt(Math.PI)));
        }
    }

    static final class Relu extends Unary {
        Relu() { super("relu", "Relu"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.max(x[i], 0f); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.max(x[i], 0.0); }
        long i64(long x) { return Math.max(x, 0); }
        // y > 0 exactly where x > 0 (NaN and -0 included): reading y lets a compiled plan drop x after the forward pass.
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.maskOr0(e.greater(y, e.scalar(0, e.dtype(y))), g); }

        /**
         * PRelu is x where x > 0, else slope x (the slope broadcasts to x); ThresholdedRelu is x where
         * x > alpha (default 1), else 0. Both import as where, so their gradients are its.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Relu", OnnxImports.direct(this), "PRelu", n -> {
                Emitter<Value> e = n.emit();
                Value x = n.input(0), slope = n.input(1);
                if (!Shape.broadcast(n.opType(), x.type().shape(), slope.type().shape()).equals(x.type().shape())) {
                    throw n.error("slope " + slope.type() + " does not broadcast to the input " + x.type());
                }
                return List.of(e.where(e.greater(x, e.scalar(0, e.dtype(x))), x, e.mul(x, slope)));
            }, "ThresholdedRelu", n -> {
                Emitter<Value> e = n.emit();
                Value x = n.input(0);
                return List.of(e.maskOr0(e.greater(x, e.scalar(n.getFloat("alpha", 1.0), e.dtype(x))), x));
            });
        }
    }

    /** x for x > 0, alpha x otherwise (alpha defaults to 0.01). */
    static final class LeakyRelu extends Unary {
        LeakyRelu() { super("leaky_relu"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            float s = (float) a.getDouble("alpha", 0.01);
            for (int i = from; i < n; i++) y[i] = x[i] > 0 ? x[i] : s * x[i];
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            double s = a.getDouble("alpha", 0.01);
            for (int i = from; i < n; i++) y[i] = x[i] > 0 ? x[i] : s * x[i];
        }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            return e.where(e.greater(x, e.scalar(0, e.dtype(x))), g, e.mul(g, a.getDouble("alpha", 0.01)));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("LeakyRelu", node.inputs(), node.outputs(), "alpha", node.attrs().getDouble("alpha", 0.01));
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("LeakyRelu", n -> List.of(n.apply1(this, Attrs.of("alpha", n.getFloat("alpha", 0.01)), n.input(0))));
        }
    }

    /** x for x > 0, alpha (exp(x) - 1) otherwise (alpha defaults to 1). */
    static final class Elu extends Unary {
        Elu() { super("elu"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            double s = a.getDouble("alpha", 1.0);
            for (int i = from; i < n; i++) y[i] = x[i] > 0 ? x[i] : (float) (s * Math.expm1(x[i]));
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            double s = a.getDouble("alpha", 1.0);
            for (int i = from; i < n; i++) y[i] = x[i] > 0 ? x[i] : s * Math.expm1(x[i]);
        }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            return e.where(e.greater(x, e.scalar(0, e.dtype(x))), g, e.mul(g, e.add(y, a.getDouble("alpha", 1.0))));
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("Elu", node.inputs(), node.outputs(), "alpha", node.attrs().getDouble("alpha", 1.0));
        }

        /** Selu is gamma elu(x, alpha), with ONNX's defaults for both. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of(
                    "Elu", n -> List.of(n.apply1(this, Attrs.of("alpha", n.getFloat("alpha", 1.0)), n.input(0))),
                    "Celu", n -> {
                        double alpha = n.getFloat("alpha", 1.0);
                        Value scaled = n.emit().mul(n.input(0), 1 / alpha);
                        return List.of(n.emit().mul(n.apply1(this, Attrs.of("alpha", 1.0), scaled), alpha));
                    },
                    "Selu", n -> {
                        Attrs alpha = Attrs.of("alpha", n.getFloat("alpha", 1.67326319217681884765625));
                        return List.of(n.emit().mul(n.apply1(this, alpha, n.input(0)), n.getFloat("gamma", 1.05070102214813232421875)));
                    });
        }
    }

    /** x Phi(x) with the normal CDF Phi; approximate="tanh" gives the tanh form. */
    static final class Gelu extends Unary {
        private static final double K = Math.sqrt(2 / Math.PI), C = 0.044715, INV_SQRT2 = 1 / Math.sqrt(2);
        Gelu() { super("gelu"); }
        @Override int grain() { return costlyGrain(); }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            String mode = attrs.getString("approximate", "none");
            if (!mode.equals("none") && !mode.equals("tanh")) {
                throw new dev.janus.core.ShapeException("gelu: approximate must be \"none\" or \"tanh\", got \"" + mode + "\"");
            }
            return super.inferTypes(in, attrs);
        }

        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            if (tanhMode(a)) for (int i = from; i < n; i++) y[i] = (float) tanhForm(x[i]);
            else for (int i = from; i < n; i++) y[i] = (float) (x[i] * 0.5 * SpecialMath.erfcFast(-x[i] * INV_SQRT2));
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            if (tanhMode(a)) for (int i = from; i < n; i++) y[i] = tanhForm(x[i]);
            else for (int i = from; i < n; i++) y[i] = x[i] * 0.5 * SpecialMath.erfc(-x[i] * INV_SQRT2);
        }
        private static boolean tanhMode(Attrs a) { return a.getString("approximate", "none").equals("tanh"); }
        private static double tanhForm(double v) { return 0.5 * v * (1 + Math.tanh(K * (v + C * v * v * v))); }

        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            if (tanhMode(a)) {
                // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) K (1 + 3 C x^2), t = tanh(K (x + C x^3))
                V x2 = e.mul(x, x);
                V t = e.tanh(e.mul(e.add(x, e.mul(e.mul(x2, x), C)), K));
                V left = e.mul(e.add(t, 1), 0.5);
                V right = e.mul(e.mul(e.mul(x, e.rsub(1, e.mul(t, t))), e.add(e.mul(x2, 3 * C), 1)), 0.5 * K);
                return e.mul(g, e.add(left, right));
            }
            // d/dx = Phi(x) + x phi(x), Phi(x) = (1 + erf(x/sqrt2))/2, phi(x) = exp(-x^2/2)/sqrt(2 pi)
            V cdf = e.mul(e.add(e.erf(e.mul(x, INV_SQRT2)), 1), 0.5);
            V pdf = e.mul(e.exp(e.mul(e.mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
            return e.mul(g, e.add(cdf, e.mul(x, pdf)));
        }

        /** ONNX has Gelu from opset 20; before that it is written out with Erf or Tanh. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            boolean tanh = tanhMode(node.attrs());
            if (out.opset() >= 20) {
                if (tanh) out.node("Gelu", node.inputs(), node.outputs(), "approximate", "tanh");
                else out.node("Gelu", node.inputs(), node.outputs());
                return;
            }
            String x = node.input(0);
            DType t = node.inputType(0).dtype();
            String inner;
            if (tanh) {
                String cube = out.emit("Mul", List.of(out.emit("Mul", List.of(x, x)), x));
                String arg = out.emit("Add", List.of(x, out.emit("Mul", List.of(cube, out.scalar(C, t)))));
                inner = out.emit("Tanh", List.of(out.emit("Mul", List.of(arg, out.scalar(K, t)))));
            } else {
                inner = out.emit("Erf", List.of(out.emit("Mul", List.of(x, out.scalar(INV_SQRT2, t)))));
            }
            String half = out.emit("Mul", List.of(x, out.scalar(0.5, t)));
            out.node("Mul", List.of(half, out.emit("Add", List.of(inner, out.scalar(1, t)))), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Gelu", n -> List.of(n.apply1(this, Attrs.of("approximate", n.getString("approximate", "none")), n.input(0))));
        }
    }

    static final class Sigmoid extends Unary {
        Sigmoid() { super("sigmoid", "Sigmoid"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) (1 / (1 + Math.exp(-x[i]))); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i])); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.mul(g, e.mul(y, e.rsub(1, y))); }

        /** Swish (opset 24) is x sigmoid(alpha x), alpha defaulting to 1. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Sigmoid", OnnxImports.direct(this), "Swish", n -> {
                Value x = n.input(0);
                return List.of(n.emit().mul(x, n.emit().sigmoid(n.emit().mul(x, n.getFloat("alpha", 1.0)))));
            });
        }
    }

    static final class Tanh extends Unary {
        Tanh() { super("tanh", "Tanh"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = (float) Math.tanh(x[i]); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = Math.tanh(x[i]); }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.mul(g, e.rsub(1, e.mul(y, y))); }
    }

    /** x relu6(x + 3) / 6, as PyTorch's Hardswish and ONNX's HardSwish (opset 14; written out before it). */
    static final class HardSwish extends Unary {
        HardSwish() { super("hard_swish"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = x[i] * Math.min(Math.max(x[i] + 3f, 0f), 6f) / 6f; }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { for (int i = from; i < n; i++) y[i] = x[i] * Math.min(Math.max(x[i] + 3, 0), 6) / 6; }
        // 0 below -3, 1 above 3, (2x + 3) / 6 between.
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            DType t = e.dtype(x);
            V middle = e.add(e.mul(x, 1 / 3.0), 0.5);
            V d = e.where(e.greater(x, e.scalar(3, t)), e.scalar(1, t), e.where(e.greater(e.scalar(-3, t), x), e.scalar(0, t), middle));
            return e.mul(g, d);
        }
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            DType t = node.inputType(0).dtype();
            if (out.opset() >= 14 && t != DType.FLOAT64) {
                out.node("HardSwish", node.inputs(), node.outputs());
                return;
            }
            // x clip(x / 6 + 1/2, 0, 1), in ops ONNX Runtime runs in float64 too (its HardSwish and HardSigmoid do not)
            String x = node.input(0), scaled = out.emit("Add", List.of(out.emit("Mul", List.of(x, out.scalar(1 / 6.0, t))), out.scalar(0.5, t)));
            String gate = out.emit("Clip", List.of(scaled, out.scalar(0, t), out.scalar(1, t)));
            out.node("Mul", List.of(x, gate), node.outputs());
        }
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("HardSwish", OnnxImports.direct(this));
        }
    }

    /**
     * clip(alpha x + beta, 0, 1), as ONNX's HardSigmoid (defaults 0.2 and 0.5); PyTorch's Hardsigmoid
     * and Keras 3's hard_sigmoid are alpha 1/6, beta 1/2.
     */
    static final class HardSigmoid extends Unary {
        HardSigmoid() { super("hard_sigmoid"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            float alpha = (float) alpha(a), beta = (float) beta(a);
            for (int i = from; i < n; i++) y[i] = Math.min(Math.max(alpha * x[i] + beta, 0f), 1f);
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            double alpha = alpha(a), beta = beta(a);
            for (int i = from; i < n; i++) y[i] = Math.min(Math.max(alpha * x[i] + beta, 0), 1);
        }
        // alpha strictly inside (0, 1), 0 where clipped (PyTorch's hardsigmoid_backward too).
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            DType t = e.dtype(y);
            return e.maskOr0(e.greater(y, e.scalar(0, t)), e.maskOr0(e.greater(e.scalar(1, t), y), e.mul(g, alpha(a))));
        }
        static double alpha(Attrs a) { return a.getDouble("alpha", 0.2); }
        static double beta(Attrs a) { return a.getDouble("beta", 0.5); }

        /** ONNX Runtime has no float64 HardSigmoid: written out there. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            DType t = node.inputType(0).dtype();
            double alpha = alpha(node.attrs()), beta = beta(node.attrs());
            if (t != DType.FLOAT64) {
                out.node("HardSigmoid", node.inputs(), node.outputs(), "alpha", alpha, "beta", beta);
                return;
            }
            String z = out.emit("Add", List.of(out.emit("Mul", List.of(node.input(0), out.scalar(alpha, t))), out.scalar(beta, t)));
            out.node("Clip", List.of(z, out.scalar(0, t), out.scalar(1, t)), node.outputs());
        }
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("HardSigmoid", n -> List.of(n.apply1(this,
                    Attrs.of("alpha", n.getFloat("alpha", 0.2), "beta", n.getFloat("beta", 0.5)), n.input(0))));
        }
    }

    /** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's defaults: 1, 20). */
    static final class Softplus extends Unary {
        Softplus() { super("softplus"); }
        @Override int grain() { return costlyGrain(); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            double beta = a.getDouble("beta", 1), th = a.getDouble("threshold", 20);
            for (int i = from; i < n; i++) y[i] = (float) softplus(x[i], beta, th);
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            double beta = a.getDouble("beta", 1), th = a.getDouble("threshold", 20);
            for (int i = from; i < n; i++) y[i] = softplus(x[i], beta, th);
        }
        private static double softplus(double v, double beta, double th) {
            return v * beta > th ? v : Math.log1p(Math.exp(v * beta)) / beta;
        }
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            double beta = a.getDouble("beta", 1), th = a.getDouble("threshold", 20);
            V bx = e.mul(x, beta);
            return e.where(e.greater(bx, e.scalar(th, e.dtype(x))), g, e.mul(g, e.sigmoid(bx)));
        }

        /**
         * ONNX's Softplus is log(1 + exp(x)): with the defaults it differs from this op only above the
         * threshold, by log1p(exp(-x)) < 2.1e-9, so it maps directly; other settings are written out.
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            double beta = node.attrs().getDouble("beta", 1), th = node.attrs().getDouble("threshold", 20);
            if (beta == 1 && th == 20) {
                out.node("Softplus", node.inputs(), node.outputs());
                return;
            }
            String x = node.input(0);
            DType t = node.inputType(0).dtype();
            String bx = out.emit("Mul", List.of(x, out.scalar(beta, t)));
            String soft = out.emit("Div", List.of(out.emit("Softplus", List.of(bx)), out.scalar(beta, t)));
            out.node("Where", List.of(out.emit("Greater", List.of(bx, out.scalar(th, t))), x, soft), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Softplus", OnnxImports.direct(this),
                    "Mish", n -> List.of(n.emit().mul(n.input(0), n.emit().tanh(n.apply1(this, Attrs.NONE, n.input(0))))));
        }
    }

    /** Clamps to [min, max]; either bound may be absent. */
    static final class Clip extends Unary {
        Clip() { super("clip"); }
        void f32(float[] x, float[] y, int from, int n, Attrs a) {
            float lo = (float) a.getDouble("min", Double.NEGATIVE_INFINITY), hi = (float) a.getDouble("max", Double.POSITIVE_INFINITY);
            for (int i = from; i < n; i++) y[i] = Math.min(Math.max(x[i], lo), hi);
        }
        void f64(double[] x, double[] y, int from, int n, Attrs a) {
            double lo = a.getDouble("min", Double.NEGATIVE_INFINITY), hi = a.getDouble("max", Double.POSITIVE_INFINITY);
            for (int i = from; i < n; i++) y[i] = Math.min(Math.max(x[i], lo), hi);
        }
        // Passes where x was inside [min, max], bounds included, as PyTorch's clamp does.
        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) { return e.maskOr0(e.equal(x, y), g); }

        /** ONNX takes the bounds as inputs (from opset 11); an absent bound is an omitted input. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            DType t = node.inputType(0).dtype();
            String lo = a.has("min") ? out.scalar(a.getDouble("min"), t) : "";
            String hi = a.has("max") ? out.scalar(a.getDouble("max"), t) : "";
            out.node("Clip", hi.isEmpty() ? List.of(node.input(0), lo) : List.of(node.input(0), lo, hi), node.outputs());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Clip", this::importClip);
        }

        // Before opset 11 the bounds are attributes (defaulting to the float range); from 11 they are
        // optional inputs, and bounds known only at run time become maximum and minimum.
        private List<Value> importClip(ImportNode n) {
            Value x = n.input(0);
            if (n.opset() < 11) {
                return List.of(n.apply1(this, Attrs.of("min", n.getFloat("min", -Float.MAX_VALUE), "max", n.getFloat("max", Float.MAX_VALUE)), x));
            }
            // The lower bound goes first, as in ONNX (when min > max, the result is max).
            Attrs bounds = Attrs.NONE;
            if (n.hasInput(1)) {
                if (n.isConstant(1)) bounds = Attrs.of("min", n.constant(1).item());
                else x = n.apply1(Ops.MAXIMUM, Attrs.NONE, x, n.input(1));
            }
            if (n.hasInput(2)) {
                if (n.isConstant(2)) {
                    bounds = bounds.with("max", n.constant(2).item());
                } else {
                    if (!bounds.keys().isEmpty()) x = n.apply1(this, bounds, x);
                    bounds = Attrs.NONE;
                    x = n.apply1(Ops.MINIMUM, Attrs.NONE, x, n.input(2));
                }
            }
            return List.of(bounds.keys().isEmpty() ? x : n.apply1(this, bounds, x));
        }
    }
}
