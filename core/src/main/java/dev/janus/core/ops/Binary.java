package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.OnnxImportRule;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Elementwise arithmetic of two inputs with NumPy broadcasting: floats, and integers for the ops
 * that define {@link #i64(long, long)} (computed in int64, other integer types widened to it). The broadcast walk hands each
 * op contiguous runs; an input that repeats one element over a run is expanded into a scratch row,
 * so every op needs just one loop per dtype.
 */
abstract class Binary extends Op {
    /** Every op of this family is elementwise. */
    @Override
    public final boolean isElementwise() {
        return true;
    }

    /** {@code onnxType}: the ONNX op of the same meaning (ONNX broadcasts the same way). */
    Binary(String name, String onnxType) {
        super(name, 2, 2, onnxType);
    }

    /** Applies the op left to right over all the node's inputs: ONNX's Sum, Max and Min take any number. */
    OnnxImportRule folded() {
        return n -> {
            Value acc = n.input(0);
            List<Value> in = n.inputs();
            for (int i = 1; i < in.size(); i++) acc = n.apply1(this, Attrs.NONE, acc, in.get(i));
            return List.of(acc);
        };
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        if (takesIntegers()) Check.numeric(name(), in[0]);
        else Check.floating(name(), in[0]);
        Check.sameDType(name(), in[0], in[1]);
        return new TensorType[] {in[0].withShape(Shape.broadcast(name(), in[0].shape(), in[1].shape()))};
    }

    /** Integer arithmetic (ONNX's: two's complement, wrapping); ops that have none keep the default. */
    long i64(long a, long b) {
        throw new UnsupportedOperationException(name());
    }

    private boolean takesIntegers() {
        try {
            i64(1, 1);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Arithmetic on shape values: elementwise where both sides are known (same length, or a scalar side). */
    @Override
    protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
        if (in[0].elements() == null || in[1].elements() == null || !takesIntegers()) return null;
        int n = out[0].shape().size(), na = in[0].shape().size(), nb = in[1].shape().size();
        if ((na != n && na != 1) || (nb != n && nb != 1)) return null;
        Long[] e = new Long[n];
        for (int i = 0; i < n; i++) {
            Long x = in[0].element(na == 1 ? 0 : i), y = in[1].element(nb == 1 ? 0 : i);
            try {
                e[i] = x == null || y == null ? null : i64(x, y);
            } catch (RuntimeException ex) {
                e[i] = null;    // division by zero: an error at run time
            }
        }
        return new Long[][] {e};
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Tensor a = in[0], b = in[1], o = out[0];
        boolean same = a.shape().equals(b.shape());
        if (a.dtype() == DType.INT64) {
            long[] x = a.i64(), y = b.i64(), z = o.i64();
            Broadcast.forEachRun(o.shape(), new Shape[] {a.shape(), b.shape()}, (off, oo, n, full) -> {
                int sa = full & 1, sb = (full >> 1) & 1;
                for (int i = 0; i < n; i++) z[oo + i] = i64(x[off[0] + i * sa], y[off[1] + i * sb]);
            });
        } else if (a.dtype() == DType.FLOAT32) {
            float[] x = a.f32(), y = b.f32(), z = o.f32();
            if (same) {
                int grain = CpuThreads.grain(1);
                if (CpuThreads.parts(z.length, grain) <= 1) f32(x, y, z, 0, z.length);
                else CpuThreads.parallelFor(z.length, grain, (from, to) -> f32(x, y, z, from, to));
                return;
            }
            float[][] row = new float[2][];
            Broadcast.forEachRun(o.shape(), new Shape[] {a.shape(), b.shape()}, (off, oo, n, full) -> {
                float[] xs = x, ys = y;
                int xo = off[0], yo = off[1];
                if ((full & 1) == 0) { xs = fill(row, 0, x[xo], n); xo = 0; }
                if ((full & 2) == 0) { ys = fill(row, 1, y[yo], n); yo = 0; }
                f32(xs, xo, ys, yo, z, oo, n);
            });
        } else {
            double[] x = a.f64(), y = b.f64(), z = o.f64();
            if (same) {
                int grain = CpuThreads.grain(1);
                if (CpuThreads.parts(z.length, grain) <= 1) f64(x, y, z, 0, z.length);
                else CpuThreads.parallelFor(z.length, grain, (from, to) -> f64(x, y, z, from, to));
                return;
            }
            double[][] row = new double[2][];
            Broadcast.forEachRun(o.shape(), new Shape[] {a.shape(), b.shape()}, (off, oo, n, full) -> {
                double[] xs = x, ys = y;
                int xo = off[0], yo = off[1];
                if ((full & 1) == 0) { xs = fill(row, 0, x[xo], n); xo = 0; }
                if ((full & 2) == 0) { ys = fill(row, 1, y[yo], n); yo = 0; }
                f64(xs, xo, ys, yo, z, oo, n);
            });
        }
    }

    private static float[] fill(float[][] rows, int slot, float v, int n) {
        if (rows[slot] == null) rows[slot] = new float[n];
        Arrays.fill(rows[slot], 0, n, v);
        return rows[slot];
    }

    private static double[] fill(double[][] rows, int slot, double v, int n) {
        if (rows[slot] == null) rows[slot] = new double[n];
        Arrays.fill(rows[slot], 0, n, v);
        return rows[slot];
    }

    abstract void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n);

    abstract void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n);

    /**
     * The same op on inputs and an output of one shape, elements [from, n), with one index for all three: the JIT
     * vectorises this loop even where it cannot tell the arrays apart, which it will not do for
     * the loops with separate offsets above (a 5x difference on large tensors).
     */
    abstract void f32(float[] a, float[] b, float[] o, int from, int n);

    abstract void f64(double[] a, double[] b, double[] o, int from, int n);

    /** Gradients before un-broadcasting, each the shape of the output. */
    abstract <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] wanted);

    @Override
    public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
        V a = in.get(0), b = in.get(1);
        List<V> g = grads(e, a, b, out.get(0), gOut.get(0), wanted);
        return Arrays.asList(wanted[0] ? e.sumTo(g.get(0), e.shape(a)) : null,
                wanted[1] ? e.sumTo(g.get(1), e.shape(b)) : null);
    }

    static final class Add extends Binary {
        Add() { super("add", "Add"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]; }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] + b[i]; }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] + b[i]; }
        long i64(long a, long b) { return a + b; }
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) { return Arrays.asList(g, g); }

        /** Mean is the sum of its inputs divided by their count. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Add", folded(), "Sum", folded(), "Mean", n -> {
                Value sum = folded().build(n).get(0);
                return List.of(n.inputs().size() == 1 ? sum : n.emit().mul(sum, 1.0 / n.inputs().size()));
            });
        }
    }

    static final class Sub extends Binary {
        Sub() { super("sub", "Sub"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]; }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] - b[i]; }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] - b[i]; }
        long i64(long a, long b) { return a - b; }
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) { return Arrays.asList(g, w[1] ? e.neg(g) : null); }
    }

    static final class Mul extends Binary {
        Mul() { super("mul", "Mul"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]; }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] * b[i]; }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] * b[i]; }
        long i64(long a, long b) { return a * b; }
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) {
            return Arrays.asList(w[0] ? e.mul(g, b) : null, w[1] ? e.mul(g, a) : null);
        }
    }

    static final class Div extends Binary {
        Div() { super("div", "Div"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]; }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]; }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] / b[i]; }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = a[i] / b[i]; }
        // Truncates toward zero, as ONNX (C) does; dividing by zero is undefined there, an error here.
        long i64(long a, long b) {
            if (b == 0) throw new dev.janus.core.JanusException("div: integer division by zero");
            return a / b;
        }
        // d(a/b)/db = -a/b^2 = -y/b
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) {
            return Arrays.asList(w[0] ? e.div(g, b) : null, w[1] ? e.neg(e.div(e.mul(g, y), b)) : null);
        }
    }

    static final class Pow extends Binary {
        Pow() { super("pow", "Pow"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = (float) Math.pow(a[ai + i], b[bi + i]); }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.pow(a[ai + i], b[bi + i]); }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = (float) Math.pow(a[i], b[i]); }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = Math.pow(a[i], b[i]); }
        // Integers: repeated squaring, wrapping as integer products do; a negative exponent has no integer result.
        long i64(long a, long b) {
            if (b < 0) throw new dev.janus.core.JanusException("pow: integer base " + a + " to the negative exponent " + b);
            long r = 1;
            for (long base = a, e = b; e > 0; e >>= 1, base *= base) if ((e & 1) != 0) r *= base;
            return r;
        }
        // d/da = b a^(b-1); d/db = y log(a), taken as 0 where a == 0 (PyTorch's convention).
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) {
            V ga = w[0] ? e.mul(g, e.mul(b, e.pow(a, e.add(b, -1)))) : null;
            V gb = null;
            if (w[1]) {
                V zero = e.scalar(0, e.dtype(a));
                gb = e.where(e.equal(a, zero), zero, e.mul(g, e.mul(y, e.log(a))));
            }
            return Arrays.asList(ga, gb);
        }

        /** ONNX allows an exponent of another type (an int64 power, say); it is cast to the base's. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Pow", n -> {
                Value base = n.input(0);
                return List.of(n.apply1(this, Attrs.NONE, base, n.emit().cast(n.input(1), base.type().dtype())));
            });
        }
    }

    /** Elementwise maximum; on ties the gradient is split evenly, as in PyTorch. */
    static final class Maximum extends Binary {
        Maximum() { super("maximum", "Max"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], b[bi + i]); }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.max(a[ai + i], b[bi + i]); }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = Math.max(a[i], b[i]); }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = Math.max(a[i], b[i]); }
        long i64(long a, long b) { return Math.max(a, b); }
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) { return split(e, e.greater(a, b), a, b, g); }
        @Override public Map<String, OnnxImportRule> fromOnnx() { return Map.of("Max", folded()); }
    }

    static final class Minimum extends Binary {
        Minimum() { super("minimum", "Min"); }
        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], b[bi + i]); }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { for (int i = 0; i < n; i++) o[oi + i] = Math.min(a[ai + i], b[bi + i]); }
        void f32(float[] a, float[] b, float[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = Math.min(a[i], b[i]); }
        void f64(double[] a, double[] b, double[] o, int from, int n) { for (int i = from; i < n; i++) o[i] = Math.min(a[i], b[i]); }
        long i64(long a, long b) { return Math.min(a, b); }
        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) { return split(e, e.greater(b, a), a, b, g); }
        @Override public Map<String, OnnxImportRule> fromOnnx() { return Map.of("Min", folded()); }
    }

    /** share(a) = [a wins] + 0.5 [tie]; a gets g share(a), b gets g (1 - share(a)). */
    private static <V> List<V> split(Emitter<V> e, V aWins, V a, V b, V g) {
        DType t = e.dtype(a);
        V share = e.add(e.cast(aWins, t), e.mul(e.cast(e.equal(a, b), t), 0.5));
        return Arrays.asList(e.mul(g, share), e.mul(g, e.rsub(1, share)));
    }
}
