package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;
import dev.janus.core.quant.IntegerMatMul;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX's integer products, on 8-bit storage with int32 accumulation: matmul_integer (MatMulInteger)
 * and conv_integer (ConvInteger) give the int32 sums of (a - a_zero_point)(b - b_zero_point);
 * qlinear_matmul (QLinearMatMul) and qlinear_conv (QLinearConv) bring them back to 8 bits with
 * {@code saturate(round(sum x a_scale b_scale / y_scale) + y_zero_point)}, the multiplier and the
 * product in float32 and rounded half to even, as ONNX Runtime does, so the integers are its own.
 * All of them run through one integer GEMM ({@link IntegerGemm}); a convolution unfolds its images
 * into columns first, as conv does.
 *
 * <p>Zero points and scales: one value, or one per row of a (its second-to-last axis) and one per
 * column of b (its last axis) for the matrix products, one per output channel of the weight for the
 * convolutions; the input's and the output's are one value. Not differentiable: the inputs are
 * integers.
 */
final class IntegerProducts {
    private IntegerProducts() {
    }

    static void require8Bit(String op, String what, TensorType t) {
        if (t.dtype() != DType.INT8 && t.dtype() != DType.UINT8) throw new ShapeException(op + ": " + what + " must be int8 or uint8, got " + t);
    }

    /**
     * A scale or zero point that is one value (a scalar or [1]) or, when {@code size} is not 0, one
     * per {@code per} ({@code size} values, 1-D). A zero point must have its tensor's type.
     */
    static void requireParam(String op, String what, TensorType t, int size, String per, DType type) {
        if (type == null) LinearQuantize.requireFloat(op, what, t);
        else if (t.dtype() != type) throw new ShapeException(op + ": " + what + " " + t + " must have its input's type " + type);
        Shape s = t.shape();
        boolean one = s.rank() == 0 || s.rank() == 1 && s.dim(0) == 1;
        if (one) return;
        if (size == 0 || s.rank() != 1) {
            throw new ShapeException(op + ": " + what + " must be one value" + (size == 0 ? "" : " or 1-D, one per " + per) + ", got " + t);
        }
        if (size != Shape.DYNAMIC && s.dim(0) != Shape.DYNAMIC && s.dim(0) != size) {
            throw new ShapeException(op + ": " + what + " " + t + " must hold one value or " + size + " (one per " + per + ")");
        }
    }

    /** x's integers minus its zero point: zp[(i / inner) % channels], or zp[0] when it is one value. */
    static int[] centred(Tensor x, Tensor zp, int inner, int channels) {
        int[] v = LinearQuantize.ints(x), z = LinearQuantize.ints(zp);
        if (z.length == 1) {
            int z0 = z[0];
            if (z0 != 0) for (int i = 0; i < v.length; i++) v[i] -= z0;
        } else {
            for (int i = 0; i < v.length; i++) v[i] -= z[(i / inner) % channels];
        }
        return v;
    }

    private static int only(Tensor zp) {
        return LinearQuantize.ints(zp)[0];
    }

    // ------------------------------------------------------------ matrix products

    /** a [..., M, K] times b [..., K, N], batch axes broadcast: [..., M, N]. Both of rank 2 or more. */
    static Shape productShape(String op, Shape a, Shape b) {
        if (a.rank() < 2 || b.rank() < 2) throw new ShapeException(op + ": both operands need rank >= 2, got " + a + " and " + b);
        int m = a.dim(-2), ka = a.dim(-1), kb = b.dim(-2), n = b.dim(-1);
        if (ka != kb && ka != Shape.DYNAMIC && kb != Shape.DYNAMIC) {
            throw new ShapeException(op + ": cannot multiply " + a + " by " + b + " (inner dimensions " + ka + " and " + kb + " differ)");
        }
        if (a.rank() == 2 && b.rank() == 2) return Shape.of(m, n);
        return Shape.broadcast(op, a.sub(0, a.rank() - 2), b.sub(0, b.rank() - 2)).concat(Shape.of(m, n));
    }

    /**
     * The int32 products of every batch entry into {@code c} ([..., M, N], row-major): A and B are
     * the centred integers of shapes {@code as} and {@code bs}.
     */
    static void products(int[] a, Shape as, int[] b, Shape bs, int[] c, Shape cs) {
        int m = cs.dim(-2), n = cs.dim(-1), k = as.dim(-1);
        if (cs.rank() == 2) {
            IntegerGemm.gemm(m, n, k, a, 0, b, 0, c, 0);
            return;
        }
        Shape batch = cs.sub(0, cs.rank() - 2);
        int[] ao = Broadcast.offsets(batch, as.sub(0, as.rank() - 2)), bo = Broadcast.offsets(batch, bs.sub(0, bs.rank() - 2));
        for (int i = 0; i < batch.size(); i++) IntegerGemm.gemm(m, n, k, a, ao[i] * m * k, b, bo[i] * k * n, c, i * m * n);
    }

    /** matmul_integer(a, b, a_zero_point, b_zero_point) -> int32. */
    static final class MatMulInteger extends LinearQuantize.IntegerOp {
        MatMulInteger() {
            super("matmul_integer", 4, 4, "MatMulInteger");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            require8Bit(name(), "a", in[0]);
            require8Bit(name(), "b", in[1]);
            Shape c = productShape(name(), in[0].shape(), in[1].shape());
            requireParam(name(), "a_zero_point", in[2], in[0].shape().dim(-2), "row of a", in[0].dtype());
            requireParam(name(), "b_zero_point", in[3], in[1].shape().dim(-1), "column of b", in[1].dtype());
            return new TensorType[] {new TensorType(DType.INT32, c)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape as = in[0].shape(), bs = in[1].shape();
            int[] a = centred(in[0], in[2], as.dim(-1), as.dim(-2)), b = centred(in[1], in[3], 1, bs.dim(-1));
            products(a, as, b, bs, out[0].i32(), out[0].shape());
        }

        /** Omitted zero points are 0 of their input's type. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("MatMulInteger", n -> List.of(n.emit().one(this, Attrs.NONE,
                    List.of(n.input(0), n.input(1),
                    LinearQuantize.zeroPoint(n, 2, n.input(0).type().dtype()), LinearQuantize.zeroPoint(n, 3, n.input(1).type().dtype())))));
        }
    }

    /**
     * saturate(round((acc[i] + bias[c]) x mult[c]) + zp) into the output's type, for acc laid out
     * [outer, channels, inner] (c the channel; one multiplier, or one per channel; no bias when null):
     * the requantization that ends QLinearMatMul and QLinearConv, the bias added in int32 first as
     * ONNX Runtime adds it.
     */
    static void requantize(int[] acc, int[] bias, float[] mult, int channels, int inner, Tensor zeroPoint, Tensor out) {
        int zp = only(zeroPoint);
        int[] r = LinearQuantize.range(out.dtype());
        int lo = r[0], hi = r[1];
        for (int i = 0; i < acc.length; ) {
            for (int ch = 0; ch < channels; ch++) {
                float mu = mult[mult.length == 1 ? 0 : ch];
                int b = bias == null ? 0 : bias[ch];
                for (int end = i + inner; i < end; i++) acc[i] = LinearQuantize.saturate((float) (acc[i] + b) * mu, zp, lo, hi);
            }
        }
        LinearQuantize.store(acc, out);
    }

    /** a_scale[i] b_scale[j] / y_scale in float32, as ONNX Runtime computes the multipliers, [rows of a_scale, columns of b_scale]. */
    static float[] multipliers(float[] aScale, float[] bScale, float yScale) {
        float[] m = new float[aScale.length * bScale.length];
        for (int i = 0; i < aScale.length; i++) System.arraycopy(IntegerMatMul.multipliers(aScale[i], bScale, yScale), 0, m, i * bScale.length, bScale.length);
        return m;
    }

    /** qlinear_matmul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point) -> y_zero_point's type. */
    static final class QLinearMatMul extends LinearQuantize.IntegerOp {
        QLinearMatMul() {
            super("qlinear_matmul", 8, 8, "QLinearMatMul");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            require8Bit(name(), "a", in[0]);
            require8Bit(name(), "b", in[3]);
            require8Bit(name(), "y_zero_point", in[7]);
            Shape c = productShape(name(), in[0].shape(), in[3].shape());
            int rows = in[0].shape().dim(-2), cols = in[3].shape().dim(-1);
            requireParam(name(), "a_scale", in[1], rows, "row of a", null);
            requireParam(name(), "a_zero_point", in[2], rows, "row of a", in[0].dtype());
            requireParam(name(), "b_scale", in[4], cols, "column of b", null);
            requireParam(name(), "b_zero_point", in[5], cols, "column of b", in[3].dtype());
            requireParam(name(), "y_scale", in[6], 0, null, null);
            requireParam(name(), "y_zero_point", in[7], 0, null, in[7].dtype());
            return new TensorType[] {new TensorType(in[7].dtype(), c)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape as = in[0].shape(), bs = in[3].shape(), cs = out[0].shape();
            int m = cs.dim(-2), n = cs.dim(-1);
            int[] a = centred(in[0], in[2], as.dim(-1), m), b = centred(in[3], in[5], 1, n), acc = new int[cs.size()];
            products(a, as, b, bs, acc, cs);
            float[] aS = in[1].f32(), bS = in[4].f32(), mult = multipliers(aS, bS, in[6].f32()[0]);
            if (aS.length == 1) {
                requantize(acc, null, mult, bS.length == 1 ? 1 : n, 1, in[7], out[0]);
                return;
            }
            // One multiplier per row and column: [m, n] for every matrix of the batch.
            float[] full = new float[m * n];
            for (int i = 0; i < full.length; i++) full[i] = mult[bS.length == 1 ? i / n : i];
            requantize(acc, null, full, m * n, 1, in[7], out[0]);
        }
    }

    // ------------------------------------------------------------ convolutions

    /** Checks image and weight (integers, channels first, 1 or 2 spatial axes) and returns the output shape [N, M, *out]. */
    static Shape convShape(String op, TensorType x, TensorType w, Attrs attrs) {
        require8Bit(op, "x", x);
        require8Bit(op, "w", w);
        Conv.requireImage(op, "input", x);
        Shape xs = x.shape(), ws = w.shape();
        Conv.requireWeight(op, xs, ws, "[M, C/group", attrs);
        int group = Conv.group(op, attrs), m = ws.dim(0), c = xs.dim(1);
        if (m % group != 0) throw new ShapeException(op + ": weight " + ws + " has " + m + " output channels, which group " + group + " does not divide");
        if (c != Shape.DYNAMIC && c != ws.dim(1) * group) {
            throw new ShapeException(op + ": input " + xs + " has " + c + " channels, weight " + ws + " expects " + ws.dim(1) * group + " (group " + group + ")");
        }
        return Shape.of(xs.dim(0), m).concat(Shape.of(Window.of(op, xs, Conv.kernel(ws), attrs, false).out));
    }

    /** Columns held by one unfolded chunk of images, at most (ints). */
    private static final int CHUNK = 1 << 20;

    /**
     * The int32 sums of conv(x - x_zero_point, w - w_zero_point), [N, M, out]: per chunk of images
     * and group, the images unfolded into columns [C/group kH kW, images outH outW] (0 in the
     * padding, which is x's zero point before centring), times the weight [M/group, C/group kH kW]
     * in one GEMM, then laid out per image.
     */
    static int[] convolve(String op, Tensor x, Tensor xZero, Tensor w, Tensor wZero, Attrs attrs, int[] acc) {
        Shape xs = x.shape(), ws = w.shape();
        Window g = Window.of(op, xs, Conv.kernel(ws), attrs, false);
        int groups = Conv.group(op, attrs), n = xs.dim(0), c = xs.dim(1), m = ws.dim(0);
        int cg = c / groups, mg = m / groups, taps = g.kh * g.kw, ck = cg * taps, os = g.oh * g.ow;
        int chunk = Math.max(1, Math.min(n, CHUNK / Math.max(1, ck * os)));
        int[] xi = LinearQuantize.ints(x), wi = centred(w, wZero, ck, m);
        int[] col = new int[ck * chunk * os], part = new int[mg * chunk * os];
        int xz = only(xZero);
        for (int first = 0; first < n; first += chunk) {
            int count = Math.min(chunk, n - first), cols = count * os;
            for (int gi = 0; gi < groups; gi++) {
                unfold(xi, xz, first, count, gi * cg, cg, c, g, col);
                IntegerGemm.gemm(mg, cols, ck, wi, gi * mg * ck, col, 0, part, 0);
                for (int r = 0; r < mg; r++) {
                    for (int b = 0; b < count; b++) System.arraycopy(part, r * cols + b * os, acc, ((first + b) * m + gi * mg + r) * os, os);
                }
            }
        }
        return acc;
    }

    /**
     * col[(ch kH + ky) kW + kx, b, oy, ox] = x[first + b, c0 + ch, oy sh - ph + ky dh, ox sw - pw + kx dw]
     * - xz, 0 in the padding; col is [cg kH kW, count outH outW].
     */
    private static void unfold(int[] x, int xz, int first, int count, int c0, int cg, int c, Window g, int[] col) {
        int plane = g.ih * g.iw, os = g.oh * g.ow, cols = count * os;
        for (int ch = 0; ch < cg; ch++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    int row = ((ch * g.kh + ky) * g.kw + kx) * cols;
                    // The output columns whose tap falls inside the row: [lo, hi); the rest is padding.
                    int x0 = kx * g.dw - g.pw, lo = Window.lo(x0, g.sw), hi = Window.hi(x0, g.sw, g.iw, g.ow);
                    for (int b = 0; b < count; b++) {
                        int image = ((first + b) * c + c0 + ch) * plane;
                        for (int oy = 0; oy < g.oh; oy++) {
                            int iy = oy * g.sh - g.ph + ky * g.dh, to = row + b * os + oy * g.ow;
                            if (iy < 0 || iy >= g.ih || hi <= lo) {
                                Arrays.fill(col, to, to + g.ow, 0);
                                continue;
                            }
                            Arrays.fill(col, to, to + lo, 0);
                            Arrays.fill(col, to + hi, to + g.ow, 0);
                            int from = image + iy * g.iw + x0;
                            for (int ox = lo; ox < hi; ox++) col[to + ox] = x[from + ox * g.sw] - xz;
                        }
                    }
                }
            }
        }
    }

    /** The ONNX node of a convolution whose weight is input {@code weight}, with its window attributes. */
    private static void writeWindow(ExportNode node, OnnxWriter out, String type, String op, int weight) {
        List<Object> a = new ArrayList<>(Window.toOnnx(op, node.attrs(), Conv.kernel(node.inputType(weight).shape()), true));
        a.addAll(List.of("group", Conv.group(op, node.attrs())));
        out.node(type, node.inputs(), node.outputs(), a.toArray());
    }

    /** conv_integer(x, w, x_zero_point, w_zero_point) -> int32, attributes as conv. */
    static final class ConvInteger extends LinearQuantize.IntegerOp {
        ConvInteger() {
            super("conv_integer", 4, 4);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Shape y = convShape(name(), in[0], in[1], attrs);
            requireParam(name(), "x_zero_point", in[2], 0, null, in[0].dtype());
            requireParam(name(), "w_zero_point", in[3], in[1].shape().dim(0), "output channel", in[1].dtype());
            return new TensorType[] {new TensorType(DType.INT32, y)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            convolve(name(), in[0], in[2], in[1], in[3], attrs, out[0].i32());
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            writeWindow(node, out, "ConvInteger", name(), 1);
        }

        /** Omitted zero points are 0 of their input's type. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("ConvInteger", n -> List.of(n.emit().one(this, Window.fromOnnx(n).with("group", n.getInt("group", 1)),
                    List.of(n.input(0), n.input(1),
                    LinearQuantize.zeroPoint(n, 2, n.input(0).type().dtype()), LinearQuantize.zeroPoint(n, 3, n.input(1).type().dtype())))));
        }
    }

    /** qlinear_conv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point[, B int32]) -> y_zero_point's type. */
    static final class QLinearConv extends LinearQuantize.IntegerOp {
        QLinearConv() {
            super("qlinear_conv", 8, 9);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Shape y = convShape(name(), in[0], in[3], attrs);
            int m = in[3].shape().dim(0);
            requireParam(name(), "x_scale", in[1], 0, null, null);
            requireParam(name(), "x_zero_point", in[2], 0, null, in[0].dtype());
            requireParam(name(), "w_scale", in[4], m, "output channel", null);
            requireParam(name(), "w_zero_point", in[5], m, "output channel", in[3].dtype());
            requireParam(name(), "y_scale", in[6], 0, null, null);
            require8Bit(name(), "y_zero_point", in[7]);
            requireParam(name(), "y_zero_point", in[7], 0, null, in[7].dtype());
            if (in.length == 9) {
                Check.dtype(name(), "bias B", in[8], DType.INT32);
                if (!in[8].shape().equals(Shape.of(m))) throw new ShapeException(name() + ": bias B must be [" + m + "] (one per output channel), got " + in[8]);
            }
            return new TensorType[] {new TensorType(in[7].dtype(), y)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape ys = out[0].shape();
            int m = ys.dim(1), inner = ys.size(2, ys.rank());
            int[] acc = convolve(name(), in[0], in[2], in[3], in[5], attrs, new int[ys.size()]);
            float[] mult = multipliers(in[1].f32(), in[4].f32(), in[6].f32()[0]);
            requantize(acc, in.length == 9 ? in[8].i32() : null, mult, m, inner, in[7], out[0]);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            writeWindow(node, out, "QLinearConv", name(), 3);
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("QLinearConv", n -> List.of(n.emit().one(this, Window.fromOnnx(n).with("group", n.getInt("group", 1)), n.inputs())));
        }
    }
}
