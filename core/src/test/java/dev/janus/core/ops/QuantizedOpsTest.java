package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX's quantized ops on values worked out by hand: rounding half to even, saturation, per channel
 * and blocked parameters, zero points, padding and bias. ONNX's node tests and ONNX Runtime check
 * them too (export's OnnxNodeTest, OpExportTest, QuantizedImportTest).
 */
class QuantizedOpsTest {
    private static Tensor[] run(Op op, Attrs attrs, Tensor... in) {
        return op.run(new ExecContext(new Generator(0)), attrs, in);
    }

    private static Tensor u8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return Tensor.wrap(b, DType.UINT8, Shape.of(v.length));
    }

    private static Tensor i8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return Tensor.of(b, v.length);
    }

    /** t's values in the given shape (a scalar when none is given). */
    private static Tensor shaped(Tensor t, int... dims) {
        return Tensor.wrap(t.heapArray(), t.dtype(), Shape.of(dims));
    }

    private static long[] longs(Tensor t) {
        long[] v = new long[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.readLong(i);
        return v;
    }

    private static Tensor f(float... v) {
        return Tensor.of(v, v.length);
    }

    private static Tensor scalar(double v) {
        return Tensor.scalar(v, DType.FLOAT32);
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        // x / 0.5 = -2, 0.5, 1.5, 2.5, 5, 600 -> rounded -2, 0, 2, 2, 5, 600 -> + 10 -> 8, 10, 12, 12, 15, 255 (saturated).
        Tensor y = run(Ops.QUANTIZE_LINEAR, Attrs.NONE, f(-1f, 0.25f, 0.75f, 1.25f, 2.5f, 300f), scalar(0.5), shaped(u8(10)))[0];
        assertEquals(DType.UINT8, y.dtype());
        assertArrayEquals(new long[] {8, 10, 12, 12, 15, 255}, longs(y));
        // int8: -200 saturates to -128, 3.5 rounds to 4, -3.5 to -4.
        Tensor s = run(Ops.QUANTIZE_LINEAR, Attrs.NONE, f(-100f, 1.75f, -1.75f), scalar(0.5), shaped(i8(0)))[0];
        assertArrayEquals(new long[] {-128, 4, -4}, longs(s));
    }

    @Test
    void perChannelAndBlocked() {
        // Per row (axis 0) of [[1, -2], [3, 4]]: (q - zp) scale with scale [0.5, 2], zero points [1, 0].
        Tensor y = run(Ops.DEQUANTIZE_LINEAR, Attrs.of("axis", 0), shaped(i8(1, -2, 3, 4), 2, 2), f(0.5f, 2f), i8(1, 0))[0];
        assertArrayEquals(new float[] {0f, -1.5f, 6f, 8f}, y.toFloatArray());
        // Blocks of 2 along axis 1 of [1, 4]: scales 1 then 2; 3 / 2 = 1.5 rounds to 2.
        Tensor q = run(Ops.QUANTIZE_LINEAR, Attrs.of("axis", 1, "block_size", 2), shaped(f(1f, 2f, 3f, 4f), 1, 4),
                shaped(f(1f, 2f), 1, 2), shaped(i8(0, 0), 1, 2))[0];
        assertArrayEquals(new long[] {1, 2, 2, 2}, longs(q));
    }

    @Test
    void dynamicQuantizationTakesTheRangeWithZero() {
        // Range [-0.55, 2]: scale 2.55 / 255 = 0.01, zero point 55; y = round(x / 0.01) + 55.
        Tensor[] out = run(Ops.DYNAMIC_QUANTIZE_LINEAR, Attrs.NONE, f(0f, 2f, -0.55f, 1f));
        assertArrayEquals(new long[] {55, 255, 0, 155}, longs(out[0]));
        assertEquals(0.01f, out[1].toFloatArray()[0], 1e-9f);
        assertEquals(55, out[2].readLong(0));
        // All zeros: scale 1, zero point 0.
        out = run(Ops.DYNAMIC_QUANTIZE_LINEAR, Attrs.NONE, f(0f, 0f));
        assertEquals(1f, out[1].toFloatArray()[0]);
        assertEquals(0, out[2].readLong(0));
    }

    @Test
    void integerMatrixProducts() {
        // (a - 1) = [[0, 1], [2, 3]], (b - [0, -1] per column) = [[1, 0], [2, 1]]: the product [[2, 1], [8, 3]].
        Tensor a = shaped(u8(1, 2, 3, 4), 2, 2), b = shaped(i8(1, -1, 2, 0), 2, 2);
        Tensor c = run(Ops.MATMUL_INTEGER, Attrs.NONE, a, b, shaped(u8(1)), i8(0, -1))[0];
        assertEquals(DType.INT32, c.dtype());
        assertArrayEquals(new long[] {2, 1, 8, 3}, longs(c));
        // Multipliers 0.5 x [1, 2] / 2 = [0.25, 0.5]: [[0.5, 0.5], [2, 1.5]] rounds half to even to [[0, 0], [2, 2]], + 10.
        Tensor y = run(Ops.QLINEAR_MATMUL, Attrs.NONE, a, scalar(0.5), shaped(u8(1)), b, f(1f, 2f), i8(0, -1),
                scalar(2), shaped(u8(10)))[0];
        assertEquals(DType.UINT8, y.dtype());
        assertArrayEquals(new long[] {10, 10, 12, 12}, longs(y));
    }

    @Test
    void integerConvolutionsPadWithTheZeroPoint() {
        // x - 1 = [[0, 1], [2, 3]], a 2x2 kernel of ones, one row and column of padding before: sums 0, 1, 2, 6.
        Tensor x = shaped(u8(1, 2, 3, 4), 1, 1, 2, 2), w = shaped(i8(1, 1, 1, 1), 1, 1, 2, 2);
        Attrs pads = Attrs.of("kernel_shape", new int[] {2, 2}, "pads", new int[] {1, 1, 0, 0});
        Tensor c = run(Ops.CONV_INTEGER, pads, x, w, shaped(u8(1)), shaped(i8(0)))[0];
        assertArrayEquals(new long[] {0, 1, 2, 6}, longs(c));
        // With bias 10 and multiplier 0.5 x 0.5 / 1: (10, 11, 12, 16) x 0.25 = 2.5, 2.75, 3, 4 -> 2, 3, 3, 4.
        Tensor y = run(Ops.QLINEAR_CONV, pads, x, scalar(0.5), shaped(u8(1)), w, f(0.5f), i8(0),
                scalar(1), shaped(u8(0)), Tensor.of(new int[] {10}, 1))[0];
        assertArrayEquals(new long[] {2, 3, 3, 4}, longs(y));
    }

    @Test
    void badInputNamesTheOpAndWhatWasWrong() {
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.QUANTIZE_LINEAR, Attrs.NONE, Tensor.of(new double[] {1}), scalar(1),
                shaped(u8(0))));
        assertTrue(e.getMessage().startsWith("quantize_linear: x must be float32"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.DEQUANTIZE_LINEAR, Attrs.of("axis", 0), i8(1, 2, 3), f(1f, 2f), i8(0, 0)));
        assertTrue(e.getMessage().contains("scale [2] has 2 values for axis 0") && e.getMessage().contains("which has 3"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.QLINEAR_MATMUL, Attrs.NONE, shaped(f(1f, 2f), 1, 2), scalar(1),
                shaped(u8(0)), shaped(i8(1, 2), 2, 1), scalar(1), i8(0), scalar(1), shaped(u8(0))));
        assertTrue(e.getMessage().startsWith("qlinear_matmul: a must be int8 or uint8"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.CONV_INTEGER, Attrs.NONE, shaped(u8(1, 2, 3, 4), 1, 1, 2, 2),
                shaped(i8(1, 1, 1, 1, 1, 1, 1, 1), 2, 1, 2, 2), shaped(u8(0)), i8(0, 0, 0)));
        assertTrue(e.getMessage().contains("w_zero_point") && e.getMessage().contains("one per output channel"), e.getMessage());
    }
}
