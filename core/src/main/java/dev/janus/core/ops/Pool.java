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

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Max and average pooling over one or two spatial axes, channels first (ONNX MaxPool and
 * AveragePool): attributes "kernel_shape", "strides" (default 1, as ONNX), "pads", "dilations",
 * "ceil_mode" and "auto_pad". Global average pooling is a mean over the spatial axes, not an op
 * (the mean imports ONNX's GlobalAveragePool).
 */
final class Pool {
    private Pool() {
    }

    static Window window(String op, TensorType x, Attrs attrs) {
        Conv.requireImage(op, "input", x);
        if (!attrs.has("kernel_shape")) throw new ShapeException(op + ": attribute kernel_shape is missing");
        int[] k = attrs.getInts("kernel_shape");
        if (k.length != x.rank() - 2) {
            throw new ShapeException(op + ": kernel_shape " + Messages.list(k) + " must have " + (x.rank() - 2)
                    + " entries for input " + x.shape());
        }
        Window w = Window.of(op, x.shape(), k, attrs, true);
        w.requireInputInEveryWindow(op, x.shape());
        return w;
    }

    /** The window's ONNX attributes with ceil_mode, dilations unless {@code dilations} is false. */
    private static List<Object> onnxAttrs(String op, Attrs attrs, boolean dilations) {
        List<Object> a = Window.toOnnx(op, attrs, attrs.getInts("kernel_shape"), dilations);
        a.addAll(List.of("ceil_mode", Window.flag(attrs, "ceil_mode") ? 1 : 0));
        return a;
    }

    private static Attrs importAttrs(ImportNode n) {
        return Window.fromOnnx(n).with("ceil_mode", n.getInt("ceil_mode", 0));
    }

    /**
     * max_pool(x) -> (y, indices): the largest element of each window (NaN wins, the first maximum on
     * ties) and its int64 index into the flattened input, in [0, N C H W), as ONNX MaxPool's Indices.
     */
    static final class Max extends Op {
        Max() {
            super("max_pool", 1, 1);
        }

        @Override
        public int outputCount() {
            return 2;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            if (in[0].dtype() == DType.INT64 || in[0].dtype() == DType.UINT64 || in[0].dtype() == DType.BOOL) Check.floating(name(), in[0]);
            Shape x = in[0].shape(), y = window(name(), in[0], attrs).outShape(x.dim(0), x.dim(1));
            return new TensorType[] {in[0].withShape(y), new TensorType(DType.INT64, y)};
        }

        /** Integers up to 32 bits (ONNX's MaxPool takes int8 and uint8) are exact in float64. */
        @Override
        protected DType widened(DType dtype) {
            return dtype.isInteger() ? DType.FLOAT64 : dtype.computeType();
        }

        /**
         * The first largest element of each window wins, and a NaN wins over any number, as in
         * PyTorch. Math.max and an arithmetic index update keep the data out of the branches: on
         * random inputs a branch there is mispredicted half the time (measured 2x slower). The
         * common 2x2 window with stride 2 and no padding has a loop of its own.
         */
        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Window g = window(name(), in[0].type(), attrs);
            int planes = in[0].shape().dim(0) * in[0].shape().dim(1);
            Object x = in[0].heapArray(), y = out[0].heapArray();
            long[] idx = out[1].i64();
            boolean pairs = halves(g);
            // Planes split among threads when there are enough window elements to read.
            int grain = (int) Math.max(1, CpuThreads.grain(2) / Math.max(1L, (long) g.oh * g.ow * g.kh * g.kw));
            CpuThreads.parallelFor(planes, grain, (p0, p1) -> {
                if (x instanceof float[] && pairs) pool2x2((float[]) x, (float[]) y, idx, p0, p1, g);
                else if (x instanceof float[]) pool((float[]) x, (float[]) y, idx, p0, p1, g);
                else pool((double[]) x, (double[]) y, idx, p0, p1, g);
            });
        }

        /** A 2x2 window moved by 2 with no padding or dilation, every window inside the input. */
        static boolean halves(Window g) {
            return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1 && g.ph == 0 && g.pw == 0
                    && 2 * g.oh <= g.ih && 2 * g.ow <= g.iw;
        }

        /**
         * Planes [p0, p1) of 2x2 windows: the larger of each row's pair, then of the two rows. The
         * earlier of a pair is kept unless the later is larger or the first NaN, which picks what
         * the element-by-element scan picks: taking the first largest is associative, so
         * ((a, b), (c, d)) picks what (((a, b), c), d) does, and the values agree bit for bit.
         * The choice is made on integer keys ({@link #key}) with arithmetic instead of branches or
         * selects on floats: 25% faster on random data (the index, not the maximum, is the cost).
         */
        private static void pool2x2(float[] x, float[] y, long[] idx, int p0, int p1, Window g) {
            int iw = g.iw, oh = g.oh, ow = g.ow, plane = g.ih * iw;
            for (int p = p0, o = p0 * oh * ow; p < p1; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    int top = p * plane + 2 * oy * iw;
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int i = top + 2 * ox, j = i + iw;
                        float a = x[i], b = x[i + 1], c = x[j], d = x[j + 1];
                        long ka = key(a), kb = key(b), kc = key(c), kd = key(d);
                        // 1 where the later of a pair is strictly larger; then that pair's key and index.
                        long tab = (ka - kb) >>> 63, tcd = (kc - kd) >>> 63;
                        long kab = ka + ((kb - ka) & -tab), kcd = kc + ((kd - kc) & -tcd), iab = i + tab, icd = j + tcd;
                        y[o] = Math.max(Math.max(a, b), Math.max(c, d));
                        idx[o] = iab + ((icd - iab) & -((kab - kcd) >>> 63));
                    }
                }
            }
        }

        /**
         * An int ordered as max_pool ranks floats: as the floats' values (-0 equal to +0), every NaN
         * above everything and equal to each other, so a strict comparison keeps the first of equals.
         */
        static int key(float f) {
            int b = Float.floatToRawIntBits(f);
            // Sign-magnitude to two's complement; negatives shifted up by one so that -0 meets +0.
            int k = (b ^ ((b >> 31) & 0x7fffffff)) + (b >>> 31);
            int nan = (0x7f800000 - (b & 0x7fffffff)) >> 31;
            return (k & ~nan) | (Integer.MAX_VALUE & nan);
        }

        /** Planes [p0, p1). */
        private static void pool(float[] x, float[] y, long[] idx, int p0, int p1, Window g) {
            int ih = g.ih, iw = g.iw, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, dh = g.dh, dw = g.dw;
            int plane = ih * iw;
            for (int p = p0, o = p0 * oh * ow; p < p1; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * sh - g.ph, kyLo = firstInside(y0, dh), kyHi = lastInside(y0, dh, kh, ih);
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int x0 = ox * sw - g.pw, kxLo = firstInside(x0, dw), kxHi = lastInside(x0, dw, kw, iw);
                        if (kyLo >= kyHi || kxLo >= kxHi) {
                            y[o] = Float.NaN;
                            idx[o] = -1;
                            continue;
                        }
                        int at = p * plane + (y0 + kyLo * dh) * iw + x0 + kxLo * dw;
                        float best = x[at];
                        for (int ky = kyLo; ky < kyHi; ky++) {
                            int row = p * plane + (y0 + ky * dh) * iw + x0;
                            for (int kx = kxLo; kx < kxHi; kx++) {
                                int i = row + kx * dw;
                                float v = x[i];
                                int take = v > best | (v != v & best == best) ? 1 : 0;
                                best = Math.max(best, v);
                                at += (i - at) * take;
                            }
                        }
                        y[o] = best;
                        idx[o] = at;
                    }
                }
            }
        }

        /** Planes [p0, p1). */
        private static void pool(double[] x, double[] y, long[] idx, int p0, int p1, Window g) {
            int ih = g.ih, iw = g.iw, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, dh = g.dh, dw = g.dw;
            int plane = ih * iw;
            for (int p = p0, o = p0 * oh * ow; p < p1; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * sh - g.ph, kyLo = firstInside(y0, dh), kyHi = lastInside(y0, dh, kh, ih);
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int x0 = ox * sw - g.pw, kxLo = firstInside(x0, dw), kxHi = lastInside(x0, dw, kw, iw);
                        if (kyLo >= kyHi || kxLo >= kxHi) {
                            y[o] = Double.NaN;
                            idx[o] = -1;
                            continue;
                        }
                        int at = p * plane + (y0 + kyLo * dh) * iw + x0 + kxLo * dw;
                        double best = x[at];
                        for (int ky = kyLo; ky < kyHi; ky++) {
                            int row = p * plane + (y0 + ky * dh) * iw + x0;
                            for (int kx = kxLo; kx < kxHi; kx++) {
                                int i = row + kx * dw;
                                double v = x[i];
                                int take = v > best | (v != v & best == best) ? 1 : 0;
                                best = Math.max(best, v);
                                at += (i - at) * take;
                            }
                        }
                        y[o] = best;
                        idx[o] = at;
                    }
                }
            }
        }

        /** The first kernel tap k with start + k * dilation >= 0. */
        private static int firstInside(int start, int dilation) {
            if (start >= 0) return 0;
            return dilation == 1 ? -start : (-start + dilation - 1) / dilation;
        }

        /** One past the last kernel tap k < kernel with start + k * dilation < size. */
        // Divides only for dilated windows: a division per window dominated the undilated pool.
        private static int lastInside(int start, int dilation, int kernel, int size) {
            if (start >= size) return 0;
            return Math.min(kernel, dilation == 1 ? size - start : (size - 1 - start) / dilation + 1);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V g = gOut.get(0);
            if (!wanted[0] || g == null) return Arrays.asList((V) null);
            // Each output's gradient goes to the input element it took.
            return Arrays.asList(e.one(Ops.MAX_POOL_GRAD, Attrs.NONE, List.of(g, out.get(1), in.get(0))));
        }

        /** MaxPool with both outputs; its Indices are row-major (storage_order 0), as here. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("MaxPool", node.inputs(), node.outputs(), onnxAttrs(name(), node.attrs(), true).toArray());
        }

        /**
         * storage_order 1 numbers a 2-D input column by column; it changes only the Indices, which
         * are then refused (a 1-D input has one order).
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("MaxPool", n -> {
                boolean indices = n.outputCount() > 1;
                if (n.getInt("storage_order", 0) != 0 && indices && n.input(0).type().rank() > 3) {
                    throw n.error("storage_order 1 (column-major Indices) is not supported; Janus numbers the input row by row");
                }
                if (Volumetric.applies(n.input(0))) {
                    if (indices) throw n.error("the Indices output of a 3-D max pool is not supported");
                    return List.of(Volumetric.pool(n, this, importAttrs(n), n.input(0), true));
                }
                return n.emit().apply(this, importAttrs(n), List.of(n.input(0)));
            });
        }
    }

    /**
     * max_pool_grad(g, indices, x) -> dx shaped like x [N, C, *S]: zeros, plus each g[o] added at
     * the flattened index indices[o] that max_pool chose for output o (g and indices [N, C, *out],
     * int64 in [0, N C prod(S))). x only gives the shape. The gradient rule of max_pool emits it:
     * one pass that writes dx, where a scatter-add over the flattened input needed zeros, a copy
     * and two reshapes. A gradient op, never exported.
     */
    static final class MaxGrad extends Op {
        MaxGrad() {
            super("max_pool_grad", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.integer(name(), "indices", in[1]);
            Conv.requireImage(name(), "input", in[2]);
            Shape g = in[0].shape(), x = in[2].shape();
            if (!g.compatible(in[1].shape())) {
                throw new ShapeException("max_pool_grad: indices " + in[1].shape() + " must have the shape of the gradient " + g);
            }
            if (g.rank() != x.rank() || !Shape.of(g.dim(0), g.dim(1)).compatible(Shape.of(x.dim(0), x.dim(1)))) {
                throw new ShapeException("max_pool_grad: gradient " + g + " must be [N, C, *out] for input " + x);
            }
            return new TensorType[] {in[0].withShape(x)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape xs = out[0].shape();
            int planes = xs.dim(0) * xs.dim(1), plane = xs.size(2, xs.rank()), picks = in[0].shape().size(2, xs.rank());
            long[] idx = in[1].i64();
            Object g = in[0].heapArray(), dx = out[0].heapArray();
            // A maximum lies in its own plane, so planes are independent: split among threads, each
            // part checks its indices before it writes.
            int grain = (int) Math.max(1, CpuThreads.grain(2) / Math.max(1L, (long) plane + picks));
            CpuThreads.parallelFor(planes, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    for (int o = p * picks; o < (p + 1) * picks; o++) {
                        if (idx[o] < (long) p * plane || idx[o] >= (long) (p + 1) * plane) {
                            throw new ShapeException("max_pool_grad: index " + idx[o] + " at position " + o + " is outside plane " + p
                                    + " of input " + xs + " (elements " + (long) p * plane + " to " + ((long) (p + 1) * plane - 1) + ")");
                        }
                    }
                }
                if (dx instanceof float[]) {
                    float[] d = (float[]) dx, s = (float[]) g;
                    Arrays.fill(d, p0 * plane, p1 * plane, 0f);
                    for (int o = p0 * picks; o < p1 * picks; o++) d[(int) idx[o]] += s[o];
                } else {
                    double[] d = (double[]) dx, s = (double[]) g;
                    Arrays.fill(d, p0 * plane, p1 * plane, 0.0);
                    for (int o = p0 * picks; o < p1 * picks; o++) d[(int) idx[o]] += s[o];
                }
            });
        }

        /** Linear in g: the gradient gathers u at the indices; the indices and x are constant almost everywhere. */
        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V u = gOut.get(0), g = in.get(0), x = in.get(2);
            V dg = null;
            if (wanted[0]) {
                Shape gs = e.shape(g);
                V picked = e.gather(e.reshape(u, Shape.of(e.shape(x).size())), e.reshape(in.get(1), Shape.of(gs.size())), 0);
                dg = e.reshape(picked, gs);
            }
            return Arrays.asList(dg, null, wanted[2] ? e.zeros(e.type(x)) : null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            throw node.error("it is max_pool's gradient, used only in training; export the prediction, which does not need it");
        }
    }

    /**
     * avg_pool(x): the mean of each window. "count_include_pad" (default 0, as ONNX; PyTorch's
     * AvgPool2d counts the padding) says whether padded positions count in the divisor; positions
     * past the padding, which ceil_mode may add, never count.
     */
    static final class Avg extends Op {
        Avg() {
            super("avg_pool", 1, 1);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Shape x = in[0].shape();
            return new TensorType[] {in[0].withShape(window(name(), in[0], attrs).outShape(x.dim(0), x.dim(1)))};
        }

        /** How many of each window's taps count along one axis. */
        private static int[] counts(int size, int k, int s, int d, int padBegin, int padEnd, int outSize, boolean includePad) {
            int lo = includePad ? -padBegin : 0, hi = includePad ? size + padEnd : size;
            int[] n = new int[outSize];
            for (int o = 0; o < outSize; o++) {
                for (int t = 0; t < k; t++) {
                    int at = o * s - padBegin + t * d;
                    if (at >= lo && at < hi) n[o]++;
                }
            }
            return n;
        }

        /** 1 / divisor for every output position of a plane, [outH * outW]. */
        private static double[] inverseCounts(Window g, Attrs attrs) {
            boolean include = Window.flag(attrs, "count_include_pad");
            int[] cy = counts(g.ih, g.kh, g.sh, g.dh, g.ph, g.phEnd, g.oh, include);
            int[] cx = counts(g.iw, g.kw, g.sw, g.dw, g.pw, g.pwEnd, g.ow, include);
            double[] inv = new double[g.oh * g.ow];
            for (int oy = 0; oy < g.oh; oy++) for (int ox = 0; ox < g.ow; ox++) inv[oy * g.ow + ox] = 1.0 / (cy[oy] * cx[ox]);
            return inv;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Window g = window(name(), in[0].type(), attrs);
            int planes = in[0].shape().dim(0) * in[0].shape().dim(1), plane = g.ih * g.iw, os = g.oh * g.ow;
            double[] x = Doubles.read(in[0]), y = Doubles.target(out[0]), inv = inverseCounts(g, attrs);
            for (int p = 0; p < planes; p++) {
                for (int oy = 0; oy < g.oh; oy++) {
                    int ylo = oy * g.sh - g.ph;
                    for (int ox = 0; ox < g.ow; ox++) {
                        int xlo = ox * g.sw - g.pw;
                        double sum = 0;
                        for (int ky = 0; ky < g.kh; ky++) {
                            int iy = ylo + ky * g.dh;
                            if (iy < 0 || iy >= g.ih) continue;
                            for (int kx = 0; kx < g.kw; kx++) {
                                int ix = xlo + kx * g.dw;
                                if (ix >= 0 && ix < g.iw) sum += x[p * plane + iy * g.iw + ix];
                            }
                        }
                        y[p * os + oy * g.ow + ox] = sum * inv[oy * g.ow + ox];
                    }
                }
            }
            Doubles.store(y, out[0]);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList((V) null);
            V g = gOut.get(0);
            Shape xs = e.shape(in.get(0));
            DType dt = e.dtype(g);
            Window win = window(name(), e.type(in.get(0)), attrs);
            int r = xs.rank() - 2, c = xs.dim(1);
            // Each output spreads g / divisor evenly over its window: a depthwise transposed conv
            // with an all-ones kernel. Where ceil_mode ran past the input, widen the end pads to
            // crop back to the input's size.
            double[] inv = inverseCounts(win, attrs);
            Tensor invT = Tensor.empty(dt, Shape.of(win.out));
            for (int i = 0; i < inv.length; i++) invT.setDouble(i, inv[i]);
            V share = e.mul(g, e.constant(invT));
            int[] pads = win.pads.clone(), extra = win.remainder();
            for (int i = 0; i < r; i++) {
                if (extra[i] < 0) {
                    pads[r + i] -= extra[i];
                    extra[i] = 0;
                }
            }
            Attrs spread = Attrs.of("strides", win.strides, "pads", pads, "dilations", win.dilations, "group", c, "output_padding", extra);
            V ones = e.constant(Tensor.full(1, dt, Shape.of(c, 1).concat(Shape.of(win.kernel))));
            return Arrays.asList(e.one(Ops.CONV_TRANSPOSE, spread, List.of(share, ones)));
        }

        /** AveragePool; it takes dilations only from opset 19, so a dilated pool needs that opset. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs attrs = node.attrs();
            boolean dilated = Window.dilated(name(), attrs, node.inputType(0).rank() - 2);
            if (dilated && out.opset() < 19) throw node.error("dilations need opset 19 or later (AveragePool has none before), got opset " + out.opset());
            List<Object> a = onnxAttrs(name(), attrs, dilated);
            a.addAll(List.of("count_include_pad", Window.flag(attrs, "count_include_pad") ? 1 : 0));
            out.node("AveragePool", node.inputs(), node.outputs(), a.toArray());
        }

        /** Average pooling, 2-D ops over depth for a 3-D input. */
        private Value average(ImportNode n, Attrs attrs, Value x) {
            return Volumetric.applies(x) ? Volumetric.pool(n, this, attrs, x, false) : n.apply1(this, attrs, x);
        }

        /**
         * LpPool is (sum over the window of |x|^p)^(1/p): the average with the padding counted, times
         * the window's size, imported as those ops.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("AveragePool", n -> List.of(average(n, importAttrs(n).with("count_include_pad", n.getInt("count_include_pad", 0)), n.input(0))),
                    "LpPool", n -> {
                        Emitter<Value> e = n.emit();
                        Value x = n.input(0);
                        double p = n.getInt("p", 2);
                        if (p < 1) throw n.error("p must be 1 or more, got " + p);
                        Attrs attrs = importAttrs(n).with("count_include_pad", 1);
                        int size = 1;
                        for (int k : attrs.getInts("kernel_shape")) size *= k;
                        Value abs = n.apply1(Ops.ABS, Attrs.NONE, x);
                        Value powered = p == 1 ? abs : p == 2 ? e.mul(x, x) : e.pow(abs, e.scalar(p, x.type().dtype()));
                        Value sum = e.mul(average(n, attrs, powered), size);
                        return List.of(p == 1 ? sum : p == 2 ? e.sqrt(sum) : e.pow(sum, e.scalar(1 / p, x.type().dtype())));
                    });
        }
    }
}
