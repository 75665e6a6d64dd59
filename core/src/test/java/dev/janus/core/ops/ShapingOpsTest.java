package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShapingOpsTest {
    private static Tensor run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in)[0];
    }

    private static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, i);
        return t;
    }

    @Test
    void reshape() {
        Tensor y = run(Ops.RESHAPE, Attrs.of("shape", new int[] {3, -1}), iota(2, 3));
        assertEquals(Shape.of(3, 2), y.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, y.f32());
        assertEquals(Shape.of(2, 3), run(Ops.RESHAPE, Attrs.of("shape", new int[] {0, -1}), iota(2, 3)).shape());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.RESHAPE, Attrs.of("shape", new int[] {5, -1}), iota(16, 4)));
        assertEquals("reshape: cannot reshape [16, 4] (64 elements) into [5, -1]", e.getMessage());
        // a dynamic batch stays dynamic; the rest is checked
        TensorType t = Ops.RESHAPE.infer(new TensorType[] {TensorType.of(DType.FLOAT32, -1, 2, 3)}, Attrs.of("shape", new int[] {0, 6}))[0];
        assertEquals(Shape.of(-1, 6), t.shape());
    }

    @Test
    void transpose() {
        Tensor y = run(Ops.TRANSPOSE, Attrs.NONE, iota(2, 3));
        assertEquals(Shape.of(3, 2), y.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, y.f32());
        Tensor z = run(Ops.TRANSPOSE, Attrs.of("perm", new int[] {1, 0, 2}), iota(2, 2, 2));
        assertArrayEquals(new float[] {0, 1, 4, 5, 2, 3, 6, 7}, z.f32());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.TRANSPOSE, Attrs.of("perm", new int[] {0, 0}), iota(2, 3)));
        assertEquals("transpose: perm [0, 0] is not a permutation of 2 axes", e.getMessage());
    }

    @Test
    void expand() {
        Tensor y = run(Ops.EXPAND, Attrs.of("shape", new int[] {2, 3, 2}), Tensor.of(new float[] {1, 2, 3}, 3, 1));
        assertEquals(Shape.of(2, 3, 2), y.shape());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, y.f32());
    }

    @Test
    void concat() {
        Tensor a = iota(2, 1), b = Tensor.of(new float[] {10, 11, 12, 13}, 2, 2);
        Tensor c = run(Ops.CONCAT, Attrs.of("axis", 1), a, b);
        assertArrayEquals(new float[] {0, 10, 11, 1, 12, 13}, c.f32());
        Tensor d = run(Ops.CONCAT, Attrs.of("axis", 0), b, b);
        assertEquals(Shape.of(4, 2), d.shape());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.CONCAT, Attrs.of("axis", 0), a, b));
        assertEquals("concat: input 1 has shape [2, 2], which does not match input 0's [2, 1] outside axis 0", e.getMessage());
    }

    @Test
    void sliceFollowsOnnxSemantics() {
        Tensor x = iota(10);
        assertArrayEquals(new float[] {2, 5}, run(Ops.SLICE, Attrs.of("starts", new int[] {2}, "ends", new int[] {8}, "steps", new int[] {3}), x).f32());
        assertArrayEquals(new float[] {9, 6, 3, 0},
                run(Ops.SLICE, Attrs.of("starts", new int[] {-1}, "ends", new long[] {Long.MIN_VALUE}, "steps", new int[] {-3}), x).f32());
        assertArrayEquals(new float[] {7, 8, 9}, run(Ops.SLICE, Attrs.of("starts", new int[] {7}, "ends", new long[] {Long.MAX_VALUE}), x).f32());
        assertEquals(Shape.of(0), run(Ops.SLICE, Attrs.of("starts", new int[] {5}, "ends", new int[] {2}), x).shape());
        Tensor m = run(Ops.SLICE, Attrs.of("starts", new int[] {1}, "ends", new int[] {3}, "axes", new int[] {-1}), iota(2, 4));
        assertArrayEquals(new float[] {1, 2, 5, 6}, m.f32());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.SLICE, Attrs.of("starts", new int[] {0}, "ends", new int[] {1},
                "steps", new int[] {0}), x));
        assertEquals("slice: step for axis 0 is 0", e.getMessage());
    }

    @Test
    void sliceScatter() {
        Tensor y = run(Ops.SLICE_SCATTER, Attrs.of("starts", new int[] {1}, "ends", new int[] {4}, "steps", new int[] {2}),
                iota(5), Tensor.of(new float[] {-1, -2}));
        assertArrayEquals(new float[] {0, -1, 2, -2, 4}, y.f32());
        assertThrows(ShapeException.class, () -> run(Ops.SLICE_SCATTER, Attrs.of("starts", new int[] {1}, "ends", new int[] {4}),
                iota(5), Tensor.of(new float[] {-1, -2})));
    }

    @Test
    void gatherAndIndexAdd() {
        Tensor rows = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor g = run(Ops.GATHER, Attrs.NONE, rows, Tensor.of(new long[] {2, 0, -1}));
        assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, g.f32());
        Tensor cols = run(Ops.GATHER, Attrs.of("axis", 1), rows, Tensor.of(new long[] {1, 1, 0, 1}, 2, 2));
        assertEquals(Shape.of(3, 2, 2), cols.shape());
        assertArrayEquals(new float[] {2, 2, 1, 2, 4, 4, 3, 4, 6, 6, 5, 6}, cols.f32());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.GATHER, Attrs.NONE, rows, Tensor.of(new long[] {0, 3})));
        assertEquals("gather: index 3 at position 1 is out of range for axis 0 of size 3", e.getMessage());

        Tensor base = Tensor.ones(3, 2);
        Tensor added = run(Ops.INDEX_ADD, Attrs.NONE, base, Tensor.of(new long[] {2, 0, 2}), Tensor.of(new float[] {1, 1, 2, 2, 3, 3}, 3, 2));
        assertArrayEquals(new float[] {3, 3, 1, 1, 5, 5}, added.f32());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, base.f32(), "the base is not changed");
    }

    @Test
    void gatherGradientIsTheEmbeddingGradient() {
        // An embedding lookup of token ids with repeats: each table row's gradient is the sum of the
        // upstream rows of the positions that looked it up. Upstream row k is (k + 1) [1, 10, 100].
        Tensor table = Tensor.zeros(DType.FLOAT64, 5, 3);
        Tensor ids = Tensor.of(new long[] {1, 3, 1, 0, 1, 4}, 2, 3);
        double[] up = new double[18];
        for (int k = 0; k < 6; k++) for (int j = 0; j < 3; j++) up[k * 3 + j] = (k + 1) * Math.pow(10, j);
        Tensor lookedUp = run(Ops.GATHER, Attrs.NONE, table, ids);
        assertEquals(Shape.of(2, 3, 3), lookedUp.shape());
        java.util.List<Tensor> grads = Ops.GATHER.gradient(Immediate.global(), Attrs.NONE, java.util.List.of(table, ids),
                java.util.List.of(lookedUp), java.util.List.of(Tensor.of(up, 2, 3, 3)), new boolean[] {true, false});
        assertArrayEquals(new double[] {
                4, 40, 400,        // id 0 at position 3
                9, 90, 900,        // id 1 at positions 0, 2, 4: 1 + 3 + 5
                0, 0, 0,           // id 2 unused
                2, 20, 200,        // id 3 at position 1
                6, 60, 600}, grads.get(0).f64());
    }

    @Test
    void oneHot() {
        Tensor y = run(Ops.ONE_HOT, Attrs.of("depth", 3), Tensor.of(new long[] {0, 2}));
        assertEquals(Shape.of(2, 3), y.shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, y.f32());
        ShapeException e = assertThrows(ShapeException.class, () -> run(Ops.ONE_HOT, Attrs.of("depth", 3), Tensor.of(new long[] {1, 3})));
        assertEquals("one_hot: label 3 at position 1 is out of range for depth 3", e.getMessage());
    }
}
