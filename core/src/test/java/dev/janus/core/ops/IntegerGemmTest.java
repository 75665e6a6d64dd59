package dev.janus.core.ops;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The integer GEMM's float32 path gives the plain int32 loop's sums exactly, chunking k where float32 would round. */
class IntegerGemmTest {
    private static int[] values(Random r, int n, int max) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(2 * max + 1) - max;
        return v;
    }

    private static void same(int m, int n, int k, int[] a, int[] b) {
        int[] want = new int[m * n + 3], got = new int[m * n + 3];
        IntegerGemm.loop(m, n, k, a, 0, b, 0, want, 3);
        IntegerGemm.gemm(m, n, k, a, 0, b, 0, got, 3);
        assertArrayEquals(want, got, m + " x " + n + " x " + k);
    }

    @Test
    void floatPathIsExact() {
        Random r = new Random(7);
        // uint8 minus a zero point times symmetric int8 weights; a shape of each kind: small (the loop), large, odd.
        for (int[] s : new int[][] {{4, 64, 9}, {64, 512, 512}, {17, 33, 100}, {30, 16, 16}}) {
            same(s[0], s[1], s[2], values(r, s[0] * s[2], 255), values(r, s[2] * s[1], 127));
        }
    }

    /**
     * Values of magnitude 200 to 255 over k = 600: the sums reach 25 to 39 million, past 2^24, where
     * one float32 GEMM over all of k rounds odd sums; in chunks of 258 it stays exact.
     */
    @Test
    void longSumsAreChunkedWhereFloat32WouldRound() {
        Random r = new Random(8);
        int m = 20, n = 24, k = 600;
        int[] a = new int[m * k], b = new int[k * n];
        for (int i = 0; i < a.length; i++) a[i] = 200 + r.nextInt(56);
        for (int i = 0; i < b.length; i++) b[i] = -(200 + r.nextInt(56));
        same(m, n, k, a, b);
        // The point of the chunks: the same product in one float32 GEMM is off somewhere.
        float[] af = new float[m * k], bf = new float[k * n], cf = new float[m * n];
        for (int i = 0; i < af.length; i++) af[i] = a[i];
        for (int i = 0; i < bf.length; i++) bf[i] = b[i];
        Blas.sgemm(false, false, m, n, k, af, bf, cf, false);
        int[] exact = new int[m * n];
        IntegerGemm.loop(m, n, k, a, 0, b, 0, exact, 0);
        boolean off = false;
        for (int i = 0; i < exact.length; i++) off |= (long) cf[i] != exact[i];
        assertTrue(off, "one float32 GEMM happened to be exact; the test needs larger sums");
    }

    @Test
    void zerosAndEmptyShapes() {
        same(3, 20, 40, new int[120], values(new Random(9), 800, 127));
        IntegerGemm.gemm(0, 5, 5, new int[0], 0, new int[25], 0, new int[0], 0);
        int[] c = {9, 9, 9, 9};
        IntegerGemm.gemm(2, 2, 0, new int[0], 0, new int[0], 0, c, 0);
        assertArrayEquals(new int[4], c);
    }
}
