package dev.janus.core.quant;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;

import java.util.List;

/**
 * What quantization-aware training inserts, written once against an {@link Emitter} so that both
 * front ends, compiled and eager, run the same ops: the fake_quantize op (its straight-through
 * gradient) on weights and activations, with the scales that static quantization (the export
 * module's {@code OnnxQuantizer}) gives them, so that training sees the rounding and clipping the int8 model
 * will have.
 *
 * <ul>
 *   <li>{@link #weight}: symmetric int8 on [-127, 127] per output channel (one axis), scale
 *       {@code max|w| / 127} of the current weights, zero point 0.</li>
 *   <li>{@link #activation}: asymmetric uint8 over the batch's range widened to hold 0, scale
 *       {@code (max - min) / 255}, zero point {@code round(-min / scale)}: min/max calibration of
 *       that batch.</li>
 * </ul>
 * The scales are computed in the graph from the values they quantize; no gradient flows into them
 * (fake_quantize gives scale and zero point none), as observers in PyTorch's QAT do not learn.
 */
public final class FakeQuantization {
    /** A scale no smaller than this: an all-zero tensor quantizes to 0 and stays finite. */
    private static final double TINY = 1e-12;

    private FakeQuantization() {
    }

    /** {@code w} fake-quantized to int8 per slice along {@code axis} (the output channel's axis). */
    public static <V> V weight(Emitter<V> e, V w, int axis) {
        int rank = e.shape(w).rank();
        int ax = axis < 0 ? axis + rank : axis;
        int[] others = new int[rank - 1];
        for (int d = 0, j = 0; d < rank; d++) if (d != ax) others[j++] = d;
        V absMax = e.one(Ops.MAX, Attrs.of("axes", others, "keepdims", false), List.of(e.one(Ops.ABS, Attrs.NONE, List.of(w))));
        V scale = e.one(Ops.MAXIMUM, Attrs.NONE, List.of(e.mul(absMax, 1.0 / QuantParams.INT8_MAX), e.scalar(TINY, e.dtype(w))));
        V zero = e.mul(scale, 0.0);
        return e.one(Ops.FAKE_QUANTIZE, Attrs.of("qmin", QuantParams.INT8_NARROW_MIN, "qmax", QuantParams.INT8_MAX, "axis", ax), List.of(w, scale, zero));
    }

    /** {@code x} fake-quantized to uint8 over its own range (with 0), per tensor. */
    public static <V> V activation(Emitter<V> e, V x) {
        Attrs all = Attrs.of("keepdims", false);
        V zero = e.scalar(0, e.dtype(x));
        V min = e.one(Ops.MINIMUM, Attrs.NONE, List.of(e.one(Ops.MIN, all, List.of(x)), zero));
        V max = e.one(Ops.MAXIMUM, Attrs.NONE, List.of(e.one(Ops.MAX, all, List.of(x)), zero));
        V scale = e.one(Ops.MAXIMUM, Attrs.NONE, List.of(e.mul(e.sub(max, min), 1.0 / QuantParams.UINT8_MAX), e.scalar(TINY, e.dtype(x))));
        V zp = e.one(Ops.ROUND, Attrs.NONE, List.of(e.neg(e.div(min, scale))));
        return e.one(Ops.FAKE_QUANTIZE, Attrs.of("qmin", QuantParams.UINT8_MIN, "qmax", QuantParams.UINT8_MAX), List.of(x, scale, zp));
    }
}
