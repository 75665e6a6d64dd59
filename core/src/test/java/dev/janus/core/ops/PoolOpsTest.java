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

    /** The 2x2 stride-2 loop: NaN anywhere in a window, ties in either row, odd sizes (the last row and column are left out). */
    @Test
    void maxPool2x2ByHand() {
        float nan = Float.NaN;
        Tensor x = Tensor.of(new float[] {
                1, 1, 0, nan, 4,
                1, 1, nan, 9, 4,
                -2, -3, 6, 5, 4,
                -1, -1, 6, 6, 4,
                8, 8, 8, 8, 8}, 1, 1, 5, 5);
        Tensor[] out = run(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2)), x);
        assertArrayEquals(new float[] {1, nan, -1, 6}, out[0].f32());
        // The first of four equal ones; the first NaN in reading order; -1 below; 6 in the top row.
        assertArrayEquals(new long[] {0, 3, 15, 12}, out[1].i64());
    }

    /**
     * The 2x2 loop (float32) against the general one (float64 runs it) and a plain scan, on planes
     * with many ties and NaNs, large enough to be split among threads.
     */
    @Test
    void maxPool2x2MatchesTheGeneralLoop() {
        Tensor x = Tensor.empty(DType.FLOAT32, Shape.of(8, 16, 12, 10));
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < x.numel(); i++) x.setDouble(i, r.nextInt(20) == 0 ? Double.NaN : r.nextInt(4) - 2);
        Attrs a = Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2));
        Tensor[] fast = run(Ops.MAX_POOL, a, x), general = run(Ops.MAX_POOL, a, Immediate.global().cast(x, DType.FLOAT64));
        assertClose(Immediate.global().cast(general[0], DType.FLOAT32), fast[0], 0, 0);
        assertArrayEquals(general[1].i64(), fast[1].i64());
        float[] v = x.f32();
        for (int o = 0; o < fast[1].numel(); o++) {
            int p = o / 30, oy = o % 30 / 5, ox = o % 5, at = p * 120 + 2 * oy * 10 + 2 * ox;
            for (int k : new int[] {1, 10, 11}) {
                int i = p * 120 + (2 * oy + k / 10) * 10 + 2 * ox + k % 10;
                if (v[i] > v[at] || Float.isNaN(v[i]) && !Float.isNaN(v[at])) at = i;
            }
            assertEquals(at, fast[1].i64()[o], "window " + o);
        }
    }

    /** The 2x2 loop's integer keys order floats by value, -0 equal to +0, every NaN above all and equal. */
    @Test
    void poolKeysOrderFloats() {
        float[] up = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1, -Float.MIN_NORMAL, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001)};
        for (int i = 1; i < up.length; i++) {
            int a = Pool.Max.key(up[i - 1]), b = Pool.Max.key(up[i]);
            boolean equal = up[i - 1] == up[i] || Float.isNaN(up[i - 1]) && Float.isNaN(up[i]);
            assertEquals(equal, a == b, up[i - 1] + " and " + up[i]);
            assertEquals(!equal, a < b, up[i - 1] + " below " + up[i]);
        }
    }

    /** max_pool_grad puts each gradient at its window's maximum and zeros elsewhere. */
    @Test
    void maxPoolGradByHand() {
        Tensor x = Tensor.of(new float[] {
                1, 5, 2, 0,
                3, 4, 7, 7,
                9, 0, -1, -2,
                2, 2, -3, -4}, 1, 1, 4, 4);
        Tensor[] pooled = run(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(2, 2), "strides", ints(2, 2)), x);
        Tensor g = Tensor.of(new float[] {10, 20, 30, 40}, 1, 1, 2, 2);
        Tensor dx = run(Ops.MAX_POOL_GRAD, Attrs.NONE, g, pooled[1], x)[0];
        assertArrayEquals(new float[] {
                0, 10, 0, 0,
                0, 0, 20, 0,
                30, 0, 40, 0,
                0, 0, 0, 0}, dx.f32());
        // Overlapping windows (3x3, stride 1) that pick the same element add up there.
        Tensor y = Tensor.of(new float[] {0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0}, 1, 1, 3, 4);
        Tensor[] p = run(Ops.MAX_POOL, Attrs.of("kernel_shape", ints(3, 3)), y);
        assertArrayEquals(new long[] {5, 5}, p[1].i64());
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0},
                run(Ops.MAX_POOL_GRAD, Attrs.NONE, Tensor.of(new float[] {1, 2}, 1, 1, 1, 2), p[1], y)[0].f32());
    }

    @Test
    void maxPoolGradRefusesIndicesOutsideTheirPlane() {
        Tensor x = Tensor.zeros(1, 2, 2, 2);
        Tensor g = Tensor.of(new float[] {1, 2}, 1, 2, 1, 1);
        String m = assertThrows(ShapeException.class, () -> run(Ops.MAX_POOL_GRAD, Attrs.NONE, g, Tensor.of(new long[] {3, 2}, 1, 2, 1, 1), x)).getMessage();
        assertEquals("max_pool_grad: index 2 at position 1 is outside plane 1 of input [1, 2, 2, 2] (elements 4 to 7)", m);
        m = assertThrows(ShapeException.class, () -> run(Ops.MAX_POOL_GRAD, Attrs.NONE, g, Tensor.of(new long[] {3, 2}, 1, 2, 1), x)).getMessage();
        assertEquals("max_pool_grad: indices [1, 2, 1] must have the shape of the gradient [1, 2, 1, 1]", m);
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
