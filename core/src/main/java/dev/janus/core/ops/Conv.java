package dev.janus.core.ops;

import dev.janus.core.Messages;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.NativeStorage;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Convolution over one or two spatial axes, channels first: conv (ONNX Conv), conv_transpose (ONNX
 * ConvTranspose, which is also the input gradient of a conv) and conv_weight_grad (the weight
 * gradient of a conv). Each unfolds an image into columns (im2col) or folds columns back (col2im)
 * and does one GEMM per group.
 *
 * <p>Columns are laid out [C kH kW, images outH outW]: a row per (channel, tap), a column per (image,
 * output position). A group's weight then multiplies a whole chunk of images in one GEMM, and the
 * weight gradient sums over the images inside its GEMM.
 */
final class Conv {
    private Conv() {
    }

    private static final String IMAGE = "[N, C, W] or [N, C, H, W]";

    static void requireImage(String op, String what, TensorType t) {
        if (t.rank() != 3 && t.rank() != 4) throw new ShapeException(op + ": " + what + " must be " + IMAGE + ", got " + t);
    }

    /** A float image first, and a second input of its dtype. */
    private static void requireImages(String op, TensorType[] in) {
        Check.floating(op, in[0]);
        Check.sameDType(op, in[0], in[1]);
        requireImage(op, "input", in[0]);
    }

    static int group(String op, Attrs attrs) {
        int g = attrs.getInt("group", 1);
        if (g < 1) throw new ShapeException(op + ": group must be positive, got " + g);
        return g;
    }

    static int[] kernel(Shape w) {
        return w.sub(2, w.rank()).dims();
    }

    /** The weight's rank matches the input's, and its kernel matches attribute "kernel_shape" if given. */
    static void requireWeight(String op, Shape x, Shape w, String layout, Attrs attrs) {
        if (w.rank() != x.rank()) {
            throw new ShapeException(op + ": weight " + w + " must have rank " + x.rank() + " (" + layout
                    + (x.rank() == 4 ? ", kH, kW]" : ", kW]") + ") for input " + x);
        }
        int[] k = attrs.getIntsOrNull("kernel_shape");
        if (k != null && !Arrays.equals(k, kernel(w))) {
            throw new ShapeException(op + ": kernel_shape " + Messages.list(k) + " does not match weight " + w);
        }
    }

    static void requireBias(String op, TensorType b, TensorType x, int channels) {
        Check.sameDType(op, x, b);
        if (!b.shape().equals(Shape.of(channels))) {
            throw new ShapeException(op + ": bias must have shape [" + channels + "] (one per output channel), got " + b.shape());
        }
    }

    /**
     * The gradients of input and weight, and of the bias when there is one: g summed per channel,
     * over each image's plane and then over the batch. Both sums run along contiguous memory; one
     * sum over the batch and spatial axes at once first copied g into channel-major order.
     */
    private static <V> List<V> withBias(Emitter<V> e, List<V> in, boolean[] wanted, V gx, V gw, V g) {
        if (in.size() == 2) return Arrays.asList(gx, gw);
        if (!wanted[2]) return Arrays.asList(gx, gw, null);
        int rank = e.shape(g).rank();
        int[] spatial = new int[rank - 2];
        for (int i = 2; i < rank; i++) spatial[i - 2] = i;
        return Arrays.asList(gx, gw, e.sum(e.sum(g, spatial, false), new int[] {0}, false));
    }

    /** Batch and spatial axes: what a bias gradient sums over. */
    static int[] allButChannels(int rank) {
        int[] axes = new int[rank - 1];
        axes[0] = 0;
        for (int i = 2; i < rank; i++) axes[i - 1] = i;
        return axes;
    }

    // ------------------------------------------------------------ conv

    /**
     * conv(x [N, C, *S], w [M, C/group, *K][, b [M]]) -> [N, M, *out], attributes "strides", "pads",
     * "dilations", "group", "auto_pad" as ONNX Conv.
     */
    static final class Forward extends Op {
        Forward() {
            super("conv", 2, 3);
        }

        static Window window(String op, Shape x, Shape w, Attrs attrs) {
            return Window.of(op, x, kernel(w), attrs, false);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            requireImages(name(), in);
            Shape x = in[0].shape(), w = in[1].shape();
            requireWeight(name(), x, w, "[M, C/group", attrs);
            int group = group(name(), attrs), m = w.dim(0), c = x.dim(1);
            if (m % group != 0) throw new ShapeException("conv: weight " + w + " has " + m + " output channels, which group " + group + " does not divide");
            if (c != Shape.DYNAMIC && c != w.dim(1) * group) {
                throw new ShapeException("conv: input " + x + " has " + c + " channels, weight " + w + " expects "
                        + w.dim(1) * group + " (group " + group + ")");
            }
            if (in.length == 3) requireBias(name(), in[2], in[0], m);
            return new TensorType[] {in[0].withShape(window(name(), x, w, attrs).outShape(x.dim(0), m))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], w = in[1], y = out[0];
            Window g = window(name(), x.shape(), w.shape(), attrs);
            int groups = group(name(), attrs), n = x.shape().dim(0), c = x.shape().dim(1), m = w.shape().dim(0);
            int taps = g.kh * g.kw, os = g.oh * g.ow, cg = c / groups, mg = m / groups;
            if (y.numel() == 0) return;
            boolean bias = in.length == 3;
            // A chunk of images at a time, as y [M, images * columns] first: each group's GEMM writes
            // its rows, then they go to [images, M, OS] (with the bias, for wide rows).
            Wide wide = Wide.of(g, cg * taps);
            int cs = wide != null ? wide.n : os, chunk = chunk(n, c * taps * cs);
            NativeStorage wn = nativeCopy(w, (n + chunk - 1) / chunk);
            Object wo = wn != null ? wn : Shaping.storage(w);
            try {
                forChunks(n, chunk, 2L * m * cg * taps * chunk * cs, (from, to) -> {
                    NativeStorage cn = wide != null ? NativeStorage.allocate(x.dtype(), c * taps * chunk * cs) : null;
                    try {
                        Object col = cn != null ? cn : buffer(x, c * taps * chunk * cs), ym = buffer(x, m * chunk * cs);
                        Object xp = wide != null ? buffer(x, c * wide.plane) : null, cols0 = cn != null ? Wide.view(cn) : col;
                        for (int first = from; first < to; first += chunk) {
                            int count = Math.min(chunk, to - first), cols = count * cs;
                            boolean add = bias && wide == null;
                            if (add) fillChannels(ym, in[2], 1, m, cols);
                            else if (cg * taps == 0) zero(ym, 0, m * cols);
                            if (cg * taps > 0) {
                                if (wide != null) for (int b = 0; b < count; b++) wide.im2col(Shaping.storage(x), first + b, c, xp, cols0, b, count);
                                else im2col(x, first, count, g, col);
                                Blas.gemm(groups, false, false, mg, cols, cg * taps, wo, Blas.offsets(groups, mg * cg * taps),
                                        col, Blas.offsets(groups, cg * taps * cols), ym, Blas.offsets(groups, mg * cols), add);
                            }
                            if (wide != null) wide.crop(ym, count, m, bias ? Shaping.storage(in[2]) : null, Shaping.storage(y), first);
                            else swap01(ym, 0, m, count, os, Shaping.storage(y), first * m * os);
                        }
                    } finally {
                        if (cn != null) cn.close();
                    }
                });
            } finally {
                if (wn != null) wn.close();
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V x = in.get(0), w = in.get(1), g = gOut.get(0);
            Shape xs = e.shape(x), ws = e.shape(w);
            Window win = window(name(), xs, ws, attrs);
            Attrs geo = win.explicit().with("group", group(name(), attrs));
            V gx = wanted[0] ? e.one(Ops.CONV_TRANSPOSE, geo.with("output_padding", win.remainder()), List.of(g, w)) : null;
            V gw = wanted[1] ? e.one(Ops.CONV_WEIGHT_GRAD, geo.with("kernel_shape", kernel(ws)), List.of(x, g)) : null;
            return withBias(e, in, wanted, gx, gw, g);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            List<Object> a = Window.toOnnx(name(), node.attrs(), kernel(node.inputType(1).shape()), true);
            a.addAll(List.of("group", group(name(), node.attrs())));
            out.node("Conv", node.inputs(), node.outputs(), a.toArray());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Conv", n -> {
                Attrs a = Window.fromOnnx(n).with("group", n.getInt("group", 1));
                if (Volumetric.applies(n.input(0))) return List.of(Volumetric.conv(n, this, a, n.inputs()));
                return List.of(n.emit().one(this, a, n.inputs()));
            }, "CausalConvWithState", this::importCausalConv);
        }

        /**
         * CausalConvWithState (opset 27): a depthwise 1-D conv of x [N, C, L] by w [C, 1, k] over
         * the k - 1 frames before it (past_state [N, C, k - 1], else zeros) and x, with an optional
         * bias and SiLU ("silu" or "swish"); the second output is the last k - 1 frames, the state
         * the next call takes.
         */
        private List<Value> importCausalConv(ImportNode n) {
            Value x = n.input(0), w = n.input(1);
            Shape s = x.type().shape(), ws = w.type().shape();
            if (s.rank() != 3 || ws.rank() != 3 || !ws.isStatic() || ws.dim(1) != 1 || s.dim(1) != ws.dim(0)) {
                throw n.error("expected input [N, C, L] and weight [C, 1, k] with known sizes, got " + x.type() + " and " + w.type());
            }
            String activation = n.getString("activation", "none");
            if (!List.of("none", "silu", "swish").contains(activation)) throw n.error("activation must be none, silu or swish, got '" + activation + "'");
            int c = ws.dim(0), k = ws.dim(2);
            Emitter<Value> e = n.emit();
            Value past;
            if (n.hasInput(3)) {
                past = n.input(3);
                if (!past.type().shape().compatible(Shape.of(s.dim(0), c, k - 1))) throw n.error("past_state must be [N, " + c + ", " + (k - 1) + "], got " + past.type());
            } else {
                Value shape = e.concat(List.of(e.one(Ops.SHAPE, Attrs.of("end", 1), List.of(x)), e.constant(Tensor.of(new long[] {c, k - 1}))), 0);
                past = e.one(Ops.CONSTANT_OF_SHAPE, Attrs.of("value", 0.0, "dtype", x.type().dtype()), List.of(shape));
            }
            Value padded = e.concat(List.of(past, x), 2);
            List<Value> in = new ArrayList<>(List.of(padded, w));
            if (n.hasInput(2)) in.add(n.input(2));
            Value y = e.one(this, Attrs.of("group", c), in);
            if (!activation.equals("none")) y = e.mul(y, e.sigmoid(y));
            Value state = e.one(Ops.SLICE, Attrs.of("starts", new int[] {k == 1 ? Integer.MAX_VALUE : 1 - k}, "ends", new int[] {Integer.MAX_VALUE},
                    "axes", new int[] {2}), List.of(padded));
            return List.of(y, state);
        }
    }

    // ------------------------------------------------------------ conv_transpose

    /**
     * conv_transpose(x [N, Cin, *S], w [Cin, Cout/group, *K][, b [Cout]]) -> [N, Cout, *out], with
     * out = stride (S - 1) + output_padding + (K - 1) dilation + 1 - pad_begin - pad_end, attributes
     * "strides", "pads", "dilations", "group", "output_padding" as ONNX ConvTranspose. It is the
     * adjoint of conv with the same attributes: the conv's input gradient.
     */
    static final class Transpose extends Op {
        Transpose() {
            super("conv_transpose", 2, 3);
        }

        /** The conv window whose input is this op's output and whose output is this op's input. */
        static Window window(String op, Shape x, Shape w, Attrs attrs) {
            int r = x.rank() - 2;
            if (attrs.has("auto_pad") && !attrs.getString("auto_pad", "").equals("NOTSET")) {
                throw new ShapeException(op + ": auto_pad is not supported; give explicit pads");
            }
            if (attrs.has("output_shape")) throw new ShapeException(op + ": output_shape is not supported; give pads and output_padding");
            int[] k = kernel(w), strides = Window.ints(op, attrs, "strides", r), dilations = Window.ints(op, attrs, "dilations", r);
            int[] pads = attrs.has("pads") ? attrs.getInts("pads") : new int[2 * r];
            int[] extra = attrs.has("output_padding") ? attrs.getInts("output_padding") : new int[r];
            if (pads.length != 2 * r) throw new ShapeException(op + ": pads " + Messages.list(pads) + " must have " + 2 * r + " entries");
            if (extra.length != r) throw new ShapeException(op + ": output_padding " + Messages.list(extra) + " must have " + r + " entries");
            for (int p : pads) if (p < 0) throw new ShapeException(op + ": pads " + Messages.list(pads) + " must not be negative");
            for (int i = 0; i < r; i++) {
                if (extra[i] < 0 || extra[i] >= strides[i]) {
                    throw new ShapeException(op + ": output_padding " + Messages.list(extra) + " must be at least 0 and smaller than strides "
                            + Messages.list(strides));
                }
            }
            int[] xs = x.sub(2, x.rank()).dims(), ys = new int[r];
            for (int i = 0; i < r; i++) {
                if (xs[i] == Shape.DYNAMIC) {
                    ys[i] = Shape.DYNAMIC;
                    continue;
                }
                ys[i] = strides[i] * (xs[i] - 1) + extra[i] + Window.extent(k[i], dilations[i]) - pads[i] - pads[r + i];
                if (xs[i] < 1 || ys[i] < 1) {
                    throw new ShapeException(op + ": input " + x + " with kernel " + Messages.list(k) + ", strides " + Messages.list(strides)
                            + " and pads " + Messages.list(pads) + " gives an empty output");
                }
            }
            return new Window(ys, k, strides, dilations, pads, xs);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            requireImages(name(), in);
            Shape x = in[0].shape(), w = in[1].shape();
            requireWeight(name(), x, w, "[Cin, Cout/group", attrs);
            int group = group(name(), attrs), cin = w.dim(0), c = x.dim(1);
            if (c != Shape.DYNAMIC && c != cin) {
                throw new ShapeException("conv_transpose: input " + x + " has " + c + " channels, weight " + w + " expects " + cin);
            }
            if (cin % group != 0) throw new ShapeException("conv_transpose: weight " + w + " has " + cin + " input channels, which group " + group + " does not divide");
            int cout = w.dim(1) * group;
            if (in.length == 3) requireBias(name(), in[2], in[0], cout);
            return new TensorType[] {in[0].withShape(Shape.of(x.dim(0), cout).concat(Shape.of(window(name(), x, w, attrs).in)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], w = in[1], y = out[0];
            Window g = window(name(), x.shape(), w.shape(), attrs);
            int groups = group(name(), attrs), n = x.shape().dim(0), cin = x.shape().dim(1), cout = y.shape().dim(1);
            int taps = g.kh * g.kw, is = g.oh * g.ow, cig = cin / groups, cog = cout / groups;
            if (y.numel() == 0) return;
            if (in.length == 3) fillChannels(Shaping.storage(y), in[2], n, cout, g.ih * g.iw);
            else y.fill(0);
            if (is == 0 || cig == 0) return;
            Wide wide = Wide.of(g, cig);
            int cs = wide != null ? wide.n : is, chunk = chunk(n, cout * taps * cs);
            NativeStorage wn = nativeCopy(w, (n + chunk - 1) / chunk);
            Object wo = wn != null ? wn : Shaping.storage(w);
            try {
                forChunks(n, chunk, 2L * cout * taps * cig * chunk * cs, (from, to) -> {
                    Object xm = buffer(x, cin * chunk * cs), col = buffer(x, cout * taps * chunk * cs);
                    Object xp = wide != null ? buffer(x, cout * wide.plane) : null;
                    for (int first = from; first < to; first += chunk) {
                        int count = Math.min(chunk, to - first), cols = count * cs;
                        if (wide != null) wide.spread(Shaping.storage(x), first, count, cin, xm);
                        else swap01(Shaping.storage(x), first * cin * is, count, cin, is, xm, 0);
                        Blas.gemm(groups, true, false, cog * taps, cols, cig, wo, Blas.offsets(groups, cig * cog * taps),
                                xm, Blas.offsets(groups, cig * cols), col, Blas.offsets(groups, cog * taps * cols), false);
                        if (wide != null) for (int b = 0; b < count; b++) wide.col2im(col, b, count, cout, xp, Shaping.storage(y), first + b);
                        else col2im(col, first, count, g, y);
                    }
                });
            } finally {
                if (wn != null) wn.close();
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V x = in.get(0), w = in.get(1), g = gOut.get(0);
            Shape ws = e.shape(w);
            Attrs geo = window(name(), e.shape(x), ws, attrs).explicit().with("group", group(name(), attrs));
            V gx = wanted[0] ? e.one(Ops.CONV, geo, List.of(g, w)) : null;
            // <g, conv_transpose(x, w)> = <conv(g, w), x>: the weight gradient of a conv of g whose output gradient is x.
            V gw = wanted[1] ? e.one(Ops.CONV_WEIGHT_GRAD, geo.with("kernel_shape", kernel(ws)), List.of(g, x)) : null;
            return withBias(e, in, wanted, gx, gw, g);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs attrs = node.attrs();
            int r = node.inputType(0).rank() - 2;
            List<Object> a = Window.toOnnx(name(), attrs, kernel(node.inputType(1).shape()), true);
            a.addAll(List.of("group", group(name(), attrs), "output_padding", attrs.has("output_padding") ? attrs.getInts("output_padding") : new int[r]));
            out.node("ConvTranspose", node.inputs(), node.outputs(), a.toArray());
        }

        /** auto_pad SAME_UPPER / SAME_LOWER and output_shape import as the explicit pads they give for the input's size. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("ConvTranspose", n -> {
                Attrs a = Window.fromOnnx(n).with("group", n.getInt("group", 1));
                long[] extra = n.getInts("output_padding"), outShape = n.getInts("output_shape");
                if (extra != null) a = a.with("output_padding", extra);
                if (outShape != null || a.has("auto_pad")) a = explicitPads(n, a, outShape);
                return List.of(n.emit().one(this, a, n.inputs()));
            });
        }

        /**
         * ONNX's rule, which ONNX Runtime follows: the output is output_shape, or input times stride
         * for SAME; total = stride (in - 1) + output_padding + extent - out is split with the odd one
         * at the end for SAME_UPPER, at the beginning otherwise. An output larger than the unpadded
         * one (a negative total) grows at the end, as output_padding does.
         */
        private Attrs explicitPads(ImportNode n, Attrs a, long[] outShape) {
            String auto = a.getString("auto_pad", "NOTSET");
            if (a.has("pads")) throw n.error("give pads, or auto_pad " + auto + (outShape == null ? "" : " and output_shape") + ", not both");
            Shape x = n.input(0).type().shape(), w = n.input(1).type().shape();
            int r = x.rank() - 2;
            if (r < 1 || w.rank() != x.rank()) throw n.error("input " + x + " and weight " + w + " must be " + IMAGE + " and [Cin, Cout/group, *kernel]");
            if (outShape != null && outShape.length != r && outShape.length != r + 2) {
                throw n.error("output_shape " + Messages.list(outShape) + " must have " + r + " entries (or " + (r + 2) + ")");
            }
            int[] strides = Window.ints(name(), a, "strides", r), dilations = Window.ints(name(), a, "dilations", r);
            int[] extra = a.has("output_padding") ? a.getInts("output_padding") : new int[r], pads = new int[2 * r];
            for (int i = 0; i < r; i++) {
                int in = x.dim(2 + i);
                if (in == Shape.DYNAMIC) throw n.error("auto_pad and output_shape need the input's spatial size, got " + x);
                long out = outShape != null ? outShape[outShape.length - r + i] : (long) in * strides[i];
                long total = (long) strides[i] * (in - 1) + extra[i] + Window.extent(w.dim(2 + i), dilations[i]) - out;
                if (total < 0 && extra[i] - total < strides[i]) {
                    extra[i] -= (int) total;
                    total = 0;
                }
                if (total < 0 || total > Integer.MAX_VALUE) {
                    throw n.error("output size " + out + " along spatial axis " + i + " is more than a stride beyond what input " + x
                            + " gives without padding");
                }
                int t = (int) total;
                pads[i] = auto.equals("SAME_UPPER") ? t / 2 : t - t / 2;
                pads[r + i] = t - pads[i];
            }
            return a.with("auto_pad", "NOTSET").with("pads", pads).with("output_padding", extra);
        }
    }

    // ------------------------------------------------------------ conv_weight_grad

    /**
     * conv_weight_grad(x [N, C, *S], g [N, M, *out]) -> [M, C/group, *kernel_shape]: the gradient of
     * conv(x, w) with respect to w when g flows into its output. Attributes as conv, plus
     * "kernel_shape". Used by the gradient rules of conv and conv_transpose.
     */
    static final class WeightGrad extends Op {
        WeightGrad() {
            super("conv_weight_grad", 2, 2);
        }

        static Window window(String op, Shape x, Attrs attrs) {
            if (!attrs.has("kernel_shape")) throw new ShapeException(op + ": attribute kernel_shape is missing");
            int[] k = attrs.getInts("kernel_shape");
            if (k.length != x.rank() - 2) throw new ShapeException(op + ": kernel_shape " + Messages.list(k) + " does not fit input " + x);
            return Window.of(op, x, k, attrs, false);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            requireImages(name(), in);
            Shape x = in[0].shape(), g = in[1].shape();
            int group = group(name(), attrs), c = x.dim(1);
            Window win = window(name(), x, attrs);
            if (g.rank() != x.rank()) throw new ShapeException("conv_weight_grad: gradient " + g + " must have the rank of input " + x);
            int m = g.dim(1);
            if (m == Shape.DYNAMIC || c == Shape.DYNAMIC) throw new ShapeException("conv_weight_grad: channels must be known, got input " + x + " and gradient " + g);
            if (!win.outShape(x.dim(0), m).compatible(g)) {
                throw new ShapeException("conv_weight_grad: gradient " + g + " does not match the conv output " + win.outShape(x.dim(0), m)
                        + " of input " + x + " and kernel " + Messages.list(win.kernel));
            }
            if (m % group != 0 || c % group != 0) {
                throw new ShapeException("conv_weight_grad: group " + group + " must divide the " + c + " input and " + m + " output channels");
            }
            return new TensorType[] {in[0].withShape(Shape.of(m, c / group).concat(Shape.of(win.kernel)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor x = in[0], gy = in[1], dw = out[0];
            Window g = window(name(), x.shape(), attrs);
            int groups = group(name(), attrs), n = x.shape().dim(0), c = x.shape().dim(1), m = gy.shape().dim(1);
            int taps = g.kh * g.kw, os = g.oh * g.ow, cg = c / groups, mg = m / groups;
            if (dw.numel() == 0) return;
            if (n * os == 0) {
                dw.fill(0);
                return;
            }
            // Chunks of images, their products summed into dw by the GEMM. A large batch's chunks are
            // summed in fixed groups, each into a partial weight gradient of its own, and the partials
            // are added in group order; threads take whole groups. The groups depend on the sizes only,
            // so a run gives the same bits on any thread count.
            Wide wide = Wide.of(g, 1);
            int cs = wide != null ? wide.n : os, chunk = chunk(n, c * taps * cs), chunks = (n + chunk - 1) / chunk;
            long chunkFlops = 2L * mg * cg * taps * chunk * cs * groups;
            int sums = sumGroups(chunks, partGrain(chunkFlops), dw.numel());
            Object[] partial = new Object[sums];
            partial[0] = Shaping.storage(dw);
            for (int p = 1; p < sums; p++) partial[p] = buffer(dw, dw.numel());
            CpuThreads.parallelFor(sums, 1, (s0, s1) -> {
                NativeStorage cn = wide != null ? NativeStorage.allocate(x.dtype(), c * taps * chunk * cs) : null;
                try {
                    Object col = cn != null ? cn : buffer(x, c * taps * chunk * cs), gm = buffer(x, m * chunk * cs);
                    Object xp = wide != null ? buffer(x, c * wide.plane) : null, cols0 = cn != null ? Wide.view(cn) : col;
                    for (int s = s0; s < s1; s++) {
                        int c0 = (int) ((long) chunks * s / sums), c1 = (int) ((long) chunks * (s + 1) / sums);
                        for (int k = c0; k < c1; k++) {
                            int first = k * chunk, count = Math.min(chunk, n - first), cols = count * cs;
                            if (wide != null) {
                                for (int b = 0; b < count; b++) wide.im2col(Shaping.storage(x), first + b, c, xp, cols0, b, count);
                                wide.spread(Shaping.storage(gy), first, count, m, gm);
                            } else {
                                im2col(x, first, count, g, col);
                                swap01(Shaping.storage(gy), first * m * os, count, m, os, gm, 0);
                            }
                            Blas.gemm(groups, false, true, mg, cg * taps, cols, gm, Blas.offsets(groups, mg * cols),
                                    col, Blas.offsets(groups, cg * taps * cols), partial[s], Blas.offsets(groups, mg * cg * taps), k > c0);
                        }
                    }
                } finally {
                    if (cn != null) cn.close();
                }
            });
            for (int p = 1; p < sums; p++) addRun(partial[p], 0, partial[0], 0, 1, dw.numel());
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            // Bilinear in (x, g): <u, dw(x, g)> = <conv(x, u), g> for any u shaped like the weight.
            V x = in.get(0), g = in.get(1), u = gOut.get(0);
            Window win = window(name(), e.shape(x), attrs);
            Attrs geo = win.explicit().with("group", group(name(), attrs));
            V gx = wanted[0] ? e.one(Ops.CONV_TRANSPOSE, geo.with("output_padding", win.remainder()), List.of(g, u)) : null;
            V gg = wanted[1] ? e.one(Ops.CONV, geo, List.of(x, u)) : null;
            return Arrays.asList(gx, gg);
        }

        /** A gradient op: only a backward pass has it, and the exporter writes the inference form. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            throw node.error("it is conv's weight gradient, used only in training; export the prediction, which does not need it");
        }
    }

    // ------------------------------------------------------------ wide rows

    /**
     * Columns for stride 1 and dilation 1 with every output row as wide as the padded input row
     * (the last kW - 1 entries of each are unused). Then the column row of one channel and tap is a
     * single contiguous run of the zero-padded image plane, shifted by the tap, and im2col and col2im
     * copy or add one run of outH x paddedW values per channel and tap instead of a short run per
     * output row: on CIFAR-sized convs (16x16 and 32x32 planes) that took im2col from as long as the
     * GEMM to a small part of it, for 2/16 more GEMM columns.
     *
     * <p>The unused columns: the forward pass drops them; the weight gradient and conv_transpose
     * take their g (and the transposed pass's input) as zeros there, so they add nothing (unless a
     * weight or input is infinite, where 0 x inf is NaN: a result that is then inf may read NaN).
     */
    static final class Wide {
        /** Padded width and height, columns per image (outH x padded width), padded plane length. */
        final int paddedW, paddedH, n, plane;
        private final Window g;

        private Wide(Window g) {
            this.g = g;
            paddedW = g.iw + g.pw + g.pwEnd;
            paddedH = g.ih + g.ph + g.phEnd;
            n = g.oh * paddedW;
            // The last tap's run reads kW - 1 past the padded plane.
            plane = paddedH * paddedW + g.kw - 1;
        }

        /** The layout for this window, or null when it has strides or dilations (or {@code k}, the GEMM's depth, is 0). */
        static Wide of(Window g, int k) {
            return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && k > 0 && g.oh > 0 && g.ow > 0 ? new Wide(g) : null;
        }

        /**
         * Image {@code img} of x [N, C, *in] padded into xp (C planes; its padding is written as zeros
         * here, so xp may be reused dirty), then col[(ch kH + ky) kW + kx, b, :] = xp[ch] from ky
         * paddedW + kx, for image b of a chunk of {@code count} in col.
         */
        void im2col(Object x, int img, int c, Object xp, Object col, int b, int count) {
            int plane = g.ih * g.iw, taps = g.kh * g.kw;
            zero(xp, 0, c * this.plane);
            for (int ch = 0; ch < c; ch++) {
                for (int iy = 0; iy < g.ih; iy++) {
                    System.arraycopy(x, (img * c + ch) * plane + iy * g.iw, xp, ch * this.plane + (iy + g.ph) * paddedW + g.pw, g.iw);
                }
                for (int t = 0; t < taps; t++) put(xp, ch * this.plane + t / g.kw * paddedW + t % g.kw, col, ((ch * taps + t) * count + b) * n, n);
            }
        }

        /**
         * A buffer view of native columns, which {@link #im2col} fills in place: OpenBLAS then reads
         * them where they lie, where columns in a Java array were copied into its scratch memory
         * for every product (about 330 KB per image of a CIFAR-sized conv, twice per training step).
         */
        static java.nio.Buffer view(NativeStorage s) {
            return s.dtype() == dev.janus.core.DType.FLOAT32 ? s.floatPointer(0).asBuffer() : s.doublePointer(0).asBuffer();
        }

        /** len elements of the array src from s into dst (an array of its type, or a buffer view of native memory) from d. */
        private static void put(Object src, int s, Object dst, int d, int len) {
            if (dst instanceof java.nio.FloatBuffer) ((java.nio.FloatBuffer) dst).put(d, (float[]) src, s, len);
            else if (dst instanceof java.nio.DoubleBuffer) ((java.nio.DoubleBuffer) dst).put(d, (double[]) src, s, len);
            else System.arraycopy(src, s, dst, d, len);
        }

        /** Images [first, first + count) of t [N, C, *out] into wide rows: s[ch, b, oy, :] with zeros in the unused columns. */
        void spread(Object t, int first, int count, int c, Object s) {
            int os = g.oh * g.ow, ow = g.ow, pad = paddedW - ow;
            for (int ch = 0; ch < c; ch++) {
                for (int b = 0; b < count; b++) {
                    int from = ((first + b) * c + ch) * os, to = (ch * count + b) * n;
                    for (int oy = 0; oy < g.oh; oy++, from += ow, to += paddedW) {
                        System.arraycopy(t, from, s, to, ow);
                        if (s instanceof float[]) for (int i = 0; i < pad; i++) ((float[]) s)[to + ow + i] = 0f;
                        else for (int i = 0; i < pad; i++) ((double[]) s)[to + ow + i] = 0.0;
                    }
                }
            }
        }

        /** The adjoint of {@link #im2col} for image b of the chunk: its columns added into xp, whose inside is added to y[img]. */
        void col2im(Object col, int b, int count, int c, Object xp, Object y, int img) {
            int taps = g.kh * g.kw, plane = g.ih * g.iw;
            zero(xp, 0, c * this.plane);
            for (int ch = 0; ch < c; ch++) {
                for (int t = 0; t < taps; t++) {
                    addRun(col, ((ch * taps + t) * count + b) * n, xp, ch * this.plane + t / g.kw * paddedW + t % g.kw, 1, n);
                }
                for (int iy = 0; iy < g.ih; iy++) {
                    addRun(xp, ch * this.plane + (iy + g.ph) * paddedW + g.pw, y, (img * c + ch) * plane + iy * g.iw, 1, g.iw);
                }
            }
        }

        /** ym [M, count, oH, paddedW] to y[first + b, m, oy, :oW], plus bias[m] when there is one. */
        void crop(Object ym, int count, int m, Object bias, Object y, int first) {
            if (ym instanceof float[]) crop((float[]) ym, count, m, (float[]) bias, (float[]) y, first);
            else crop((double[]) ym, count, m, (double[]) bias, (double[]) y, first);
        }

        private void crop(float[] ym, int count, int m, float[] bias, float[] y, int first) {
            int os = g.oh * g.ow, ow = g.ow;
            for (int ch = 0; ch < m; ch++) {
                float v = bias == null ? 0f : bias[ch];
                for (int b = 0; b < count; b++) {
                    int from = (ch * count + b) * n, to = ((first + b) * m + ch) * os;
                    for (int oy = 0; oy < g.oh; oy++, from += paddedW, to += ow) {
                        if (bias == null) System.arraycopy(ym, from, y, to, ow);
                        else for (int i = 0; i < ow; i++) y[to + i] = ym[from + i] + v;
                    }
                }
            }
        }

        private void crop(double[] ym, int count, int m, double[] bias, double[] y, int first) {
            int os = g.oh * g.ow, ow = g.ow;
            for (int ch = 0; ch < m; ch++) {
                double v = bias == null ? 0.0 : bias[ch];
                for (int b = 0; b < count; b++) {
                    int from = (ch * count + b) * n, to = ((first + b) * m + ch) * os;
                    for (int oy = 0; oy < g.oh; oy++, from += paddedW, to += ow) {
                        if (bias == null) System.arraycopy(ym, from, y, to, ow);
                        else for (int i = 0; i < ow; i++) y[to + i] = ym[from + i] + v;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ im2col, col2im, helpers

    /**
     * Column elements per chunk of images. Small enough that a chunk's columns stay in cache between
     * im2col and the GEMM: on digits-sized batches (64 x 16 x 8 x 8, 3x3) chunks of 2^15 ran conv
     * and its gradients 35-40% faster than unfolding the whole batch at once.
     */
    private static final int CHUNK = 1 << 15;

    /**
     * Chunks per part for chunks of {@code chunkFlops} each: a part must be worth {@link
     * CpuThreads#minPartWork()} cheap operations, and a GEMM does about 128 flops in the time of one.
     */
    private static int partGrain(long chunkFlops) {
        return (int) Math.max(1, 128L * CpuThreads.minPartWork() / Math.max(1, chunkFlops));
    }

    /** At most this many groups of chunks sum a weight gradient: as many threads as can share one. */
    static final int SUM_GROUPS = 8;

    /**
     * Groups of chunks for a weight gradient of {@code size} elements: one per {@code grain} chunks,
     * at most {@link #SUM_GROUPS}, and extra partials of at most 2^21 elements in all (8 MB of
     * float32) beyond the second. A function of the sizes alone, never of the thread count.
     */
    static int sumGroups(int chunks, int grain, int size) {
        int byMemory = Math.max(2, (1 << 21) / Math.max(1, size) + 1);
        return Math.max(1, Math.min(Math.min(SUM_GROUPS, byMemory), chunks / Math.max(1, grain)));
    }

    /**
     * Runs {@code body} over images [0, n) in whole chunks, split among threads when the work
     * ({@code chunkFlops} per chunk) is large; each part gets its own scratch in the body.
     */
    private static void forChunks(int n, int chunk, long chunkFlops, CpuThreads.Range body) {
        int chunks = (n + chunk - 1) / chunk;
        CpuThreads.parallelFor(chunks, partGrain(chunkFlops), (c0, c1) -> body.run(c0 * chunk, Math.min(n, c1 * chunk)));
    }

    /**
     * A weight that every chunk's GEMM reads, copied once into native memory (OpenBLAS then reads it
     * where it lies; a Java array is copied into its scratch for every chunk: 3-5% of the CPU time
     * of a CIFAR-size forward conv, measured), or null when the copies it saves are few (under 2^16
     * elements in all: a small conv's allocation would cost more). The caller closes it.
     */
    private static NativeStorage nativeCopy(Tensor w, int chunks) {
        if ((long) (chunks - 1) * w.numel() < 1 << 16) return null;
        NativeStorage s = NativeStorage.allocate(w.dtype(), w.numel());
        s.fromHost(Shaping.storage(w), 0, 0, w.numel());
        return s;
    }

    /** Images per chunk, at least one. */
    static int chunk(int n, int perImage) {
        return Math.max(1, Math.min(n, CHUNK / Math.max(1, perImage)));
    }

    /** Scratch storage of x's dtype. */
    private static Object buffer(Tensor x, int size) {
        return Shaping.storage(Tensor.empty(x.dtype(), Shape.of(size)));
    }

    /**
     * For images [first, first + count) of x [N, C, *g.in]: col[(ch kH + ky) kW + kx, b, oy, ox] =
     * x[first + b, ch, oy sh - ph + ky dh, ox sw - pw + kx dw], 0 where that falls in the padding.
     * col is [C kH kW, count outH outW].
     */
    static void im2col(Tensor x, int first, int count, Window g, Object col) {
        int c = x.shape().dim(1), plane = g.ih * g.iw, os = g.oh * g.ow;
        Object src = Shaping.storage(x);
        int[] srcStr = {c * plane, g.sh * g.iw, g.sw}, dstStr = {os, g.ow, 1};
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < g.kh; ky++) {
                int y0 = ky * g.dh - g.ph, ylo = Window.lo(y0, g.sh), yhi = Window.hi(y0, g.sh, g.ih, g.oh);
                for (int kx = 0; kx < g.kw; kx++) {
                    int x0 = kx * g.dw - g.pw, xlo = Window.lo(x0, g.sw), xhi = Window.hi(x0, g.sw, g.iw, g.ow);
                    int base = ((ch * g.kh + ky) * g.kw + kx) * count * os;
                    if (ylo > 0 || yhi < g.oh || xlo > 0 || xhi < g.ow) zero(col, base, base + count * os);
                    if (yhi > ylo && xhi > xlo) {
                        Shaping.copy(src, (first * c + ch) * plane + (ylo * g.sh + y0) * g.iw + xlo * g.sw + x0, srcStr,
                                col, base + ylo * g.ow + xlo, dstStr, Shape.of(count, yhi - ylo, xhi - xlo));
                    }
                }
            }
        }
    }

    /** The adjoint of im2col: adds every column entry into the input position it was read from. */
    static void col2im(Object col, int first, int count, Window g, Tensor x) {
        int c = x.shape().dim(1), plane = g.ih * g.iw, os = g.oh * g.ow;
        Object dst = Shaping.storage(x);
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < g.kh; ky++) {
                int y0 = ky * g.dh - g.ph, ylo = Window.lo(y0, g.sh), yhi = Window.hi(y0, g.sh, g.ih, g.oh);
                for (int kx = 0; kx < g.kw; kx++) {
                    int x0 = kx * g.dw - g.pw, xlo = Window.lo(x0, g.sw), xhi = Window.hi(x0, g.sw, g.iw, g.ow);
                    int base = ((ch * g.kh + ky) * g.kw + kx) * count * os;
                    if (xhi <= xlo) continue;
                    for (int b = 0; b < count; b++) {
                        for (int oy = ylo; oy < yhi; oy++) {
                            addRun(col, base + b * os + oy * g.ow + xlo,
                                    dst, ((first + b) * c + ch) * plane + (oy * g.sh + y0) * g.iw + xlo * g.sw + x0, g.sw, xhi - xlo);
                        }
                    }
                }
            }
        }
    }

    private static void addRun(Object src, int s, Object dst, int d, int ds, int len) {
        if (src instanceof float[]) {
            float[] a = (float[]) src, y = (float[]) dst;
            if (ds == 1) {
                for (int i = 0; i < len; i++) y[d + i] += a[s + i];
            } else {
                for (int i = 0; i < len; i++) y[d + i * ds] += a[s + i];
            }
        } else {
            double[] a = (double[]) src, y = (double[]) dst;
            for (int i = 0; i < len; i++) y[d + i * ds] += a[s + i];
        }
    }

    private static void zero(Object a, int from, int to) {
        if (a instanceof float[]) Arrays.fill((float[]) a, from, to, 0f);
        else Arrays.fill((double[]) a, from, to, 0.0);
    }

    /** t viewed as [outer, channels, inner] gets t[o, ch, :] = values[ch]. */
    static void fillChannels(Object t, Tensor values, int outer, int channels, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < channels; ch++) {
                int from = (o * channels + ch) * inner;
                if (t instanceof float[]) Arrays.fill((float[]) t, from, from + inner, values.f32()[ch]);
                else Arrays.fill((double[]) t, from, from + inner, values.f64()[ch]);
            }
        }
    }

    /** src from srcOff, seen as [a, b, inner], copied to dst from dstOff as [b, a, inner]. */
    static void swap01(Object src, int srcOff, int a, int b, int inner, Object dst, int dstOff) {
        Shaping.copy(src, srcOff, new int[] {inner, b * inner, 1}, dst, dstOff, new int[] {a * inner, inner, 1}, Shape.of(b, a, inner));
    }
}
