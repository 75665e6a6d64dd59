package dev.janus.core.quant;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;

/**
 * The integer matrix product of ONNX's MatMulInteger and QLinearMatMul: for A [m, k] (uint8 or
 * int8) and B [k, n] (int8 or uint8), {@code C[i][j] = sum_p (A[i][p] - aZero) (B[p][j] - bZero[j])}
 * accumulated in int32 (wrapping as int32 does). QLinearMatMul brings C back to 8 bits,
 * {@code saturate(round(C[i][j] x multiplier[j]) + yZero)} with the multiplier {@code aScale x
 * bScale[j] / yScale} ({@link #multipliers}) and the product computed in float32 and rounded half to
 * even, as ONNX Runtime does: that is the qlinear_matmul op's ({@code Ops.QLINEAR_MATMUL}).
 *
 * <p>B is the weight side, given once ({@link #weights}); the product is the matmul_integer op (its
 * kernel the op set's integer GEMM). 8-bit values are passed as the bytes that store them;
 * {@code unsigned} says how to read them.
 */
public final class IntegerMatMul {
    private final int k, n;
    /** B [k, n] (int8 or uint8) and its zero points, as the matmul_integer op takes them. */
    private final Tensor b, bZero;

    private IntegerMatMul(int k, int n, Tensor b, Tensor bZero) {
        this.k = k;
        this.n = n;
        this.b = b;
        this.bZero = bZero;
    }

    /** B [k, n] and its zero points: one for all columns, or one per column (n). */
    public static IntegerMatMul weights(byte[] b, boolean unsigned, int[] zeroPoints, int k, int n) {
        if (k <= 0 || n <= 0 || (long) k * n != b.length) throw new JanusException("IntegerMatMul: B holds " + b.length + " values, not " + k + " x " + n);
        if (zeroPoints.length != 1 && zeroPoints.length != n) {
            throw new JanusException("IntegerMatMul: B's zero point must be one value or one per column (" + n + "), got " + zeroPoints.length);
        }
        DType type = unsigned ? DType.UINT8 : DType.INT8;
        Tensor zero = bytes(zeroPoints, type, zeroPoints.length == 1 ? Shape.scalar() : Shape.of(n));
        return new IntegerMatMul(k, n, Tensor.wrap(b.clone(), type, Shape.of(k, n)), zero);
    }

    /** 8-bit zero points of {@code type}, each checked to fit it. */
    private static Tensor bytes(int[] values, DType type, Shape shape) {
        byte[] v = new byte[values.length];
        for (int i = 0; i < v.length; i++) {
            int lo = type == DType.UINT8 ? 0 : -128, hi = lo + 255;
            if (values[i] < lo || values[i] > hi) throw new JanusException("IntegerMatMul: zero point " + values[i] + " does not fit " + type);
            v[i] = (byte) values[i];
        }
        return Tensor.wrap(v, type, shape);
    }

    public int rows() {
        return k;
    }

    public int columns() {
        return n;
    }

    /** The int32 products of A [m, k] with these weights, [m, n]: the matmul_integer op. */
    public int[] multiply(byte[] a, boolean unsigned, int aZero, int m) {
        if ((long) m * k != a.length) throw new JanusException("IntegerMatMul: A holds " + a.length + " values, not " + m + " x " + k);
        DType type = unsigned ? DType.UINT8 : DType.INT8;
        Tensor at = Tensor.wrap(a, type, Shape.of(m, k)), zero = bytes(new int[] {aZero}, type, Shape.scalar());
        return Ops.MATMUL_INTEGER.run(ExecContext.global(), Attrs.NONE, at, b, zero, bZero)[0].i32();
    }

    /** aScale x bScale[j] / yScale in float32, per column of B (or one). */
    public static float[] multipliers(float aScale, float[] bScales, float yScale) {
        float[] m = new float[bScales.length];
        for (int j = 0; j < m.length; j++) m[j] = aScale * bScales[j] / yScale;
        return m;
    }
}
