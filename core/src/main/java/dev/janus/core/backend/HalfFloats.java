package dev.janus.core.backend;

/**
 * IEEE half precision (float16) and bfloat16 held as the 16 bits of a {@code short}, converted to
 * and from float32 with rounding to nearest, ties to even (as ONNX's reference and NumPy do);
 * infinities and NaN are kept, overflow goes to infinity. Java 17 has no float16 type, so storage
 * of these dtypes is a short[] and kernels compute in float32.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float float16ToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));    // inf, NaN
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        // zero or subnormal: mant * 2^-24
        float v = mant * 0x1p-24f;
        return sign != 0 ? -v : v;
    }

    public static short floatToFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000, exp = (bits >>> 23) & 0xff, mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;                          // rounds to zero
            int m = mant | 0x800000, shift = 14 - e;                   // subnormal: m >> shift, rounded
            int half = 1 << (shift - 1), rest = m & ((1 << shift) - 1), r = m >>> shift;
            if (rest > half || (rest == half && (r & 1) != 0)) r++;
            return (short) (sign | r);
        }
        int r = (e << 10) | (mant >>> 13), rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (r & 1) != 0)) r++;   // may carry into the exponent: still right
        return (short) (sign | r);
    }

    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    public static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
