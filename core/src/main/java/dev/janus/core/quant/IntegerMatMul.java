package dev.janus.core.quant;

import dev.janus.core.JanusException;

/**
 * The integer matrix product of ONNX's MatMulInteger and QLinearMatMul: for A [m, k] (uint8 or
 * int8) and B [k, n] (int8 or uint8), {@code C[i][j] = sum_p (A[i][p] - aZero) (B[p][j] - bZero[j])}
 * accumulated in int32 (wrapping as int32 does), and, for QLinearMatMul, C brought back to 8 bits:
 * {@code saturate(round(C[i][j] x multiplier[j]) + yZero)}, the multiplier {@code aScale x bScale[j]
 * / yScale} and the product computed in float32 and rounded half to even, as ONNX Runtime does.
 *
 * <p>B is the weight side: {@link #weights} takes its zero points out and widens it once, so that a
 * batch costs one pass of int multiply-adds. 8-bit values are passed as the bytes that store them;
 * {@code unsigned} says how to read them.
 */
public final class IntegerMatMul {
    private final int k, n;
    /** B - bZero, [k, n], row-major. */
    private final int[] b;

    private IntegerMatMul(int k, int n, int[] b) {
        this.k = k;
        this.n = n;
        this.b = b;
    }

    /** B [k, n] and its zero points: one for all columns, or one per column (n). */
    public static IntegerMatMul weights(byte[] b, boolean unsigned, int[] zeroPoints, int k, int n) {
        if (k <= 0 || n <= 0 || (long) k * n != b.length) throw new JanusException("IntegerMatMul: B holds " + b.length + " values, not " + k + " x " + n);
        if (zeroPoints.length != 1 && zeroPoints.length != n) {
            throw new JanusException("IntegerMatMul: B's zero point must be one value or one per column (" + n + "), got " + zeroPoints.length);
        }
        int[] w = new int[b.length];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) w[p * n + j] = read(b[p * n + j], unsigned) - zeroPoints[zeroPoints.length == 1 ? 0 : j];
        }
        return new IntegerMatMul(k, n, w);
    }

    public int rows() {
        return k;
    }

    public int columns() {
        return n;
    }

    /** The int32 products of A [m, k] with these weights, [m, n]. */
    public int[] multiply(byte[] a, boolean unsigned, int aZero, int m) {
        if ((long) m * k != a.length) throw new JanusException("IntegerMatMul: A holds " + a.length + " values, not " + m + " x " + k);
        int[] wide = new int[a.length], c = new int[m * n];
        for (int i = 0; i < a.length; i++) wide[i] = read(a[i], unsigned) - aZero;
        gemm(m, n, k, wide, 0, b, 0, c, 0);
        return c;
    }

    /**
     * {@code c[m, n] = a[m, k] b[k, n]}, row-major int matrices starting at the given offsets (zero
     * points already taken out), accumulated in int32 and wrapping as int32 does. The one integer
     * GEMM of Janus: MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv all end here.
     */
    public static void gemm(int m, int n, int k, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff) {
        java.util.Arrays.fill(c, cOff, cOff + m * n, 0);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            for (int p = 0; p < k; p++) {
                int av = a[aOff + i * k + p];
                if (av == 0) continue;
                int from = bOff + p * n;
                for (int j = 0; j < n; j++) c[row + j] += av * b[from + j];
            }
        }
    }

    /**
     * QLinearMatMul's output: each product times its column's multiplier (one for all, or one per
     * column), rounded half to even, plus yZero, saturated to [qmin, qmax] and stored in a byte.
     */
    public static byte[] requantize(int[] c, float[] multipliers, int yZero, int qmin, int qmax, int n) {
        if (multipliers.length != 1 && multipliers.length != n) throw new JanusException("requantize: " + multipliers.length + " multipliers for " + n + " columns");
        byte[] y = new byte[c.length];
        for (int i = 0; i < c.length; i++) {
            float scaled = (float) c[i] * multipliers[multipliers.length == 1 ? 0 : i % n];
            long q = (long) Math.rint(scaled) + yZero;
            y[i] = (byte) Math.max(qmin, Math.min(qmax, q));
        }
        return y;
    }

    /** aScale x bScale[j] / yScale in float32, per column of B (or one). */
    public static float[] multipliers(float aScale, float[] bScales, float yScale) {
        float[] m = new float[bScales.length];
        for (int j = 0; j < m.length; j++) m[j] = aScale * bScales[j] / yScale;
        return m;
    }

    static int read(byte v, boolean unsigned) {
        return unsigned ? v & 0xFF : v;
    }
}
