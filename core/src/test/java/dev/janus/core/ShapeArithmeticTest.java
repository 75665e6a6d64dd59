package dev.janus.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shape arithmetic near the overflow edge, against exact big-integer products: every element count,
 * partial product and stride is either exact or a clear ShapeException, never wrapped round.
 */
@Tag("reliability")
class ShapeArithmeticTest {
    private static final BigInteger LIMIT = BigInteger.valueOf(Shape.MAX_ELEMENTS);

    /** A dimension drawn to land products near 2^31 and 2^64: powers of two, their neighbours, 0 and 1. */
    private static int dim(Generator rng) {
        switch (rng.nextInt(6)) {
            case 0: return rng.nextInt(3);
            case 1: return 1 << rng.nextInt(31);
            case 2: return (1 << (8 + rng.nextInt(23))) - 1 + rng.nextInt(3);
            case 3: return Integer.MAX_VALUE - rng.nextInt(16);
            case 4: return 65536;
            default: return 1 + rng.nextInt(100_000);
        }
    }

    private static BigInteger exact(int[] dims, int from, int to) {
        BigInteger n = BigInteger.ONE;
        for (int i = from; i < to; i++) n = n.multiply(BigInteger.valueOf(dims[i]));
        return n;
    }

    @Test
    void sizesPartialProductsAndStridesAreExactOrRefused() {
        Generator rng = new Generator(11);
        int fits = 0, refused = 0;
        for (int c = 0; c < 20_000; c++) {
            int[] dims = new int[1 + rng.nextInt(6)];
            for (int i = 0; i < dims.length; i++) dims[i] = dim(rng);
            Shape s = Shape.of(dims);
            BigInteger n = exact(dims, 0, dims.length);
            if (n.compareTo(LIMIT) <= 0) {
                assertEquals(n.intValueExact(), s.size(), s::toString);
                fits++;
            } else {
                assertThrows(ShapeException.class, s::size, s::toString);
                refused++;
            }
            int from = rng.nextInt(dims.length + 1), to = from + rng.nextInt(dims.length - from + 1);
            BigInteger part = exact(dims, from, to);
            if (part.compareTo(LIMIT) <= 0) assertEquals(part.intValueExact(), s.size(from, to));
            else assertThrows(ShapeException.class, () -> s.size(from, to));

            boolean stridesFit = n.signum() == 0 || exact(dims, 1, dims.length).compareTo(LIMIT) <= 0;
            if (stridesFit && n.signum() != 0) {
                int[] st = s.strides();
                for (int i = 0; i < dims.length; i++) assertEquals(exact(dims, i + 1, dims.length).intValueExact(), st[i]);
            } else if (!stridesFit) {
                assertThrows(ShapeException.class, s::strides, s::toString);
            }
        }
        assertTrue(fits > 1000 && refused > 1000, fits + " fit, " + refused + " refused");
    }

    @Test
    void theReportedCasesAreRefused() {
        Shape wraps = Shape.of(65536, 65536, 65536, 65536);   // 2^64 elements: 0 in a long
        ShapeException e = assertThrows(ShapeException.class, wraps::size);
        assertTrue(e.getMessage().contains("[65536, 65536, 65536, 65536]"), e.getMessage());
        assertThrows(ShapeException.class, () -> Tensor.zeros(65536, 65536, 65536, 65536));
        assertThrows(ShapeException.class, wraps::strides);
        assertThrows(ShapeException.class, () -> wraps.size(1, 4));
        assertThrows(ShapeException.class, () -> Shape.of(-1, 65536, 65536).requireFits("expand"));
        assertEquals(Shape.of(-1, 65536, 4), Shape.of(-1, 65536, 4).requireFits("expand"));
        assertEquals(0, Shape.of(0, 65536, 65536, 65536, 65536).size());
        assertArrayEquals(new int[] {12, 4, 1}, Shape.of(0, 3, 4).strides());
    }
}
