package dev.janus.core.quant;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The int8 product, and its requantization by the qlinear_matmul op, against values worked out by hand (ONNX Runtime's own outputs: export's IntegerMatMulOrtTest). */
class IntegerMatMulTest {
    @Test
    void productsAndRequantizationByHand() {
        // A uint8 [[10, 0, 255], [3, 4, 5]], zero point 3: [[7, -3, 252], [0, 1, 2]].
        byte[] a = {10, 0, (byte) 255, 3, 4, 5};
        // B int8 [[1, -2], [127, -128], [-1, 0]], zero points per column [1, -2]: [[0, 0], [126, -126], [-2, 2]].
        byte[] b = {1, -2, 127, -128, -1, 0};
        IntegerMatMul w = IntegerMatMul.weights(b, false, new int[] {1, -2}, 3, 2);
        // Row 0: 7*0 - 3*126 + 252*(-2) = -882, and 7*0 - 3*(-126) + 252*2 = 882; row 1: 126 - 4 = 122, -126 + 4 = -122.
        int[] c = w.multiply(a, true, 3, 2);
        assertArrayEquals(new int[] {-882, 882, 122, -122}, c);
        // The same product requantized by the qlinear_matmul op, with a scale 1, column scales 0.01 and 0.5, y scale 1 and
        // zero point 128, uint8: -8.82 -> -9 + 128 = 119; 441 + 128 saturates to 255; 1.22 -> 1 + 128 = 129; -61 + 128 = 67.
        Tensor y = qlinear(Tensor.wrap(a, DType.UINT8, Shape.of(2, 3)), 3, Tensor.wrap(b, DType.INT8, Shape.of(3, 2)),
                new float[] {0.01f, 0.5f}, Tensor.wrap(new byte[] {1, -2}, DType.INT8, Shape.of(2)), 128);
        assertArrayEquals(new long[] {119, 255, 129, 67}, y.toLongArray());
        // Halves round to even: A int8 [[5], [7], [-5], [-128]] times B [[1]] with multiplier 0.5 is 2.5 -> 2, 3.5 -> 4,
        // -2.5 -> -2, -64; plus zero point -100: -98, -96, -102, and -164 saturates to int8's -128.
        Tensor halves = qlinear(Tensor.wrap(new byte[] {5, 7, -5, -128}, DType.INT8, Shape.of(4, 1)), 0,
                Tensor.wrap(new byte[] {1}, DType.INT8, Shape.of(1, 1)), new float[] {0.5f}, Tensor.wrap(new byte[] {0}, DType.INT8, Shape.scalar()), -100);
        assertArrayEquals(new long[] {-98, -96, -102, -128}, halves.toLongArray());
        // Signed A, one zero point for B: A int8 [[-128, 127]] zero point -1 -> [[-127, 128]]; B uint8 [[200], [100]] zero point 100 -> [[100], [0]].
        assertArrayEquals(new int[] {-12700},
                IntegerMatMul.weights(new byte[] {(byte) 200, 100}, true, new int[] {100}, 2, 1).multiply(new byte[] {-128, 127}, false, -1, 1));
    }

    /** qlinear_matmul of a (zero point aZero, scale 1) and b (column scales bScales, zero points bZero), y scale 1, y's zero point of a's type. */
    private static Tensor qlinear(Tensor a, int aZero, Tensor b, float[] bScales, Tensor bZero, int yZero) {
        Tensor one = Tensor.scalar(1, DType.FLOAT32);
        return Ops.QLINEAR_MATMUL.run(ExecContext.global(), Attrs.NONE, a, one, Tensor.wrap(new byte[] {(byte) aZero}, a.dtype(), Shape.scalar()),
                b, Tensor.of(bScales, bScales.length), bZero, one, Tensor.wrap(new byte[] {(byte) yZero}, a.dtype(), Shape.scalar()))[0];
    }

    @Test
    void shapesAreChecked() {
        assertThrows(JanusException.class, () -> IntegerMatMul.weights(new byte[5], false, new int[] {0}, 2, 3));
        assertThrows(JanusException.class, () -> IntegerMatMul.weights(new byte[6], false, new int[] {0, 0}, 2, 3));
        IntegerMatMul w = IntegerMatMul.weights(new byte[6], false, new int[] {0}, 2, 3);
        assertThrows(JanusException.class, () -> w.multiply(new byte[5], true, 0, 2));
    }
}
