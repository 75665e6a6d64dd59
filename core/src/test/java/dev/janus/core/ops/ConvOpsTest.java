package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * conv, conv_transpose and conv_weight_grad against PyTorch (resources/nn/make_reference.py wrote
 * the reference values) and small cases worked by hand.
 */
class ConvOpsTest {
    private static final Reference REF = Reference.load("/nn/reference.txt");
    private static final double SMALL = 1.0 / 64;

    private static Tensor run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in)[0];
    }

    private static void matches(String name, String output, DType dt, Tensor actual) {
        assertClose(REF.get(name, output), actual, Reference.tolerance(dt), Reference.tolerance(dt));
    }

    private static int[] ints(int... v) {
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void convMatchesPyTorch(DType dt) {
        matches("conv2d_basic", "y", dt, run(Ops.CONV, Attrs.NONE,
                pattern(1, dt, 2, 3, 5, 5), pattern(2, SMALL, dt, 4, 3, 3, 3), pattern(3, dt, 4)));
        matches("conv2d_strided", "y", dt, run(Ops.CONV, Attrs.of("strides", ints(2, 1), "pads", ints(1, 0, 2, 1), "dilations", ints(1, 2)),
                pattern(4, dt, 1, 2, 6, 7), pattern(5, SMALL, dt, 3, 2, 3, 2), pattern(6, dt, 3)));
        matches("conv2d_groups", "y", dt, run(Ops.CONV, Attrs.of("strides", ints(2, 1), "pads", ints(1, 1, 1, 1), "group", 2),
                pattern(7, dt, 2, 4, 5, 4), pattern(8, SMALL, dt, 6, 2, 3, 3)));
        matches("conv2d_depthwise", "y", dt, run(Ops.CONV, Attrs.of("group", 3),
                pattern(9, dt, 1, 3, 4, 4), pattern(10, SMALL, dt, 3, 1, 2, 2), pattern(11, dt, 3)));
        matches("conv2d_same", "y", dt, run(Ops.CONV, Attrs.of("strides", ints(2, 2), "auto_pad", "SAME_UPPER"),
                pattern(12, dt, 1, 2, 5, 6), pattern(13, SMALL, dt, 3, 2, 3, 3)));
        matches("conv1d", "y", dt, run(Ops.CONV, Attrs.of("strides", ints(2), "pads", ints(2, 1), "dilations", ints(2)),
                pattern(14, dt, 2, 3, 9), pattern(15, SMALL, dt, 4, 3, 3), pattern(16, dt, 4)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void convTransposeMatchesPyTorch(DType dt) {
        matches("conv_transpose2d", "y", dt, run(Ops.CONV_TRANSPOSE,
                Attrs.of("strides", ints(2, 2), "pads", ints(1, 1, 1, 1), "output_padding", ints(1, 1)),
                pattern(17, dt, 2, 3, 3, 3), pattern(18, SMALL, dt, 3, 2, 3, 3), pattern(19, dt, 2)));
        matches("conv_transpose2d_groups", "y", dt, run(Ops.CONV_TRANSPOSE,
                Attrs.of("strides", ints(2, 3), "pads", ints(0, 1, 1, 0), "dilations", ints(2, 1), "group", 2, "output_padding", ints(1, 0)),
                pattern(20, dt, 1, 4, 3, 2), pattern(21, SMALL, dt, 4, 1, 2, 3)));
        matches("conv_transpose1d", "y", dt, run(Ops.CONV_TRANSPOSE, Attrs.of("strides", ints(3), "pads", ints(1, 2), "output_padding", ints(2)),
                pattern(22, dt, 2, 2, 4), pattern(23, SMALL, dt, 2, 3, 3), pattern(24, dt, 3)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void convWeightGradMatchesPyTorchAutograd(DType dt) {
        Tensor dw = run(Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", ints(3, 2), "strides", ints(2, 2), "pads", ints(1, 0, 1, 0), "group", 2),
                pattern(25, dt, 2, 2, 5, 5), pattern(26, dt, 2, 4, 3, 2));
        assertEquals(Shape.of(4, 1, 3, 2), dw.shape());
        matches("conv_weight_grad", "dw", dt, dw);
    }

    @Test
    void convByHand() {
        // 3x3 image 1..9, a 2x2 kernel [[1, 0], [0, -1]]: each output is top-left minus bottom-right.
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.of(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor y = run(Ops.CONV, Attrs.NONE, x, w, Tensor.of(new float[] {10}));
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new float[] {6, 6, 6, 6}, y.f32());
        // Padding 1 and stride 2: windows centred on the corners, reading zeros outside.
        Tensor p = run(Ops.CONV, Attrs.of("strides", ints(2, 2), "pads", ints(1, 1, 1, 1)), x, w);
        assertArrayEquals(new float[] {-1, -3, -7, -9 + 5}, p.f32());
    }

    @Test
    void convTransposeByHand() {
        // Stride 2 with a 2x2 kernel of ones copies each input value into its own 2x2 block.
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = run(Ops.CONV_TRANSPOSE, Attrs.of("strides", ints(2, 2)), x, Tensor.ones(1, 1, 2, 2));
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y.f32());
        // output_padding adds a row and column at the end, which only the bias reaches.
        Tensor z = run(Ops.CONV_TRANSPOSE, Attrs.of("strides", ints(2, 2), "output_padding", ints(1, 1)), x, Tensor.ones(1, 1, 2, 2),
                Tensor.of(new float[] {0.5f}));
        assertEquals(Shape.of(1, 1, 5, 5), z.shape());
        assertEquals(1.5, z.getDouble(0, 0, 0, 0));
        assertEquals(0.5, z.getDouble(0, 0, 4, 4));
    }

    @Test
    void batchesSpanningSeveralChunksMatchOneImageAtATime() {
        // Each image unfolds to 8 x 9 x 12 x 6 = 5184 column entries: chunks of 6 images and 1.
        Immediate e = Immediate.global();
        Attrs a = Attrs.of("pads", ints(1, 1, 1, 1), "strides", ints(1, 2), "group", 2);
        Tensor x = pattern(1, DType.FLOAT64, 7, 8, 12, 12), w = pattern(2, SMALL, DType.FLOAT64, 6, 4, 3, 3);
        Tensor y = run(Ops.CONV, a, x, w);
        Tensor dx = run(Ops.CONV_TRANSPOSE, a.with("output_padding", ints(0, 1)), y, w);
        Tensor dw = run(Ops.CONV_WEIGHT_GRAD, a.with("kernel_shape", ints(3, 3)), x, y);
        Tensor dwSum = null;
        for (int i = 0; i < 7; i++) {
            Tensor xi = e.slice(x, 0, i, i + 1), yi = e.slice(y, 0, i, i + 1);
            assertClose(run(Ops.CONV, a, xi, w), yi, 1e-12, 1e-12);
            assertClose(run(Ops.CONV_TRANSPOSE, a.with("output_padding", ints(0, 1)), yi, w), e.slice(dx, 0, i, i + 1), 1e-12, 1e-12);
            Tensor dwi = run(Ops.CONV_WEIGHT_GRAD, a.with("kernel_shape", ints(3, 3)), xi, yi);
            dwSum = dwSum == null ? dwi : e.add(dwSum, dwi);
        }
        assertClose(dwSum, dw, 1e-12, 1e-12);
    }

    /**
     * Stride-1 convolutions run on wide rows (Conv.Wide): conv, conv_transpose and the weight
     * gradient against direct sums over the definition, for asymmetric pads, no padding, 1x1 and
     * 1-D kernels, groups, and batches that span several chunks, in float64 and float32.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void wideRowsMatchDirectSums(DType dt) {
        double tol = dt == DType.FLOAT32 ? 1e-5 : 1e-12;
        int[][] cases = {
                // n, c, m, group, h, w, kh, kw, pad top, left, bottom, right
                {3, 4, 6, 2, 5, 7, 3, 2, 1, 0, 2, 1},
                {2, 3, 2, 1, 6, 6, 3, 3, 0, 0, 0, 0},
                {2, 5, 3, 1, 4, 3, 1, 1, 0, 0, 0, 0},
                {40, 8, 4, 1, 9, 11, 3, 3, 1, 1, 1, 1},
                {3, 2, 4, 2, 1, 9, 1, 3, 0, 2, 0, 1}};
        for (int[] k : cases) {
            int n = k[0], c = k[1], m = k[2], group = k[3], h = k[4], w = k[5], kh = k[6], kw = k[7];
            int pt = k[8], pl = k[9], oh = h + pt + k[10] - kh + 1, ow = w + pl + k[11] - kw + 1;
            boolean oneD = h == 1 && kh == 1;
            int[] pads = oneD ? ints(pl, k[11]) : ints(pt, pl, k[10], k[11]);
            Tensor x = pattern(3, dt, oneD ? new int[] {n, c, w} : new int[] {n, c, h, w});
            Tensor wt = pattern(4, SMALL, dt, oneD ? new int[] {m, c / group, kw} : new int[] {m, c / group, kh, kw});
            Tensor b = pattern(5, dt, m);
            Tensor g = pattern(6, dt, oneD ? new int[] {n, m, ow} : new int[] {n, m, oh, ow});
            double[] y = new double[n * m * oh * ow], dx = new double[n * c * h * w], dw = new double[m * (c / group) * kh * kw];
            int cg = c / group, mg = m / group;
            for (int i = 0; i < n; i++) for (int o = 0; o < m; o++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
                int yi = ((i * m + o) * oh + oy) * ow + ox;
                y[yi] = b.readDouble(o);
                for (int ci = 0; ci < cg; ci++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                    int iy = oy - pt + ky, ix = ox - pl + kx, ch = o / mg * cg + ci;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    int xi = ((i * c + ch) * h + iy) * w + ix, wi = ((o * cg + ci) * kh + ky) * kw + kx;
                    y[yi] += x.readDouble(xi) * wt.readDouble(wi);
                    dx[xi] += g.readDouble(yi) * wt.readDouble(wi);
                    dw[wi] += g.readDouble(yi) * x.readDouble(xi);
                }
            }
            Attrs a = Attrs.of("pads", pads, "group", group);
            String label = java.util.Arrays.toString(k);
            near(label + " conv", y, run(Ops.CONV, a, x, wt, b), tol);
            near(label + " conv_transpose", dx, run(Ops.CONV_TRANSPOSE, a, g, wt), tol);
            near(label + " conv_weight_grad", dw, run(Ops.CONV_WEIGHT_GRAD, a.with("kernel_shape", oneD ? ints(kw) : ints(kh, kw)), x, g), tol);
        }
    }

    private static void near(String label, double[] expected, Tensor actual, double tol) {
        try {
            assertClose(expected, actual, tol, tol);
        } catch (AssertionError e) {
            throw new AssertionError(label + ": " + e.getMessage(), e);
        }
    }

    @Test
    void shapesWithAnUnknownBatchStayUnknown() {
        TensorType x = TensorType.of(DType.FLOAT32, -1, 3, 8, 8), w = TensorType.of(DType.FLOAT32, 16, 3, 3, 3);
        assertEquals(Shape.of(-1, 16, 8, 8), Ops.CONV.infer(new TensorType[] {x, w}, Attrs.of("auto_pad", "SAME_UPPER"))[0].shape());
        assertEquals(Shape.of(-1, 16, 4, 4), Ops.CONV.infer(new TensorType[] {x, w}, Attrs.of("strides", ints(2, 2), "pads", ints(1, 1, 1, 1)))[0].shape());
    }

    @Test
    void kernelsLeaveTheirInputsAlone() {
        Tensor x = pattern(1, DType.FLOAT32, 2, 2, 4, 4), w = pattern(2, DType.FLOAT32, 3, 2, 3, 3), g = pattern(3, DType.FLOAT32, 2, 3, 2, 2);
        Tensor x0 = x.copy(), w0 = w.copy(), g0 = g.copy();
        run(Ops.CONV, Attrs.NONE, x, w);
        run(Ops.CONV_TRANSPOSE, Attrs.NONE, g, w);
        run(Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", ints(3, 3)), x, g);
        assertArrayEquals(x0.f32(), x.f32());
        assertArrayEquals(w0.f32(), w.f32());
        assertArrayEquals(g0.f32(), g.f32());
    }

    private static String error(Op op, Attrs a, Tensor... in) {
        return assertThrows(ShapeException.class, () -> run(op, a, in)).getMessage();
    }

    @Test
    void badShapesAreNamed() {
        assertEquals("conv: input [1, 3, 4, 4] has 3 channels, weight [8, 2, 3, 3] expects 2 (group 1)",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 2, 3, 3)));
        assertEquals("conv: input [1, 4, 4, 4] has 4 channels, weight [8, 1, 3, 3] expects 2 (group 2)",
                error(Ops.CONV, Attrs.of("group", 2), Tensor.zeros(1, 4, 4, 4), Tensor.zeros(8, 1, 3, 3)));
        assertEquals("conv: input [1, 1, 2, 2] is smaller than the kernel [3, 3] (after padding)",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 3, 3)));
        assertEquals("conv: input [1, 1, 4, 4] is smaller than the kernel [3, 3] with dilations [2, 2] (after padding)",
                error(Ops.CONV, Attrs.of("dilations", ints(2, 2)), Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 3, 3)));
        assertEquals("conv: input must be [N, C, W] or [N, C, H, W], got float32[4, 4]",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(4, 4), Tensor.zeros(1, 1, 3, 3)));
        assertEquals("conv: weight [8, 3, 3] must have rank 4 ([M, C/group, kH, kW]) for input [1, 3, 4, 4]",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3)));
        assertEquals("conv: weight [6, 2, 3, 3] has 6 output channels, which group 4 does not divide",
                error(Ops.CONV, Attrs.of("group", 4), Tensor.zeros(1, 8, 4, 4), Tensor.zeros(6, 2, 3, 3)));
        assertEquals("conv: bias must have shape [8] (one per output channel), got [3]",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3, 3), Tensor.zeros(3)));
        assertEquals("conv: pads [1, 1] must have 4 entries (begin and end for each of 2 spatial axes)",
                error(Ops.CONV, Attrs.of("pads", ints(1, 1)), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3, 3)));
        assertEquals("conv: strides [0, 1] must be positive",
                error(Ops.CONV, Attrs.of("strides", ints(0, 1)), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3, 3)));
        assertEquals("conv: give either pads or auto_pad SAME_UPPER, not both",
                error(Ops.CONV, Attrs.of("pads", ints(1, 1, 1, 1), "auto_pad", "SAME_UPPER"), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3, 3)));
        assertEquals("conv: auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, got \"same\"",
                error(Ops.CONV, Attrs.of("auto_pad", "same"), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 3, 3, 3)));
        assertEquals("conv: inputs have different dtypes, float32[1, 3, 4, 4] and float64[8, 3, 3, 3]",
                error(Ops.CONV, Attrs.NONE, Tensor.zeros(1, 3, 4, 4), Tensor.zeros(DType.FLOAT64, 8, 3, 3, 3)));

        assertEquals("conv_transpose: input [1, 3, 4, 4] has 3 channels, weight [8, 2, 3, 3] expects 8",
                error(Ops.CONV_TRANSPOSE, Attrs.NONE, Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 2, 3, 3)));
        assertEquals("conv_transpose: output_padding [2, 0] must be at least 0 and smaller than strides [2, 2]",
                error(Ops.CONV_TRANSPOSE, Attrs.of("strides", ints(2, 2), "output_padding", ints(2, 0)), Tensor.zeros(1, 8, 4, 4), Tensor.zeros(8, 2, 3, 3)));
        assertEquals("conv_transpose: input [1, 8, 1, 1] with kernel [3, 3], strides [1, 1] and pads [2, 2, 2, 2] gives an empty output",
                error(Ops.CONV_TRANSPOSE, Attrs.of("pads", ints(2, 2, 2, 2)), Tensor.zeros(1, 8, 1, 1), Tensor.zeros(8, 2, 3, 3)));
        assertEquals("conv_weight_grad: gradient [1, 8, 3, 3] does not match the conv output [1, 8, 2, 2] of input [1, 3, 4, 4] and kernel [3, 3]",
                error(Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", ints(3, 3)), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(1, 8, 3, 3)));
        assertEquals("conv_weight_grad: gradient [8, 2, 2] must have the rank of input [1, 3, 4, 4]",
                error(Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", ints(3, 3)), Tensor.zeros(1, 3, 4, 4), Tensor.zeros(8, 2, 2)));
    }

    @Test
    void weightGradientByHand() {
        Tensor dw = run(Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", ints(2, 2), "group", 2), Tensor.ones(1, 4, 3, 3), Tensor.ones(1, 6, 2, 2));
        assertEquals(Shape.of(6, 2, 2, 2), dw.shape());
        // All-ones input and gradient: each weight is summed over the 2x2 output positions.
        for (float v : dw.f32()) assertEquals(4f, v);
    }
}
