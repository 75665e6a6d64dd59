package dev.janus.core.ops;

import dev.janus.core.Messages;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.onnx.ImportNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a sliding window (a convolution kernel or a pooling window) falls on the one or two
 * spatial axes of an [N, C, *spatial] tensor: kernel, strides, dilations, pads (all begins, then
 * all ends, as ONNX orders them) and the output size, with ONNX's auto_pad and ceil_mode rules.
 *
 * <p>Public for code generators outside the op set, which lay out the same windows. Kernels see every window as 2-D ({@link #ih}, {@link #kh}, ...): a 1-D window is a 2-D one of
 * height 1, so each kernel has one loop nest.
 */
public final class Window {
    final int[] in, kernel, strides, dilations, pads, out;
    /** Input, kernel, stride, dilation, begin and end pad and output sizes, height then width. */
    public final int ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, phEnd, pwEnd, oh, ow;

    Window(int[] in, int[] kernel, int[] strides, int[] dilations, int[] pads, int[] out) {
        this.in = in;
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.pads = pads;
        this.out = out;
        int r = in.length, y = r - 2;
        boolean two = r == 2;
        ih = two ? in[0] : 1;
        kh = two ? kernel[0] : 1;
        sh = two ? strides[0] : 1;
        dh = two ? dilations[0] : 1;
        ph = two ? pads[0] : 0;
        phEnd = two ? pads[r] : 0;
        oh = two ? out[0] : 1;
        iw = in[y + 1];
        kw = kernel[y + 1];
        sw = strides[y + 1];
        dw = dilations[y + 1];
        pw = pads[y + 1];
        pwEnd = pads[r + y + 1];
        ow = out[y + 1];
    }

    /**
     * The window of {@code kernel} over input {@code x} ([N, C, *spatial]) with the attributes
     * "strides", "dilations", "pads", "auto_pad" (NOTSET, VALID, SAME_UPPER, SAME_LOWER) and, when
     * {@code pooling}, "ceil_mode". Unknown input sizes give unknown output sizes.
     */
    public static Window of(String op, Shape x, int[] kernel, Attrs attrs, boolean pooling) {
        int r = x.rank() - 2;
        int[] in = x.sub(2, x.rank()).dims();
        for (int k : kernel) if (k < 1) throw new ShapeException(op + ": kernel " + Messages.list(kernel) + " must be positive");
        int[] strides = ints(op, attrs, "strides", r), dilations = ints(op, attrs, "dilations", r);
        boolean ceil = pooling && flag(attrs, "ceil_mode");
        String auto = attrs.getString("auto_pad", "NOTSET");
        int[] pads;
        if (auto.equals("NOTSET")) {
            pads = attrs.has("pads") ? attrs.getInts("pads") : new int[2 * r];
            if (pads.length != 2 * r) {
                throw new ShapeException(op + ": pads " + Messages.list(pads) + " must have " + 2 * r
                        + " entries (begin and end for each of " + r + " spatial axes)");
            }
            for (int p : pads) if (p < 0) throw new ShapeException(op + ": pads " + Messages.list(pads) + " must not be negative");
        } else {
            if (!auto.equals("VALID") && !auto.equals("SAME_UPPER") && !auto.equals("SAME_LOWER")) {
                throw new ShapeException(op + ": auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, got \"" + auto + "\"");
            }
            if (attrs.has("pads")) throw new ShapeException(op + ": give either pads or auto_pad " + auto + ", not both");
            if (ceil) throw new ShapeException(op + ": ceil_mode cannot be combined with auto_pad " + auto);
            pads = new int[2 * r];
            if (auto.startsWith("SAME")) {
                for (int i = 0; i < r; i++) {
                    if (in[i] == Shape.DYNAMIC) continue;
                    int o = (in[i] + strides[i] - 1) / strides[i];
                    int total = Math.max(0, (o - 1) * strides[i] + extent(kernel[i], dilations[i]) - in[i]);
                    int small = total / 2;
                    pads[i] = auto.equals("SAME_UPPER") ? small : total - small;
                    pads[r + i] = total - pads[i];
                }
            }
        }
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            if (in[i] == Shape.DYNAMIC) {
                out[i] = Shape.DYNAMIC;
                continue;
            }
            int span = in[i] + pads[i] + pads[r + i] - extent(kernel[i], dilations[i]);
            if (span < 0) {
                boolean dilated = false;
                for (int d : dilations) dilated |= d > 1;
                throw new ShapeException(op + ": input " + x + " is smaller than the kernel " + Messages.list(kernel)
                        + (dilated ? " with dilations " + Messages.list(dilations) : "") + " (after padding)");
            }
            out[i] = (ceil ? Math.floorDiv(span + strides[i] - 1, strides[i]) : span / strides[i]) + 1;
            // In ceil mode the last window must still start inside the input or its begin padding.
            if (ceil && (out[i] - 1) * strides[i] >= in[i] + pads[i]) out[i]--;
        }
        return new Window(in, kernel, strides, dilations, pads, out);
    }

    /** (k - 1) d + 1: how many input positions a dilated kernel spans. */
    static int extent(int k, int d) {
        return (k - 1) * d + 1;
    }

    /** An int-list attribute with one positive entry per spatial axis, 1 when absent. */
    static int[] ints(String op, Attrs attrs, String key, int r) {
        if (!attrs.has(key)) {
            int[] ones = new int[r];
            Arrays.fill(ones, 1);
            return ones;
        }
        int[] v = attrs.getInts(key);
        if (v.length != r) throw new ShapeException(op + ": " + key + " " + Messages.list(v) + " must have " + r + " entries, one per spatial axis");
        for (int s : v) if (s < 1) throw new ShapeException(op + ": " + key + " " + Messages.list(v) + " must be positive");
        return v;
    }

    /** An ONNX 0/1 attribute, also accepted as a boolean. */
    public static boolean flag(Attrs attrs, String key) {
        Object v = attrs.get(key);
        return v instanceof Boolean ? (Boolean) v : v != null && ((Number) v).intValue() != 0;
    }

    /** The output positions o along an axis whose tap o s + offset lies in [0, size): [lo, hi). */
    static int lo(int offset, int stride) {
        return Math.max(0, -Math.floorDiv(offset, stride));
    }

    static int hi(int offset, int stride, int size, int outSize) {
        return Math.max(0, Math.min(outSize, Math.floorDiv(size - 1 - offset, stride) + 1));
    }

    /** Pooling: every window must hold at least one input element, or its result has no meaning. */
    void requireInputInEveryWindow(String op, Shape x) {
        int r = in.length;
        for (int i = 0; i < r; i++) {
            for (int o = 0; o < out[i]; o++) {
                int start = o * strides[i] - pads[i];
                boolean hit = false;
                for (int k = 0; k < kernel[i] && !hit; k++) hit = start + k * dilations[i] >= 0 && start + k * dilations[i] < in[i];
                if (!hit) {
                    throw new ShapeException(op + ": window " + o + " along spatial axis " + i + " of input " + x
                            + " lies entirely in the padding (kernel " + Messages.list(kernel) + ", pads " + Messages.list(pads) + ")");
                }
            }
        }
    }

    /**
     * Per axis, the input positions past the last window: in + pads - extent - (out - 1) stride. As
     * a transposed conv's output_padding it restores the input size exactly.
     */
    int[] remainder() {
        int r = in.length;
        int[] rest = new int[r];
        for (int i = 0; i < r; i++) rest[i] = in[i] + pads[i] + pads[r + i] - extent(kernel[i], dilations[i]) - (out[i] - 1) * strides[i];
        return rest;
    }

    /** The explicit form of this window for derived ops: strides, pads, dilations. */
    Attrs explicit() {
        return Attrs.of("strides", strides, "pads", pads, "dilations", dilations);
    }

    /** Input [N, C, *spatial] as [N, C, *out]. */
    Shape outShape(int n, int c) {
        return Shape.of(n, c).concat(Shape.of(out));
    }

    /**
     * The window as ONNX attributes (name/value pairs for {@link dev.janus.core.onnx.OnnxWriter#node}),
     * always in full so that an imported model exports the same again: kernel_shape, strides, then
     * pads or auto_pad, then dilations unless {@code dilations} is false.
     */
    static List<Object> toOnnx(String op, Attrs attrs, int[] kernel, boolean dilations) {
        int r = kernel.length;
        List<Object> a = new ArrayList<>(List.of("kernel_shape", kernel, "strides", ints(op, attrs, "strides", r)));
        String auto = attrs.getString("auto_pad", "NOTSET");
        if (auto.equals("NOTSET")) a.addAll(List.of("pads", attrs.has("pads") ? attrs.getInts("pads") : new int[2 * r]));
        else a.addAll(List.of("auto_pad", auto));
        if (dilations) a.addAll(List.of("dilations", ints(op, attrs, "dilations", r)));
        return a;
    }

    /**
     * ONNX's window attributes of a node (kernel_shape, strides, pads, dilations, auto_pad) as core
     * attributes. auto_pad NOTSET and VALID both mean the explicit pads, VALID none at all.
     */
    static Attrs fromOnnx(ImportNode n) {
        Attrs a = Attrs.NONE;
        for (String key : new String[] {"kernel_shape", "strides", "pads", "dilations"}) {
            long[] v = n.getInts(key);
            if (v != null) a = a.with(key, v);
        }
        String auto = n.getString("auto_pad", "NOTSET");
        if (auto.equals("VALID") && a.has("pads")) throw n.error("give either pads or auto_pad VALID, not both");
        return auto.equals("NOTSET") || auto.equals("VALID") ? a : a.with("auto_pad", auto);
    }

    /** True when any dilation is not 1. */
    static boolean dilated(String op, Attrs attrs, int r) {
        for (int d : ints(op, attrs, "dilations", r)) if (d != 1) return true;
        return false;
    }
}
