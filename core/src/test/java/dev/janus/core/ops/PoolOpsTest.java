package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** max_pool and avg_pool against PyTorch (resources/nn/make_reference.py) and by hand. */
class PoolOpsTest {
    private static final Reference REF = Reference.load("/nn/reference.txt");

    private static Tensor[] run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in);
    }

    private static int[] ints(int... v) {
        return v;
    }

    private static void maxMatches(String name, DType dt, Attrs a, Tensor x) {
        Tensor[] out = run(Ops.MAX_POOL, a, x);
        assertClose(REF.get(name, "y"), out[0], 0, 0);
        assertEquals(DType.INT64, out[1].dtype());
        assertClose(REF.get(name, "indices"), out[1], 0, 0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void maxPoolMatchesPyTorch(DType dt) {
        maxMatches("max_pool2d", dt, Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2)), pattern(27, dt, 2, 2, 5, 5));
        maxMatches("max_pool2d_ceil", dt, Attrs.of("kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 1, 1, 1), "ceil_mode", 1),
                pattern(28, dt, 1, 2, 6, 6));
        maxMatches("max_pool2d_dilated", dt, Attrs.of("kernel_shape", ints(2, 2), "dilations", ints(2, 2)), pattern(29, dt, 1, 1, 5, 5));
        maxMatches("max_pool1d", dt, Attrs.of("kernel_shape", ints(3), "strides", ints(2), "pads", ints(1, 1)), pattern(30, dt, 2, 2, 7));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void avgPoolMatchesPyTorch(DType dt) {
        double tol = Reference.tolerance(dt);
        Attrs ceil = Attrs.of("kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 1, 1, 1), "ceil_mode", 1);
        assertClose(REF.get("avg_pool2d_ceil_include", "y"), run(Ops.AVG_POOL, ceil.with("count_include_pad", 1), pattern(31, dt, 1, 2, 6, 6))[0], tol, tol);
        assertClose(REF.get("avg_pool2d_ceil_exclude", "y"), run(Ops.AVG_POOL, ceil, pattern(31, dt, 1, 2, 6, 6))[0], tol, tol);
        assertClose(REF.get("avg_pool2d", "y"), run(Ops.AVG_POOL, Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2), "count_include_pad", 1),
                pattern(32, dt, 2, 3, 4, 5))[0], tol, tol);
        assertClose(REF.get("avg_pool1d", "y"), run(Ops.AVG_POOL, Attrs.of("kernel_shape", ints(3), "strides", ints(2), "pads", ints(1, 1)),
                pattern(33, dt, 2, 2, 7))[0], tol, tol);
    }

    @Test
    void maxPoolByHand() {
        Tensor x = Tensor.of(new float[] {
                1, 5, 2, 0,
                3, 4, 7, 7,
                Float.NaN, 0, -1, -2,
                2, 2, -3, -4}, 1, 1, 4, 4);
        Tensor[] out = run(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2)), x);
        // NaN wins its window; of two equal maxima the first is taken.
        assertArrayEquals(new float[] {5, 7, Float.NaN, -1}, out[0].f32());
        assertArrayEquals(new long[] {1, 6, 8, 10}, out[1].i64());
        // Asymmetric padding: one column of padding on the left, none on the right.
        Tensor y = run(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(1, 2), "strides", ints(1, 2), "pads", ints(0, 1, 0, 0)),
                Tensor.of(new float[] {-1, -2, -3}, 1, 1, 1, 3))[0];
        assertArrayEquals(new float[] {-1, -2}, y.f32());
    }

    @Test
    void avgPoolByHand() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Attrs a = Attrs.of("kernel_shape", ints(2, 2), "pads", ints(1, 1, 0, 0));
        // The top-left window holds only x[0, 0]: 1 alone, or 1 / 4 when the padding counts.
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, run(Ops.AVG_POOL, a, x)[0].f32());
        assertArrayEquals(new float[] {0.25f, 0.75f, 1, 2.5f}, run(Ops.AVG_POOL, a.with("count_include_pad", 1), x)[0].f32());
    }

    @Test
    void globalAveragePoolingIsAMean() {
        Tensor x = pattern(5, DType.FLOAT64, 2, 3, 4, 4);
        Tensor pooled = run(Ops.AVG_POOL, Attrs.of("kernel_shape", ints(4, 4)), x)[0];
        Tensor mean = Immediate.global().mean(x, ints(2, 3), true);
        assertEquals(Shape.of(2, 3, 1, 1), mean.shape());
        assertClose(pooled, mean, 1e-15, 1e-15);
    }

    private static String error(Op op, Attrs a, Tensor x) {
        return assertThrows(ShapeException.class, () -> run(op, a, x)).getMessage();
    }

    @Test
    void badShapesAreNamed() {
        assertEquals("max_pool: input [1, 1, 2, 2] is smaller than the kernel [3, 3] (after padding)",
                error(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(3, 3)), Tensor.zeros(1, 1, 2, 2)));
        assertEquals("avg_pool: attribute kernel_shape is missing", error(Ops.AVG_POOL, Attrs.NONE, Tensor.zeros(1, 1, 2, 2)));
        assertEquals("max_pool: kernel_shape [2] must have 2 entries for input [1, 1, 4, 4]",
                error(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2)), Tensor.zeros(1, 1, 4, 4)));
        assertEquals("max_pool: input must be [N, C, W] or [N, C, H, W], got float32[4, 4]",
                error(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2, 2)), Tensor.zeros(4, 4)));
        assertEquals("avg_pool: window 0 along spatial axis 1 of input [1, 1, 4, 4] lies entirely in the padding (kernel [2, 2], pads [0, 2, 0, 0])",
                error(Ops.AVG_POOL, Attrs.of("kernel_shape", ints(2, 2), "pads", ints(0, 2, 0, 0)), Tensor.zeros(1, 1, 4, 4)));
        assertEquals("max_pool: ceil_mode cannot be combined with auto_pad SAME_UPPER",
                error(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2, 2), "auto_pad", "SAME_UPPER", "ceil_mode", 1), Tensor.zeros(1, 1, 4, 4)));
    }
}
