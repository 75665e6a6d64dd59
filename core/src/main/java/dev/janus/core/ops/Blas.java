package dev.janus.core.ops;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Matrix products on OpenBLAS (the BLAS that ND4J's CPU backend ships). Tensors live in Java arrays,
 * so operands are copied into native scratch buffers that each thread keeps and reuses: no native
 * allocation per call, and a bounded, known amount of native memory ({@link #scratchBytes()}).
 */
final class Blas {
    private static final int ROW_MAJOR = openblas.CblasRowMajor, NO_TRANS = openblas.CblasNoTrans,
            TRANS = openblas.CblasTrans;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final java.util.concurrent.atomic.AtomicLong SCRATCH_BYTES = new java.util.concurrent.atomic.AtomicLong();

    private Blas() {
    }

    /** Native bytes held by all threads' scratch buffers. */
    static long scratchBytes() {
        return SCRATCH_BYTES.get();
    }

    private static final int[] ORIGIN = {0};

    /** C = op(A) op(B) (+ C when {@code accumulate}) for whole arrays A (M×K after op), B, C. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c, boolean accumulate) {
        sgemm(1, transA, transB, m, n, k, a, ORIGIN, b, ORIGIN, c, ORIGIN, accumulate);
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double[] a, double[] b, double[] c, boolean accumulate) {
        dgemm(1, transA, transB, m, n, k, a, ORIGIN, b, ORIGIN, c, ORIGIN, accumulate);
    }

    /**
     * For each of {@code batch} products: C_i = op(A_i) op(B_i) (+ C_i when {@code accumulate}),
     * with A_i at aOff[i] (M×K after op), B_i at bOff[i] (K×N after op), C_i at cOff[i] (M×N).
     */
    static void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int[] aOff, float[] b, int[] bOff, float[] c, int[] cOff, boolean accumulate) {
        Scratch s = SCRATCH.get();
        FloatPointer pa = s.floats(0, a.length), pb = s.floats(1, b.length), pc = s.floats(2, c.length);
        pa.position(0).put(a, 0, a.length);
        pb.position(0).put(b, 0, b.length);
        if (accumulate) pc.position(0).put(c, 0, c.length);
        int lda = transA ? m : k, ldb = transB ? k : n;
        try {
            for (int i = 0; i < batch; i++) {
                openblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f,
                        pa.position(aOff[i]), lda, pb.position(bOff[i]), ldb, accumulate ? 1f : 0f, pc.position(cOff[i]), n);
            }
            pc.position(0).get(c, 0, c.length);
        } finally {
            pa.position(0);
            pb.position(0);
            pc.position(0);
        }
    }

    static void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int[] aOff, double[] b, int[] bOff, double[] c, int[] cOff, boolean accumulate) {
        Scratch s = SCRATCH.get();
        DoublePointer pa = s.doubles(0, a.length), pb = s.doubles(1, b.length), pc = s.doubles(2, c.length);
        pa.position(0).put(a, 0, a.length);
        pb.position(0).put(b, 0, b.length);
        if (accumulate) pc.position(0).put(c, 0, c.length);
        int lda = transA ? m : k, ldb = transB ? k : n;
        try {
            for (int i = 0; i < batch; i++) {
                openblas.cblas_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1.0,
                        pa.position(aOff[i]), lda, pb.position(bOff[i]), ldb, accumulate ? 1.0 : 0.0, pc.position(cOff[i]), n);
            }
            pc.position(0).get(c, 0, c.length);
        } finally {
            pa.position(0);
            pb.position(0);
            pc.position(0);
        }
    }

    /** sgemm or dgemm by the arrays' type (float[] or double[]), for kernels written once for both. */
    static void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     Object a, int[] aOff, Object b, int[] bOff, Object c, int[] cOff, boolean accumulate) {
        if (a instanceof float[]) sgemm(batch, transA, transB, m, n, k, (float[]) a, aOff, (float[]) b, bOff, (float[]) c, cOff, accumulate);
        else dgemm(batch, transA, transB, m, n, k, (double[]) a, aOff, (double[]) b, bOff, (double[]) c, cOff, accumulate);
    }

    /** Offsets 0, step, 2 step, ... for the batched entries. */
    static int[] offsets(int count, int step) {
        int[] o = new int[count];
        for (int i = 0; i < count; i++) o[i] = i * step;
        return o;
    }

    /** Three float and three double native buffers per thread, grown to the largest size seen. */
    private static final class Scratch {
        private final FloatPointer[] f = new FloatPointer[3];
        private final DoublePointer[] d = new DoublePointer[3];

        FloatPointer floats(int slot, int length) {
            if (f[slot] == null || f[slot].capacity() < length) {
                if (f[slot] != null) {
                    SCRATCH_BYTES.addAndGet(-4L * f[slot].capacity());
                    f[slot].close();
                }
                long cap = Math.max(1024, Long.highestOneBit(Math.max(1, length) - 1L) << 1);
                f[slot] = new FloatPointer(cap);
                SCRATCH_BYTES.addAndGet(4L * cap);
            }
            return f[slot];
        }

        DoublePointer doubles(int slot, int length) {
            if (d[slot] == null || d[slot].capacity() < length) {
                if (d[slot] != null) {
                    SCRATCH_BYTES.addAndGet(-8L * d[slot].capacity());
                    d[slot].close();
                }
                long cap = Math.max(1024, Long.highestOneBit(Math.max(1, length) - 1L) << 1);
                d[slot] = new DoublePointer(cap);
                SCRATCH_BYTES.addAndGet(8L * cap);
            }
            return d[slot];
        }
    }
}
