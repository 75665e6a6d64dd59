package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.backend.HalfFloats;
import dev.janus.core.backend.StorageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The storage-only dtypes (int8 ... bfloat16): ONNX's casting rules checked against values computed
 * by hand (and NumPy's astype, which ONNX's reference uses), and ops on them computing in a wider
 * type with the result cast back.
 */
class DTypesTest {
    private static final ExecContext CTX = ExecContext.global();

    private static Tensor cast(Tensor x, DType to) {
        return Ops.CAST.run(CTX, Attrs.of("to", to), x)[0];
    }

    @Test
    void integersWrapToTheirWidthAsNumpyAstypeDoes() {
        Tensor x = Tensor.of(new long[] {127, 128, 255, 256, -1, -129, 70000, -2147483649L});
        assertArrayEquals(new long[] {127, -128, -1, 0, -1, 127, 112, -1}, cast(x, DType.INT8).toLongArray());
        assertArrayEquals(new long[] {127, 128, 255, 0, 255, 127, 112, 255}, cast(x, DType.UINT8).toLongArray());
        assertArrayEquals(new long[] {127, 128, 255, 256, -1, -129, 4464, -1}, cast(x, DType.INT16).toLongArray());
        assertArrayEquals(new long[] {127, 128, 255, 256, 65535, 65407, 4464, 65535}, cast(x, DType.UINT16).toLongArray());
        assertArrayEquals(new long[] {127, 128, 255, 256, -1, -129, 70000, 2147483647}, cast(x, DType.INT32).toLongArray());
        assertArrayEquals(new double[] {127, 128, 255, 256, 4294967295.0, 4294967167.0, 70000, 2147483647},
                cast(x, DType.UINT32).toDoubleArray());
        // uint64: -1 is 2^64 - 1, read unsigned
        assertEquals(18446744073709551615.0, cast(Tensor.of(new long[] {-1}), DType.UINT64).readDouble(0));
        assertEquals(-1, cast(cast(Tensor.of(new long[] {-1}), DType.UINT64), DType.INT64).readLong(0));
    }

    @Test
    void floatsTruncateTowardZeroIntoIntegers() {
        Tensor x = Tensor.of(new float[] {2.9f, -2.9f, 0.5f, -0.5f, 300.7f});
        assertArrayEquals(new long[] {2, -2, 0, 0, 44}, cast(x, DType.INT8).toLongArray());
        assertArrayEquals(new long[] {2, -2, 0, 0, 300}, cast(x, DType.INT32).toLongArray());
        assertArrayEquals(new boolean[] {true, true, true, true, true}, cast(x, DType.BOOL).toBooleanArray());
        assertArrayEquals(new double[] {1, 0, 1}, cast(Tensor.of(new boolean[] {true, false, true}), DType.UINT8).toDoubleArray());
    }

    @Test
    void halfFloatsRoundToNearestEven() {
        // float16 has 10 fraction bits: around 1, the step is 2^-10; 1 + 2^-11 is a tie (to 1), 1 + 3*2^-11 rounds up.
        float[] f = {1f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 65504f, 65520f, 1e-8f, 6.1e-5f, 0x1p-24f, -0f, Float.NaN,
                Float.POSITIVE_INFINITY, 0.1f};
        Tensor h = cast(Tensor.of(f), DType.FLOAT16);
        float[] back = cast(h, DType.FLOAT32).toFloatArray();
        assertEquals(1f, back[0]);
        assertEquals(1f, back[1]);
        assertEquals(1f + 0x1p-9f, back[2]);
        assertEquals(65504f, back[3]);                       // the largest float16
        assertEquals(Float.POSITIVE_INFINITY, back[4]);      // half way to the next power: overflows
        assertEquals(0f, back[5]);
        assertEquals(6.097555e-05f, back[6], 1e-11f);               // subnormal
        assertEquals(0x1p-24f, back[7]);                     // the smallest subnormal
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[8]));
        assertTrue(Float.isNaN(back[9]));
        assertEquals(Float.POSITIVE_INFINITY, back[10]);
        assertEquals(0.0999755859375f, back[11]);            // numpy.float16(0.1)
        assertEquals((short) 0x2e66, h.i16()[11]);
        // bfloat16: 7 fraction bits
        Tensor b = cast(Tensor.of(new float[] {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 0.1f, 3e38f}), DType.BFLOAT16);
        assertArrayEquals(new float[] {1f, 1f + 0x1p-6f, 0.10009765625f, 3.0040553e38f}, cast(b, DType.FLOAT32).toFloatArray());
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = HalfFloats.float16ToFloat((short) bits);
            if (!Float.isNaN(v)) assertEquals((short) bits, HalfFloats.floatToFloat16(v), "float16 bits " + bits);
        }
    }

    @Test
    void opsComputeInAWiderTypeAndCastBack() {
        Tensor a = Tensor.of(new byte[] {100, -100, 7}), b = Tensor.of(new byte[] {100, -100, -2});
        Tensor sum = Ops.ADD.run(CTX, Attrs.NONE, a, b)[0];
        assertEquals(DType.INT8, sum.dtype());
        assertArrayEquals(new long[] {-56, 56, 5}, sum.toLongArray());          // wraps as int8 arithmetic does
        assertArrayEquals(new long[] {1, 1, -3}, Ops.DIV.run(CTX, Attrs.NONE, a, b)[0].toLongArray());   // truncates
        assertArrayEquals(new boolean[] {false, false, true}, Ops.GREATER.run(CTX, Attrs.NONE, a, b)[0].toBooleanArray());
        Tensor h = cast(Tensor.of(new float[] {1f, 2048f}), DType.FLOAT16);
        Tensor hs = Ops.ADD.run(CTX, Attrs.NONE, h, cast(Tensor.of(new float[] {0x1p-11f, 1f}), DType.FLOAT16))[0];
        assertEquals(DType.FLOAT16, hs.dtype());
        assertArrayEquals(new float[] {1f, 2048f}, cast(hs, DType.FLOAT32).toFloatArray());   // float16 sums: ties to even
        Tensor e = Ops.EXP.run(CTX, Attrs.NONE, h)[0];
        assertEquals(DType.FLOAT16, e.dtype());
        assertEquals(2.71875f, cast(e, DType.FLOAT32).toFloatArray()[0]);
        Tensor g = Ops.GATHER.run(CTX, Attrs.of("axis", 0), Tensor.of(new float[] {5, 6, 7}), Tensor.of(new int[] {2, 0}))[0];
        assertArrayEquals(new float[] {7, 5}, g.toFloatArray());
        Tensor s = Ops.SUM.run(CTX, Attrs.NONE, Tensor.of(new int[] {Integer.MAX_VALUE, 1}))[0];
        assertEquals(DType.INT32, s.dtype());
        assertEquals(Integer.MIN_VALUE, s.readLong(0));
        assertThrows(ShapeException.class, () -> Ops.EXP.run(CTX, Attrs.NONE, Tensor.of(new int[] {1})));
        assertThrows(dev.janus.core.JanusException.class, () -> Ops.DIV.run(CTX, Attrs.NONE, a, Tensor.of(new byte[] {1, 0, 1})));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsThroughBytesAndNativeStorage(DType dtype) {
        Tensor t = Tensor.empty(dtype, Shape.of(2, 3));
        for (int i = 0; i < 6; i++) t.setDouble(i, dtype == DType.BOOL ? i % 2 : i * 3 - (dtype.isUnsigned() ? 0 : 7));
        ByteBuffer buf = ByteBuffer.allocate(6 * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        t.storage().toBytes(buf);
        assertEquals(buf.capacity(), buf.position());
        buf.flip();
        Tensor back = Tensor.empty(dtype, t.shape());
        back.storage().fromBytes(buf);
        assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
        Tensor nat = t.to(StorageKind.NATIVE);
        assertArrayEquals(t.toDoubleArray(), nat.toDoubleArray());
        // ops on native tensors of these dtypes widen too
        if (dtype != DType.BOOL) {
            Tensor twice = Ops.ADD.run(CTX, Attrs.NONE, nat, nat)[0];
            for (int i = 0; i < 6; i++) {
                Tensor expect = Tensor.empty(dtype, Shape.of(1));
                expect.setDouble(0, 2 * t.readDouble(i));
                assertEquals(expect.readDouble(0), twice.readDouble(i), 1e-6, dtype + " element " + i);
            }
        }
        assertEquals(dtype, DType.parse(dtype.toString()));
    }
}
