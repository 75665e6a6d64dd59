package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

import java.util.Locale;

/**
 * Pieces of the CUDA C that Janus generates: type names, exact literals and the prelude every
 * generated source starts with (Java's max/min/cast semantics, index arithmetic, Philox).
 */
final class CudaC {
    /** Ranks up to this run on the device; the index structs hold this many dimensions. */
    static final int MAX_RANK = 8;

    static final String PRELUDE = String.join("\n",
            "typedef unsigned char jbool;",
            "struct I8 { int v[" + MAX_RANK + "]; };",
            "// Java's Math.max / Math.min: NaN wins, and 0.0 is above -0.0.",
            "template<typename T> __device__ __forceinline__ T jmax(T a, T b) {",
            "  return a != a ? a : (b != b ? b : (a > b ? a : (b > a ? b : (signbit((double) a) ? b : a)))); }",
            "template<typename T> __device__ __forceinline__ T jmin(T a, T b) {",
            "  return a != a ? a : (b != b ? b : (a < b ? a : (b < a ? b : (signbit((double) a) ? a : b)))); }",
            "// Java's (long) of a floating value: NaN is 0, out of range saturates.",
            "__device__ __forceinline__ long long jtolong(double v) {",
            "  return v != v ? 0LL : (v >= 9.2233720368547758e18 ? 9223372036854775807LL",
            "       : (v <= -9.2233720368547758e18 ? (-9223372036854775807LL - 1) : (long long) v)); }",
            "// The offset of row-major element i of a tensor with these dimensions, read through these strides.",
            "__device__ __forceinline__ long long jindex(long long i, const I8& dims, const I8& strides, int rank) {",
            "  long long o = 0;",
            "  for (int k = rank - 1; k >= 0; k--) { long long d = dims.v[k]; o += (i % d) * strides.v[k]; i /= d; }",
            "  return o; }",
            "// Philox4x32-10 (Salmon et al., SC'11): 4 random words from a 128-bit counter and a 64-bit key.",
            "__device__ __forceinline__ void philox(unsigned int c[4], unsigned int k0, unsigned int k1) {",
            "  for (int r = 0; r < 10; r++) {",
            "    unsigned int h0 = __umulhi(0xD2511F53u, c[0]), l0 = 0xD2511F53u * c[0];",
            "    unsigned int h1 = __umulhi(0xCD9E8D57u, c[2]), l1 = 0xCD9E8D57u * c[2];",
            "    unsigned int n0 = h1 ^ c[1] ^ k0, n2 = h0 ^ c[3] ^ k1;",
            "    c[0] = n0; c[1] = l1; c[2] = n2; c[3] = l0;",
            "    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; } }",
            "");

    private CudaC() {
    }

    /** The C type of a value of this dtype in registers (bool as bool). */
    static String type(DType t) {
        switch (t) {
            case FLOAT32: return "float";
            case FLOAT64: return "double";
            case INT64: return "long long";
            case BOOL: return "bool";
            default: throw new JanusException("no CUDA type for " + t);
        }
    }

    /** The C type of an element in device memory (bool as one byte). */
    static String memType(DType t) {
        return t == DType.BOOL ? "jbool" : type(t);
    }

    /** A short tag for names: f32, f64, i64, b8. */
    static String tag(DType t) {
        switch (t) {
            case FLOAT32: return "f32";
            case FLOAT64: return "f64";
            case INT64: return "i64";
            default: return "b8";
        }
    }

    /** An exact literal of {@code v} in dtype {@code t} (non-finite values by their bits). */
    static String literal(double v, DType t) {
        if (t == DType.FLOAT32) {
            float f = (float) v;
            if (Float.isFinite(f)) return "(" + Float.toString(f).toLowerCase(Locale.ROOT) + "f)";
            return "__int_as_float(" + Float.floatToRawIntBits(f) + ")";
        }
        if (t == DType.FLOAT64) {
            if (Double.isFinite(v)) return "(" + Double.toString(v).toLowerCase(Locale.ROOT) + ")";
            return "__longlong_as_double(" + Double.doubleToRawLongBits(v) + "LL)";
        }
        if (t == DType.INT64) return "(" + (long) v + "LL)";
        return v != 0 ? "true" : "false";
    }

    /** A double literal, exact. */
    static String dbl(double v) {
        return literal(v, DType.FLOAT64);
    }
}
