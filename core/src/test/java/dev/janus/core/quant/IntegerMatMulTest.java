package dev.janus.core.quant;

import dev.janus.core.JanusException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The int8 product against values worked out by hand (ONNX Runtime's own outputs: export's IntegerMatMulOrtTest). */
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
        // Column multipliers 0.01 and 0.5, zero point 128, uint8: -8.82 -> -9 + 128 = 119; 441 + 128 saturates to 255;
        // 1.22 -> 1 + 128 = 129; -61 + 128 = 67.
        byte[] y = IntegerMatMul.requantize(c, new float[] {0.01f, 0.5f}, 128, 0, 255, 2);
        assertArrayEquals(new byte[] {119, (byte) 255, (byte) 129, 67}, y);
        // Halves round to even: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2; int8 saturates at -128.
        assertArrayEquals(new byte[] {2, 4, -2, -128}, IntegerMatMul.requantize(new int[] {5, 7, -5, -1000}, new float[] {0.5f}, 0, -128, 127, 1));
        // Signed A, one zero point for B: A int8 [[-128, 127]] zero point -1 -> [[-127, 128]]; B uint8 [[200], [100]] zero point 100 -> [[100], [0]].
        assertArrayEquals(new int[] {-12700},
                IntegerMatMul.weights(new byte[] {(byte) 200, 100}, true, new int[] {100}, 2, 1).multiply(new byte[] {-128, 127}, false, -1, 1));
    }

    @Test
    void shapesAreChecked() {
        assertThrows(JanusException.class, () -> IntegerMatMul.weights(new byte[5], false, new int[] {0}, 2, 3));
        assertThrows(JanusException.class, () -> IntegerMatMul.weights(new byte[6], false, new int[] {0, 0}, 2, 3));
        IntegerMatMul w = IntegerMatMul.weights(new byte[6], false, new int[] {0}, 2, 3);
        assertThrows(JanusException.class, () -> w.multiply(new byte[5], true, 0, 2));
    }
}
