package dev.janus.eager;

import dev.janus.core.Slice;
import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The everyday PyTorch surface of {@code Tensor}, against hand-computed values and gradients. */
class TensorSurfaceTest {
    /** [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]. */
    private static Tensor grid() {
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i;
        return Tensor.of(v, 3, 4);
    }

    private static float[] values(Tensor t) {
        return t.toFloatArray();
    }

    @Test
    void dimIsTheRankAndSizeTheSizes() {
        Tensor x = grid();
        assertEquals(2, x.dim());
        assertEquals(4, x.size(1));
        assertEquals(4, x.size(-1));
        assertEquals(Shape.of(3, 4), x.size());
        assertEquals(5.0, x.index(1, 1).item());
    }

    @Test
    void indexTakesIntsRangesNegativesAndSteps() {
        Tensor x = grid();
        assertArrayEquals(new float[] {8, 9, 10, 11}, values(x.index(-1)));
        assertEquals(Shape.of(4), x.index(-1).shape());
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, values(x.index(Slice.all(), Slice.of(1, 3))));
        assertArrayEquals(new float[] {4, 6}, values(x.index(1, Slice.of(0, null, 2))));
        assertArrayEquals(new float[] {6, 7, 10, 11}, values(x.index(Slice.from(1), Slice.from(-2))));
        assertArrayEquals(new float[] {3, 7}, values(x.index(Slice.to(-1), 3)));
        assertEquals(Shape.of(0, 4), x.index(Slice.of(5, 9)).shape(), "out-of-range slices are clamped, as in Python");
        assertArrayEquals(new float[] {2, 6, 10}, values(x.select(1, 2)));
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, values(x.narrow(0, 1, 2)));
        ShapeException e = assertThrows(ShapeException.class, () -> x.index(3));
        assertEquals("select: index 3 is out of range for dimension 0 of size 3 (shape [3, 4])", e.getMessage());
        assertThrows(JanusException.class, () -> x.index("a"));
    }

    @Test
    void gradientsFlowBackIntoThePositionsTaken() {
        Tensor x = grid().requiresGrad(true);
        x.index(Slice.all(), Slice.of(1, 3)).sum().add(x.index(-1, 0).mul(3)).backward();
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 1, 0, 3, 1, 1, 0}, values(x.grad()));
    }

    @Test
    void squeezeUnsqueezeAndStack() {
        Tensor x = Tensor.ones(2, 1, 3);
        assertEquals(Shape.of(2, 3), x.squeeze().shape());
        assertEquals(Shape.of(2, 3), x.squeeze(1).shape());
        assertEquals(Shape.of(2, 1, 3), x.squeeze(0).shape());
        assertEquals(Shape.of(2, 1, 3, 1), x.unsqueeze(-1).shape());
        assertEquals(Shape.of(1, 2, 1, 3), x.unsqueeze(0).shape());
        Tensor a = Tensor.of(new float[] {1, 2}), b = Tensor.of(new float[] {3, 4});
        assertArrayEquals(new float[] {1, 2, 3, 4}, values(Tensor.stack(0, a, b)));
        assertEquals(Shape.of(2, 2), Tensor.stack(0, a, b).shape());
        assertArrayEquals(new float[] {1, 3, 2, 4}, values(Tensor.stack(1, a, b)));
        assertArrayEquals(new float[] {1, 3, 2, 4}, values(Tensor.stack(-1, a, b)));
        assertThrows(ShapeException.class, () -> Tensor.stack(0, a, Tensor.ones(3)));
    }

    @Test
    void clampLimitsAndPassesTheGradientInside() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0.5f, 2}).requiresGrad(true);
        Tensor y = x.clamp(-1, 1);
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1}, values(y));
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 0}, values(x.grad()));
        assertArrayEquals(new float[] {0, 0, 0.5f, 2}, values(x.detach().clampMin(0)));
        assertArrayEquals(new float[] {-2, -0.5f, 0, 0}, values(x.detach().clampMax(0)));
    }

    @Test
    void comparisonsAndLogicFollowPyTorchNaNsIncluded() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, Float.NaN}), b = Tensor.of(new float[] {2, 2, 2, Float.NaN});
        assertArrayEquals(new boolean[] {false, false, true, false}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true, false}, a.ge(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true, false}, a.gt(2).toBooleanArray());
        Tensor p = a.gt(1.5), q = a.lt(2.5);
        assertArrayEquals(new boolean[] {false, true, false, false}, p.logicalAnd(q).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, true, false}, p.logicalOr(q).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true, false}, p.logicalXor(q).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, true}, p.logicalNot().toBooleanArray());
        assertArrayEquals(new float[] {2, 2, 3, Float.NaN}, values(a.where(p, b)));
        assertEquals(DType.BOOL, p.dtype());
        JanusException e = assertThrows(JanusException.class, () -> a.logicalNot());
        assertEquals("logicalNot: expects a bool tensor, got float32[4] (compare first, or use to(BOOL))", e.getMessage());
    }
}
