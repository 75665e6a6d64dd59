package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuralOpsTest {
    private static final Immediate E = Immediate.global();

    private static Tensor run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in)[0];
    }

    private static Tensor of(DType dt, double[] v, int... shape) {
        return E.cast(Tensor.of(v, shape), dt);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matmul(DType dt) {
        Tensor a = of(dt, new double[] {1, 2, 3, 4}, 2, 2), b = of(dt, new double[] {5, 6, 7, 8}, 2, 2);
        assertClose(new double[] {19, 22, 43, 50}, E.matmul(a, b, false, false), 0, 0);
        assertClose(new double[] {26, 30, 38, 44}, E.matmul(a, b, true, false), 0, 0);
        assertClose(new double[] {17, 23, 39, 53}, E.matmul(a, b, false, true), 0, 0);
        assertClose(new double[] {23, 31, 34, 46}, E.matmul(a, b, true, true), 0, 0);
    }

    @Test
    void batchedMatmulBroadcastsLeadingAxes() {
        Generator g = new Generator(3);
        Tensor a = Tensor.randn(g, 2, 1, 3, 4), b = Tensor.randn(g, 5, 4, 2);
        Tensor c = E.matmul(a, b, false, false);
        assertEquals(Shape.of(2, 5, 3, 2), c.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) for (int r = 0; r < 3; r++) for (int k = 0; k < 2; k++) {
            double s = 0;
            for (int q = 0; q < 4; q++) s += a.getDouble(i, 0, r, q) * b.getDouble(j, q, k);
            assertEquals(s, c.getDouble(i, j, r, k), 1e-5);
        }
    }

    @Test
    void matmulErrorNamesBothShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> E.matmul(Tensor.zeros(16, 4), Tensor.zeros(5, 64), false, false));
        assertEquals("matmul: cannot multiply [16, 4] by [5, 64] (inner dimensions 4 and 5 differ)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> E.matmul(Tensor.zeros(4), Tensor.zeros(4, 2), false, false));
        assertEquals("matmul: both operands need rank >= 2, got [4] and [4, 2] (reshape a vector to [1, n] or [n, 1])", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void linear(DType dt) {
        Tensor x = of(dt, new double[] {1, 2, -1, 0}, 2, 2), w = of(dt, new double[] {1, 0, 0, 1, 1, 1}, 3, 2), b = of(dt, new double[] {0.5, -0.5, 0}, 3);
        Tensor y = run(Ops.LINEAR, Attrs.NONE, x, w, b);
        assertEquals(Shape.of(2, 3), y.shape());
        assertClose(new double[] {1.5, 1.5, 3, -0.5, -0.5, -1}, y, 0, 0);
        assertClose(new double[] {1, 2, 3, -1, 0, -1}, run(Ops.LINEAR, Attrs.NONE, x, w), 0, 0);
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.LINEAR, Attrs.NONE, Tensor.zeros(16, 5), Tensor.zeros(64, 4)));
        assertEquals("linear: input [16, 5] does not match weight [64, 4] (the input's last dimension must be in_features = 4)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void softmaxAndLogSoftmax(DType dt) {
        double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
        Tensor x = of(dt, new double[] {1, 2, 3});
        assertClose(new double[] {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, run(Ops.SOFTMAX, Attrs.NONE, x), tol, 0);
        assertClose(new double[] {-2.40760596444438, -1.4076059644443801, -0.40760596444438013}, run(Ops.LOG_SOFTMAX, Attrs.NONE, x), tol, 0);
        // huge logits neither overflow nor lose the answer
        assertClose(new double[] {0.5, 0.5}, run(Ops.SOFTMAX, Attrs.NONE, of(dt, new double[] {1000, 1000})), 0, 0);
        // axis 0 of a 2x2: columns normalise
        Tensor cols = run(Ops.SOFTMAX, Attrs.of("axis", 0), of(dt, new double[] {0, 5, 0, 5}, 2, 2));
        assertClose(new double[] {0.5, 0.5, 0.5, 0.5}, cols, tol, 0);
    }

    @Test
    void dropoutMasksRepeatFromTheSeedAndScaleTheKeptUnits() {
        Tensor x = Tensor.ones(1000);
        Tensor[] a = Ops.DROPOUT.run(new ExecContext(new Generator(7)), Attrs.of("p", 0.3), x);
        Tensor[] b = Ops.DROPOUT.run(new ExecContext(new Generator(7)), Attrs.of("p", 0.3), x);
        Tensor[] c = Ops.DROPOUT.run(new ExecContext(new Generator(8)), Attrs.of("p", 0.3), x);
        assertArrayEquals(a[1].f32(), b[1].f32());
        assertFalse(java.util.Arrays.equals(a[1].f32(), c[1].f32()));
        int kept = 0;
        for (float m : a[1].f32()) {
            assertTrue(m == 0f || m == (float) (1 / 0.7), "mask value " + m);
            if (m != 0) kept++;
        }
        assertTrue(kept > 650 && kept < 750, "kept " + kept + " of 1000 at p = 0.3");
        assertArrayEquals(a[1].f32(), a[0].f32(), "y = x * mask with x = 1");
        assertArrayEquals(x.f32(), Ops.DROPOUT.run(ExecContext.global(), Attrs.of("p", 0.0), x)[0].f32());
        assertArrayEquals(new float[1000], Ops.DROPOUT.run(ExecContext.global(), Attrs.of("p", 1.0), x)[0].f32());
        assertThrows(ShapeException.class, () -> Ops.DROPOUT.run(ExecContext.global(), Attrs.of("p", 1.5), x));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void softmaxCrossEntropy(DType dt) {
        double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
        Tensor z = of(dt, new double[] {1, 2, 3, 1, 2, 3}, 2, 3);
        Tensor y = Tensor.of(new long[] {2, 0});
        // lse([1,2,3]) = 3.40760596444438
        assertClose(new double[] {1.40760596444438}, run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, z, y), tol, 0);
        assertClose(new double[] {2.81521192888876}, run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "sum"), z, y), tol, 0);
        assertClose(new double[] {0.40760596444438, 2.40760596444438}, run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "none"), z, y), tol, 0);
        // smoothing 0.1: lse - 0.9 z_y - 0.1/3 (1 + 2 + 3)
        assertClose(new double[] {0.50760596444438}, run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("label_smoothing", 0.1),
                of(dt, new double[] {1, 2, 3}, 1, 3), Tensor.of(new long[] {2})), tol, 0);
        // stable for huge logits
        assertClose(new double[] {1000}, run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, of(dt, new double[] {1000, 0}, 1, 2), Tensor.of(new long[] {1})), 0, 0);
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, Tensor.zeros(2, 3), Tensor.of(new long[] {0, 3})));
        assertEquals("softmax_cross_entropy: label 3 at row 1 is out of range for 3 classes", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, Tensor.zeros(2, 3), Tensor.of(new long[] {0, 1, 2})));
        assertEquals("softmax_cross_entropy: labels must be [2] for logits [2, 3], got [3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "avg"), Tensor.zeros(2, 3), Tensor.of(new long[] {0, 1})));
        assertEquals("softmax_cross_entropy: reduction must be \"mean\", \"sum\" or \"none\", got \"avg\"", e.getMessage());
    }

    @Test
    void mse() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}), b = Tensor.of(new float[] {1, 1, 1});
        assertClose(new double[] {5.0 / 3}, run(Ops.MSE, Attrs.NONE, a, b), 1e-7, 0);
        assertClose(new double[] {5}, run(Ops.MSE, Attrs.of("reduction", "sum"), a, b), 0, 0);
        assertClose(new double[] {0, 1, 4}, run(Ops.MSE, Attrs.of("reduction", "none"), a, b), 0, 0);
        assertThrows(ShapeException.class, () -> run(Ops.MSE, Attrs.NONE, a, Tensor.zeros(2)));
    }
}
