package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReduceOpsTest {
    private static final ExecContext CTX = ExecContext.global();

    private static Tensor run(Op op, Attrs a, Tensor x) {
        return op.run(CTX, a, x)[0];
    }

    private static Tensor m23(DType dt) {
        return Immediate.global().cast(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), dt);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void sumMeanMaxMin(DType dt) {
        Tensor x = m23(dt);
        Tensor s0 = run(Ops.SUM, Attrs.of("axes", new int[] {0}), x);
        assertEquals(Shape.of(3), s0.shape());
        assertClose(new double[] {5, 7, 9}, s0, 0, 0);
        Tensor s1 = run(Ops.SUM, Attrs.of("axes", new int[] {1}, "keepdims", true), x);
        assertEquals(Shape.of(2, 1), s1.shape());
        assertClose(new double[] {6, 15}, s1, 0, 0);
        Tensor all = run(Ops.SUM, Attrs.NONE, x);
        assertEquals(Shape.scalar(), all.shape());
        assertEquals(21, all.item());
        assertClose(new double[] {2, 5}, run(Ops.MEAN, Attrs.of("axes", new int[] {-1}), x), 0, 0);
        assertClose(new double[] {3, 6}, run(Ops.MAX, Attrs.of("axes", new int[] {1}), x), 0, 0);
        assertClose(new double[] {1, 2, 3}, run(Ops.MIN, Attrs.of("axes", new int[] {0}), x), 0, 0);
        assertEquals(Shape.of(1, 1), run(Ops.MEAN, Attrs.of("keepdims", true), x).shape());
        assertEquals(3.5, run(Ops.MEAN, Attrs.NONE, x).item());
    }

    @Test
    void nonAdjacentAxes() {
        // x[i, j, k] = 12 i + 4 j + k; summing over i and k gives 60 + 32 j.
        Tensor x = Immediate.global().cast(Tensor.arange(24), DType.FLOAT32).view(Shape.of(2, 3, 4));
        assertClose(new double[] {60, 92, 124}, run(Ops.SUM, Attrs.of("axes", new int[] {0, 2}), x), 0, 0);
        Tensor keep = run(Ops.MAX, Attrs.of("axes", new int[] {2, 0}, "keepdims", true), x);
        assertEquals(Shape.of(1, 3, 1), keep.shape());
        assertClose(new double[] {15, 19, 23}, keep, 0, 0);
    }

    @Test
    void maxPropagatesNaN() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3});
        assertEquals(Double.NaN, run(Ops.MAX, Attrs.NONE, x).item());
    }

    @Test
    void argmaxTakesTheFirstOfTies() {
        Tensor x = Tensor.of(new float[] {1, 3, 2, 5, 0, 5}, 2, 3);
        Tensor a1 = run(Ops.ARGMAX, Attrs.of("axis", 1), x);
        assertEquals(DType.INT64, a1.dtype());
        assertArrayEquals(new long[] {1, 0}, a1.i64());
        assertArrayEquals(new long[] {1, 0, 1}, run(Ops.ARGMAX, Attrs.NONE, x).i64());
        assertEquals(Shape.of(2, 1), run(Ops.ARGMAX, Attrs.of("axis", -1, "keepdims", true), x).shape());
    }

    @Test
    void errors() {
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.SUM, Attrs.of("axes", new int[] {2}), Tensor.zeros(2, 3)));
        assertEquals("sum: axis 2 is out of range for shape [2, 3] (rank 2)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.MAX, Attrs.of("axes", new int[] {1}), Tensor.zeros(2, 0)));
        assertEquals("max: cannot reduce axis 1 of [2, 0], it is empty", e.getMessage());
        e = assertThrows(ShapeException.class, () -> run(Ops.SUM, Attrs.of("axes", new int[] {0, -2}), Tensor.zeros(2, 3)));
        assertEquals("sum: axis -2 is given twice for shape [2, 3]", e.getMessage());
    }

    /**
     * Axes that are not adjacent (batch normalisation's statistics) are reduced where the values
     * lie: the bits of reducing a copy with the reduced axes moved last (how it was computed
     * before), for every reduction, float32 and float64, one and two threads.
     */
    @Test
    void axesThatAreNotAdjacentGiveTheBitsOfACopyWithThemLast() {
        int threads = dev.janus.core.backend.CpuThreads.threads();
        int[][][] cases = {{{8, 5, 6, 7}, {0, 2, 3}}, {{4, 3, 5}, {0, 2}}, {{3, 4, 5, 6}, {1, 3}}, {{64, 16, 9, 9}, {0, 2, 3}}};
        Op[] ops = {Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN, Ops.PROD};
        try {
            for (int[][] c : cases) {
                int[] shape = c[0], axes = c[1];
                int r = shape.length;
                int[] perm = new int[r];
                boolean[] red = new boolean[r];
                for (int a : axes) red[a] = true;
                int j = 0;
                for (int i = 0; i < r; i++) if (!red[i]) perm[j++] = i;
                for (int a : axes) perm[j++] = a;
                int[] trailing = new int[axes.length];
                for (int i = 0; i < axes.length; i++) trailing[i] = r - axes.length + i;
                for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    // Values near 1 keep the product finite; the others spread over 2^-20 .. 2^20, so
                    // that sums in double are not exact and any change of order shows.
                    Tensor nearOne = Tensor.normal(1, 0.05, dt, new dev.janus.core.Generator(9), shape);
                    Tensor spread = Tensor.normal(0, 1, dt, new dev.janus.core.Generator(10), shape);
                    for (int i = 0; i < spread.numel(); i++) spread.storage().setDouble(i, spread.storage().getDouble(i) * Math.scalb(1.0, (i * 7) % 41 - 20));
                    for (Op op : ops) {
                        Tensor x = op == Ops.PROD ? nearOne : spread, moved = Shaping.permute(x, perm);
                        Tensor want = run(op, Attrs.of("axes", trailing), moved);
                        for (int t = 1; t <= 2; t++) {
                            dev.janus.core.backend.CpuThreads.setThreads(t);
                            Tensor got = run(op, Attrs.of("axes", axes), x);
                            assertEquals(want.shape(), got.shape());
                            double[] a = want.toDoubleArray(), b = got.toDoubleArray();
                            for (int i = 0; i < a.length; i++) {
                                if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                                    throw new AssertionError(op.name() + " " + dt + " " + java.util.Arrays.toString(shape) + " axes "
                                            + java.util.Arrays.toString(axes) + ", " + t + " threads, element " + i + ": " + a[i] + " vs " + b[i]);
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            dev.janus.core.backend.CpuThreads.setThreads(threads);
        }
    }
}
