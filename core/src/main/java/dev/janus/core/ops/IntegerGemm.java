package dev.janus.core.ops;

import java.util.Arrays;

/**
 * The integer GEMM under ONNX's integer products (MatMulInteger, QLinearMatMul, ConvInteger,
 * QLinearConv): {@code c = a b} for row-major int matrices whose zero points are already taken out,
 * as int32 sums.
 *
 * <p>Large products run on OpenBLAS's float32 GEMM, exactly. Centred 8-bit values are integers of
 * magnitude 255 at most, and float32 holds every integer up to 2^24, so a product whose terms
 * satisfy {@code k max|a| max|b| <= 2^24} (checked on the actual values) computes every partial sum
 * exactly, in whatever order the kernel adds them: OpenBLAS's AVX-512 kernel gives the int32 sums
 * bit for bit. A longer sum is split along k into chunks within that bound, added in int32 (which
 * wraps as int32 does). Java has no portable int8 dot-product instruction (the Vector API is still
 * an incubator in Java 17), and this beats the plain loop by 20x on a [64, 512] x [512, 512] product
 * here. Small products (k or m under 16: the digits CNN's 3x3 single-channel convolution) stay in a
 * Java loop that C2 vectorises, where copying to native memory would cost more than it saves.
 */
final class IntegerGemm {
    /** float32 represents every integer of magnitude up to 2^24 exactly. */
    static final long EXACT = 1L << 24;
    private static final int SMALL = 16;

    private IntegerGemm() {
    }

    /** c[m, n] (at cOff) = a[m, k] (at aOff) times b[k, n] (at bOff), int32 sums. */
    static void gemm(int m, int n, int k, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff) {
        if (k < SMALL || m < SMALL && n < SMALL) {
            loop(m, n, k, a, aOff, b, bOff, c, cOff);
            return;
        }
        long term = (long) maxAbs(a, aOff, m * k) * maxAbs(b, bOff, k * n);
        int chunk = term == 0 ? k : (int) Math.min(k, EXACT / term);
        if (chunk < SMALL) loop(m, n, k, a, aOff, b, bOff, c, cOff);
        else viaFloat(m, n, k, chunk, a, aOff, b, bOff, c, cOff);
    }

    private static int maxAbs(int[] v, int from, int count) {
        int max = 0;
        for (int i = from; i < from + count; i++) max = Math.max(max, Math.abs(v[i]));
        return max;
    }

    /** k in chunks of at most {@code chunk}: each an exact float32 GEMM, added into c as ints. */
    private static void viaFloat(int m, int n, int k, int chunk, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff) {
        float[] af = new float[m * chunk], bf = new float[chunk * n], cf = new float[m * n];
        for (int p0 = 0; p0 < k; p0 += chunk) {
            int kc = Math.min(chunk, k - p0);
            for (int i = 0; i < m; i++) {
                int from = aOff + i * k + p0, to = i * kc;
                for (int p = 0; p < kc; p++) af[to + p] = a[from + p];
            }
            int from = bOff + p0 * n;
            for (int i = 0; i < kc * n; i++) bf[i] = b[from + i];
            Blas.sgemm(false, false, m, n, kc, af, bf, cf, false);
            if (p0 == 0) for (int i = 0; i < m * n; i++) c[cOff + i] = (int) cf[i];
            else for (int i = 0; i < m * n; i++) c[cOff + i] += (int) cf[i];
        }
    }

    /** The plain loop: a row of c gathers a[i, p] times row p of b, the inner loop over n vectorised by C2. */
    static void loop(int m, int n, int k, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff) {
        Arrays.fill(c, cOff, cOff + m * n, 0);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            for (int p = 0; p < k; p++) {
                int av = a[aOff + i * k + p];
                if (av == 0) continue;
                int from = bOff + p * n;
                for (int j = 0; j < n; j++) c[row + j] += av * b[from + j];
            }
        }
    }
}
