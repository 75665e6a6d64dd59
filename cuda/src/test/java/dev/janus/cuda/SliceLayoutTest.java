package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Kernels;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Without a GPU: the offset and strides the slice and slice_scatter kernels index with pick the
 * elements the CPU's slice picks (on a tensor whose values are their own positions), negative
 * starts and steps and clamped ends included.
 */
class SliceLayoutTest {
    private static void samePositions(int[] dims, Attrs attrs) {
        int n = 1;
        for (int d : dims) n *= d;
        double[] positions = new double[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        Tensor x = Tensor.of(positions, dims);
        Tensor y = Ops.SLICE.run(new ExecContext(new Generator(0)), attrs, x)[0];
        int[] at = Kernels.sliceLayout(x.shape(), attrs, "slice"), outDims = y.shape().dims();
        for (int i = 0; i < y.numel(); i++) {
            long o = at[0], rest = i;
            for (int k = outDims.length - 1; k >= 0; k--) {
                o += (rest % outDims[k]) * at[1 + k];
                rest /= outDims[k];
            }
            assertEquals(y.readDouble(i), o, "element " + i + " of the slice " + attrs);
        }
    }

    @Test
    void theKernelsLayoutPicksTheCpuSlicesElements() {
        samePositions(new int[] {4, 5}, Attrs.of("starts", new int[] {1, 0}, "ends", new int[] {3, 5}));
        samePositions(new int[] {4, 5}, Attrs.of("starts", new int[] {-1}, "ends", new int[] {-100}, "axes", new int[] {1}, "steps", new int[] {-2}));
        samePositions(new int[] {3, 4, 5}, Attrs.of("starts", new int[] {0, 3, 1}, "ends", new int[] {99, 0, 4}, "axes", new int[] {2, 1, 0},
                "steps", new int[] {2, -1, 1}));
    }
}
