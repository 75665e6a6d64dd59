package dev.janus.core.quant;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Immediate;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;

/** What quantization-aware training inserts, on values worked out by hand (rounding half to even). */
class FakeQuantizationTest {
    private static final Immediate E = Immediate.global();

    @Test
    void weightsPerOutputChannelOnTheirLargestMagnitude() {
        // Columns (the last axis) scaled by 1/127 and 4/127: 0.5 -> 63.5 -> 64 -> 64/127; -2 -> -63.5 -> -64 -> -256/127.
        Tensor w = Tensor.of(new double[] {1, -2, 0.5, 4}, 2, 2);
        Close.assertClose(new double[] {1, -256.0 / 127, 64.0 / 127, 4}, FakeQuantization.weight(E, w, -1), 0, 1e-12);
        // Per row instead: rows scaled by 2/127 and 4/127.
        Close.assertClose(new double[] {64 * 2.0 / 127, -2, 16 * 4.0 / 127, 4}, FakeQuantization.weight(E, w, 0), 0, 1e-12);
        // An all-zero channel stays zero (its scale is kept finite).
        Close.assertClose(new double[] {0, 0}, FakeQuantization.weight(E, Tensor.of(new double[] {0, 0}, 1, 2), 0), 0, 0);
    }

    @Test
    void activationsOverTheBatchRangeWithZero() {
        // Range [-1, 2]: scale 3/255, zero point 85; 0.51 -> 43.35 -> 43; 1.02 -> 86.7 -> 87; 2 -> 170 (+85 = 255).
        double s = 3.0 / 255;
        Tensor x = Tensor.of(new double[] {-1, 0.51, 2, 1.02});
        Close.assertClose(new double[] {-1, 43 * s, 2, 87 * s}, FakeQuantization.activation(E, x), 0, 1e-12);
        // All positive: the range widens to 0, so 0 is exact (zero point 0).
        Close.assertClose(new double[] {0, 255 * (0.8 / 255), 128 * (0.8 / 255)}, FakeQuantization.activation(E, Tensor.of(new double[] {0, 0.8, 0.4016})), 0, 1e-12);
    }
}
