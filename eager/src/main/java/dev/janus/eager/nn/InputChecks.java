package dev.janus.eager.nn;

import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;

/**
 * The layer-level input checks: each failure names the module as it prints, the input it expected
 * and the shape it got, before any op runs.
 */
final class InputChecks {
    private static final String[] SPATIAL_1D = {"L"}, SPATIAL_2D = {"H", "W"};

    private InputChecks() {
    }

    static ShapeException wrong(NNModule m, String expected, Tensor x) {
        return new ShapeException(m + ": expected input " + expected + ", got " + x.shape());
    }

    /** The input's float type must be the weights'. */
    static void sameDType(NNModule m, Tensor x, Tensor weight) {
        if (x.dtype() != weight.dtype()) {
            throw new ShapeException(m + ": the input is " + x.dtype() + " but the weights are " + weight.dtype());
        }
    }

    /**
     * An image batch [N, C, *spatial] with {@code channels} channels (-1: any) and each spatial size
     * at least {@code min} (the kernel or window after padding).
     */
    static void image(NNModule m, Tensor x, int channels, int[] min) {
        String[] names = min.length == 1 ? SPATIAL_1D : SPATIAL_2D;
        String layout = "[N, " + (channels < 0 ? "C" : Integer.toString(channels)) + ", " + String.join(", ", names) + "]";
        if (x.rank() != min.length + 2 || (channels >= 0 && x.dim(1) != channels)) throw wrong(m, layout, x);
        StringBuilder sizes = new StringBuilder();
        boolean small = false;
        for (int i = 0; i < min.length; i++) {
            sizes.append(i == 0 ? " with " : " and ").append(names[i]).append(" >= ").append(Math.max(min[i], 1));
            small |= x.dim(2 + i) < min[i];
        }
        if (small) throw wrong(m, layout + sizes, x);
    }
}
