package dev.janus.core.ops;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ImportNode;

import java.util.ArrayList;
import java.util.List;

/**
 * 3-D convolution and pooling ([N, C, D, H, W]) imported as the 2-D ops over depth: for each depth
 * tap kd of the window, the input planes that tap reads for every output depth (stride, dilation,
 * padding and ceil_mode applied through one gather of a padded input) are stacked into the batch,
 * run through the 2-D op, and the taps are combined (summed for conv, maximum for max pooling,
 * summed and divided by the depth taps counted for average pooling: windows are boxes, so the
 * count factors into depth times plane). Gradients are those of the parts. Sizes must be known.
 */
final class Volumetric {
    private Volumetric() {
    }

    /** The window over [N, C, D, H, W], and the 2-D attributes of its plane part (pads explicit). */
    private static final class Split {
        final Window window;
        final Attrs plane;
        final int n, c, d, h, w;

        Split(ImportNode node, Value x, int[] kernel, Attrs attrs, boolean pooling) {
            Shape s = x.type().shape();
            if (!s.isStatic()) throw node.error("3-D input sizes must be known, got " + x.type());
            window = Window.of(node.opType(), s, kernel, attrs, pooling);
            n = s.dim(0);
            c = s.dim(1);
            d = s.dim(2);
            h = s.dim(3);
            w = s.dim(4);
            int[] p = window.pads;
            Attrs a = Attrs.of("kernel_shape", new int[] {kernel[1], kernel[2]}, "strides", new int[] {window.strides[1], window.strides[2]},
                    "dilations", new int[] {window.dilations[1], window.dilations[2]}, "pads", new int[] {p[1], p[2], p[4], p[5]});
            for (String key : new String[] {"group", "ceil_mode", "count_include_pad"}) if (attrs.has(key)) a = a.with(key, attrs.get(key));
            plane = a;
        }

        int outDepth() {
            return window.out[0];
        }

        /** Input depth read by tap kd for output depth od (may lie in the padding or past it). */
        int depth(int od, int kd) {
            return od * window.strides[0] + kd * window.dilations[0] - window.pads[0];
        }

        /** For tap kd: [N * Do, C, H, W], the planes it reads, fill where it reads outside the input. */
        Value planes(Emitter<Value> e, Value x, int kd, double fill) {
            int od = outDepth(), before = window.pads[0], after = 0;
            long[] idx = new long[od];
            for (int o = 0; o < od; o++) {
                idx[o] = depth(o, kd) + before;
                after = Math.max(after, depth(o, kd) - (d - 1));
            }
            List<Value> parts = new ArrayList<>();
            if (before > 0) parts.add(e.constant(filled(x, before, fill)));
            parts.add(x);
            if (after > 0) parts.add(e.constant(filled(x, after, fill)));
            Value gathered = e.gather(e.concat(parts, 2), e.constant(Tensor.of(idx)), 2);
            return e.reshape(e.transpose(gathered, 0, 2, 1, 3, 4), Shape.of(n * od, c, h, w));
        }

        private Tensor filled(Value x, int depth, double fill) {
            Tensor t = Tensor.empty(x.type().dtype(), Shape.of(n, c, depth, h, w));
            if (fill != 0) for (int i = 0; i < t.numel(); i++) t.setDouble(i, fill);
            return t;
        }

        /** [N * Do, C', H', W'] back to [N, C', Do, H', W']. */
        Value unstack(Emitter<Value> e, Value y) {
            Shape ys = y.type().shape();
            return e.transpose(e.reshape(y, Shape.of(n, outDepth(), ys.dim(1), ys.dim(2), ys.dim(3))), 0, 2, 1, 3, 4);
        }
    }

    static boolean applies(Value x) {
        return x.type().rank() == 5;
    }

    /** Conv of [N, C, D, H, W] by [M, C/group, kD, kH, kW] (+ bias [M]) through {@code conv2d}. */
    static Value conv(ImportNode n, Op conv2d, Attrs attrs, List<Value> in) {
        Emitter<Value> e = n.emit();
        Value x = in.get(0), weight = in.get(1);
        Shape ws = weight.type().shape();
        if (ws.rank() != 5 || !ws.isStatic()) throw n.error("weight must be [M, C/group, kD, kH, kW] with known sizes, got " + weight.type());
        int[] kernel = {ws.dim(2), ws.dim(3), ws.dim(4)};
        Split split = new Split(n, x, kernel, attrs, false);
        Value sum = null;
        for (int kd = 0; kd < kernel[0]; kd++) {
            Value tap = e.reshape(e.slice(weight, 2, kd, kd + 1), Shape.of(ws.dim(0), ws.dim(1), ws.dim(3), ws.dim(4)));
            List<Value> args = new ArrayList<>(List.of(split.planes(e, x, kd, 0), tap));
            if (kd == 0 && in.size() > 2) args.add(in.get(2));
            Value y = e.one(conv2d, split.plane, args);
            sum = sum == null ? y : e.add(sum, y);
        }
        return split.unstack(e, sum);
    }

    /** Max or average pooling of [N, C, D, H, W] through the 2-D {@code pool}. */
    static Value pool(ImportNode n, Op pool, Attrs attrs, Value x, boolean max) {
        Emitter<Value> e = n.emit();
        int[] kernel = attrs.getInts("kernel_shape");
        if (kernel.length != 3) throw n.error("kernel_shape must have 3 entries for input " + x.type());
        Split split = new Split(n, x, kernel, attrs, true);
        int od = split.outDepth(), padEnd = split.window.pads[3];
        boolean includePad = Window.flag(attrs, "count_include_pad");
        double[] taps = new double[od];
        Value acc = null;
        for (int kd = 0; kd < kernel[0]; kd++) {
            Value y = e.one(pool, split.plane, List.of(split.planes(e, x, kd, max ? Double.NEGATIVE_INFINITY : 0)));
            acc = acc == null ? y : max ? e.one(Ops.MAXIMUM, Attrs.NONE, List.of(acc, y)) : e.add(acc, y);
            for (int o = 0; o < od; o++) {
                int z = split.depth(o, kd);
                if (includePad ? z >= -split.window.pads[0] && z < split.d + padEnd : z >= 0 && z < split.d) taps[o]++;
            }
        }
        Value y = split.unstack(e, acc);
        if (max) return y;
        for (int o = 0; o < od; o++) taps[o] = 1 / taps[o];
        Tensor scale = Tensor.of(taps, 1, 1, od, 1, 1);
        return e.mul(y, e.cast(e.constant(scale), x.type().dtype()));
    }
}
