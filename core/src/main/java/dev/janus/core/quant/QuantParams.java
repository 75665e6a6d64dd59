package dev.janus.core.quant;

import dev.janus.core.JanusException;

/**
 * The affine map between real values and integers, {@code r = scale (q - zeroPoint)} with q in
 * [qmin, qmax], as ONNX's QuantizeLinear and DequantizeLinear use it. Computed from a real range the
 * way onnxruntime.quantization's {@code compute_scale_zp} does: the range is widened to include 0 (so
 * that 0 is exact, as padding and ReLU need), made symmetric when asked (zero point then the middle
 * of the integer range: 0 for int8, 128 for uint8), and an empty range gives scale 1, zero point 0.
 */
public final class QuantParams {
    /** The integer ranges used here: int8 and uint8, and int8 narrowed to [-127, 127] for symmetric weights. */
    public static final int INT8_MIN = -128, INT8_MAX = 127, UINT8_MIN = 0, UINT8_MAX = 255, INT8_NARROW_MIN = -127;

    private final double scale;
    private final int zeroPoint, qmin, qmax;

    public QuantParams(double scale, int zeroPoint, int qmin, int qmax) {
        if (!(scale > 0) || Double.isInfinite(scale)) throw new JanusException("quantization scale must be positive and finite, got " + scale);
        if (qmin >= qmax || zeroPoint < qmin || zeroPoint > qmax) {
            throw new JanusException("quantization range [" + qmin + ", " + qmax + "] with zero point " + zeroPoint + " is not valid");
        }
        this.scale = scale;
        this.zeroPoint = zeroPoint;
        this.qmin = qmin;
        this.qmax = qmax;
    }

    /**
     * Scale and zero point for reals in [min, max] on integers [qmin, qmax] (qmin <= 0 <= qmax). The
     * scale is rounded to float32, the type ONNX stores it in.
     */
    public static QuantParams fromRange(double min, double max, int qmin, int qmax, boolean symmetric) {
        if (Double.isNaN(min) || Double.isNaN(max) || Double.isInfinite(min) || Double.isInfinite(max) || min > max) {
            throw new JanusException("cannot quantize the range [" + min + ", " + max + "]: it must be finite and ordered");
        }
        double lo = Math.min(min, 0), hi = Math.max(max, 0);
        if (symmetric) {
            double abs = Math.max(-lo, hi);
            lo = -abs;
            hi = abs;
        }
        // The range's width in float32, as onnxruntime computes it from float32 bounds.
        double scale = (double) ((float) hi - (float) lo) / ((double) qmax - qmin);
        if (scale < Float.MIN_NORMAL) return new QuantParams(1, 0, qmin, qmax);
        int zp = symmetric ? (int) Math.rint((qmin + qmax) / 2.0) : (int) Math.rint(qmin - lo / scale);
        return new QuantParams((float) scale, Math.max(qmin, Math.min(qmax, zp)), qmin, qmax);
    }

    /** uint8 asymmetric, the usual form of activations. */
    public static QuantParams uint8(double min, double max) {
        return fromRange(min, max, UINT8_MIN, UINT8_MAX, false);
    }

    /** int8 asymmetric activations. */
    public static QuantParams int8(double min, double max) {
        return fromRange(min, max, INT8_MIN, INT8_MAX, false);
    }

    /** int8 symmetric on [-127, 127], zero point 0: weights, one channel's largest magnitude. */
    public static QuantParams symmetricWeight(double absMax) {
        return fromRange(-Math.abs(absMax), Math.abs(absMax), INT8_NARROW_MIN, INT8_MAX, true);
    }

    public double scale() {
        return scale;
    }

    public int zeroPoint() {
        return zeroPoint;
    }

    public int qmin() {
        return qmin;
    }

    public int qmax() {
        return qmax;
    }

    /** Signed (int8) rather than unsigned (uint8) storage. */
    public boolean signed() {
        return qmin < 0;
    }

    /** round(r / scale) + zeroPoint, half to even, saturated: QuantizeLinear's rule (in float32, as ONNX Runtime). */
    public int quantize(double r) {
        double q = Math.rint((float) r / (float) scale) + zeroPoint;
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    /** (q - zeroPoint) scale in float32, DequantizeLinear's rule. */
    public float dequantize(int q) {
        return (q - zeroPoint) * (float) scale;
    }

    /** The real values the integers reach: [(qmin - zp) scale, (qmax - zp) scale]. */
    public double min() {
        return (qmin - zeroPoint) * scale;
    }

    public double max() {
        return (qmax - zeroPoint) * scale;
    }

    @Override
    public String toString() {
        return "scale " + (float) scale + ", zero point " + zeroPoint + " on [" + qmin + ", " + qmax + "]";
    }
}
