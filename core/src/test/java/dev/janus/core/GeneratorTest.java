package dev.janus.core;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    @Test
    void sameSeedSameBits() {
        Tensor a = Tensor.randn(new Generator(42), 1000), b = Tensor.randn(new Generator(42), 1000);
        assertArrayEquals(a.f32(), b.f32());
        assertFalse(Arrays.equals(a.f32(), Tensor.randn(new Generator(43), 1000).f32()));
        assertArrayEquals(Tensor.rand(new Generator(1), 50).f32(), Tensor.rand(new Generator(1), 50).f32());
    }

    @Test
    void knownFirstValuesPinTheAlgorithm() {
        // xoshiro256** seeded by SplitMix64: a change of algorithm would silently change every
        // seeded run, so the first outputs for seed 0 are fixed here.
        // (Values from an independent Python implementation of both algorithms.)
        Generator g = new Generator(0);
        assertEquals(0x99EC5F36CB75F2B4L, g.nextLong());
        assertEquals(0xBF6E1F784956452AL, g.nextLong());
    }

    @Test
    void distributionsHaveTheRightMoments() {
        Generator g = new Generator(5);
        int n = 200_000;
        double sum = 0, sq = 0, usum = 0;
        for (int i = 0; i < n; i++) {
            double z = g.nextGaussian();
            sum += z;
            sq += z * z;
            double u = g.nextFloat();
            assertTrue(u >= 0 && u < 1);
            usum += u;
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sq / n, 0.01);
        assertEquals(0.5, usum / n, 0.005);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[g.nextInt(7)]++;
        for (int c : counts) assertEquals(10_000, c, 400);
    }

    @Test
    void stateRestoresTheSequence() {
        Generator g = new Generator(9);
        g.nextGaussian();
        long[] state = g.state();
        double next = g.nextGaussian(), after = g.nextGaussian();
        Generator h = new Generator(0);
        h.setState(state);
        assertEquals(next, h.nextGaussian());
        assertEquals(after, h.nextGaussian());
        Generator c = g.copy();
        assertEquals(g.nextLong(), c.nextLong());
        assertThrows(JanusException.class, () -> h.setState(new long[3]));
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = new Generator(3).permutation(100);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(p, new Generator(3).permutation(100));
    }
}
