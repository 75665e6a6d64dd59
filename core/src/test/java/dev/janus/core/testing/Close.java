package dev.janus.core.testing;

import dev.janus.core.Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Elementwise comparison with |actual - expected| <= atol + rtol |expected|; NaNs must match. */
public final class Close {
    private Close() {
    }

    public static void assertClose(double[] expected, Tensor actual, double rtol, double atol) {
        assertEquals(expected.length, actual.numel(), "element count of " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            check(expected[i], actual.readDouble(i), rtol, atol, "element " + i + " of " + actual.shape());
        }
    }

    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (int i = 0; i < expected.numel(); i++) {
            check(expected.readDouble(i), actual.readDouble(i), rtol, atol, "element " + i + " of " + actual.shape());
        }
    }

    public static void check(double expected, double actual, double rtol, double atol, String where) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            if (!(Double.isNaN(expected) && Double.isNaN(actual))) fail(where + ": expected " + expected + ", got " + actual);
            return;
        }
        if (expected == actual) return;
        if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
            fail(where + ": expected " + expected + ", got " + actual + " (diff " + Math.abs(actual - expected) + ")");
        }
    }

    /** Largest |a - b| / max(|b|, floor) over all elements. */
    public static double maxRelError(Tensor a, Tensor b, double floor) {
        double worst = 0;
        for (int i = 0; i < a.numel(); i++) {
            worst = Math.max(worst, Math.abs(a.readDouble(i) - b.readDouble(i)) / Math.max(Math.abs(b.readDouble(i)), floor));
        }
        return worst;
    }
}
