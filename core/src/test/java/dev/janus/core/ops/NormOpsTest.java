package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;
import static dev.janus.core.testing.Reference.positive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** batch_norm and layer_norm against PyTorch (resources/nn/make_reference.py) and by hand. */
class NormOpsTest {
    private static final Reference REF = Reference.load("/nn/reference.txt");

    private static Tensor run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in)[0];
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchPyTorch(DType dt) {
        double tol = Reference.tolerance(dt);
        assertClose(REF.get("batch_norm4d", "y"), run(Ops.BATCH_NORM, Attrs.of("epsilon", 1e-3), pattern(34, dt, 2, 3, 4, 5),
                pattern(35, dt, 3), pattern(36, dt, 3), pattern(37, dt, 3), positive(38, dt, 3)), tol, tol);
        assertClose(REF.get("batch_norm2d", "y"), run(Ops.BATCH_NORM, Attrs.NONE, pattern(39, dt, 4, 3),
                pattern(40, dt, 3), pattern(41, dt, 3), pattern(42, dt, 3), positive(43, dt, 3)), tol, tol);
        assertClose(REF.get("layer_norm_last", "y"), run(Ops.LAYER_NORM, Attrs.NONE, pattern(44, dt, 2, 3, 4),
                pattern(45, dt, 4), pattern(46, dt, 4)), tol, tol);
        assertClose(REF.get("layer_norm_axis1", "y"), run(Ops.LAYER_NORM, Attrs.of("axis", 1, "epsilon", 1e-3), pattern(47, dt, 2, 3, 4),
                pattern(48, dt, 3, 4)), tol, tol);
    }

    @Test
    void batchNormByHand() {
        // channel 0: (x - 1) / sqrt(4) * 2 + 0.5; channel 1: (x - 0) / sqrt(1) * 1 - 1 (epsilon 0)
        Tensor x = Tensor.of(new double[] {1, 3, 5, 7, 2, 4, 6, 8}, 2, 2, 2);
        Tensor y = run(Ops.BATCH_NORM, Attrs.of("epsilon", 0.0), x, Tensor.of(new double[] {2, 1}), Tensor.of(new double[] {0.5, -1}),
                Tensor.of(new double[] {1, 0}), Tensor.of(new double[] {4, 1}));
        assertClose(new double[] {0.5, 2.5, 4, 6, 1.5, 3.5, 5, 7}, y, 1e-15, 0);
    }

    @Test
    void trainingComposesWithBatchStatistics() {
        // Batch statistics from mean ops, normalised by batch_norm: each channel comes out with mean 0 and variance 1.
        Immediate e = Immediate.global();
        Tensor x = pattern(7, DType.FLOAT64, 4, 3, 2, 2);
        int[] axes = {0, 2, 3};
        Tensor mean = e.mean(x, axes, false);
        Tensor centred = e.sub(x, e.reshape(mean, dev.janus.core.Shape.of(1, 3, 1, 1)));
        Tensor var = e.mean(e.mul(centred, centred), axes, false);
        Tensor y = run(Ops.BATCH_NORM, Attrs.of("epsilon", 0.0), x, Tensor.ones(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 3), mean, var);
        assertClose(new double[] {0, 0, 0}, e.mean(y, axes, false), 0, 1e-14);
        assertClose(new double[] {1, 1, 1}, e.mean(e.mul(y, y), axes, false), 1e-14, 0);
    }

    @Test
    void layerNormByHand() {
        // Row [1, 2, 3]: mean 2, variance 2/3; no epsilon.
        Tensor y = run(Ops.LAYER_NORM, Attrs.of("epsilon", 0.0), Tensor.of(new double[] {1, 2, 3}, 1, 3), Tensor.of(new double[] {1, 1, 2}));
        double s = Math.sqrt(1.5);
        assertClose(new double[] {-s, 0, 2 * s}, y, 1e-15, 0);
        // The gradient rule has three outputs with a bias, two without.
        List<Tensor> g = Ops.LAYER_NORM.gradient(Immediate.global(), Attrs.NONE, List.of(Tensor.ones(2, 3), Tensor.ones(3)),
                List.of(Tensor.zeros(2, 3)), List.of(Tensor.ones(2, 3)), new boolean[] {true, true});
        assertEquals(2, g.size());
    }

    @Test
    void badInputsAreNamed() {
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.BATCH_NORM, Attrs.NONE, Tensor.zeros(2, 3, 4, 4),
                Tensor.ones(4), Tensor.zeros(3), Tensor.zeros(3), Tensor.ones(3)));
        assertEquals("batch_norm: scale must have shape [3] (one value per channel of input [2, 3, 4, 4]), got [4]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.BATCH_NORM, Attrs.NONE, Tensor.zeros(3),
                Tensor.ones(3), Tensor.zeros(3), Tensor.zeros(3), Tensor.ones(3)));
        assertEquals("batch_norm: input must be [N, C, ...] (rank >= 2), got float32[3]", e.getMessage());
        JanusException v = assertThrows(JanusException.class, () -> run(Ops.BATCH_NORM, Attrs.of("epsilon", 0.0), Tensor.zeros(2, 2),
                Tensor.ones(2), Tensor.zeros(2), Tensor.zeros(2), Tensor.of(new float[] {1, -1})));
        assertEquals("batch_norm: var + epsilon of channel 1 is -1.0; it must be positive", v.getMessage());
        v = assertThrows(JanusException.class, () -> run(Ops.LAYER_NORM, Attrs.of("epsilon", 0.0), Tensor.ones(2, 3), Tensor.ones(3)));
        assertEquals("layer_norm: row 0 has variance 0.0 and epsilon is 0.0; their sum must be positive", v.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.LAYER_NORM, Attrs.NONE, Tensor.zeros(2, 3, 4), Tensor.ones(3)));
        assertEquals("layer_norm: scale must have shape [4] (the dimensions of input [2, 3, 4] from axis 2), got [3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.LAYER_NORM, Attrs.of("axis", 3), Tensor.zeros(2, 3, 4), Tensor.ones(3)));
        assertEquals("layer_norm: axis 3 is out of range for shape [2, 3, 4] (rank 3)", e.getMessage());
    }
}
