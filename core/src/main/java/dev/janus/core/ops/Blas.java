package dev.janus.core.ops;

import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.NativeStorage;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.global.openblas_full;

/**
 * Matrix products on OpenBLAS (0.3.31, a pthreads build). An operand in native storage
 * ({@link NativeStorage}) is handed to OpenBLAS where it lies, with no copy; one in a Java array is
 * copied into a native scratch buffer that each thread keeps and reuses (no native allocation per
 * call, and a bounded, known amount of native memory: {@link #scratchBytes()}), and a Java-array
 * result is copied back.
 *
 * <p>Threads are chosen per call by size ({@link #threadsFor}): OpenBLAS's second thread makes small
 * products slower, large ones up to twice as fast. OpenBLAS rounds some products differently with a
 * different thread count, so {@link CpuThreads#setBlasThreads} can pin the count (a deterministic mode
 * does); the choice by size is itself a function of the shapes, so runs repeat either way.
 */
final class Blas {
    private static final int ROW_MAJOR = openblas.CblasRowMajor, NO_TRANS = openblas.CblasNoTrans,
            TRANS = openblas.CblasTrans;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final java.util.concurrent.atomic.AtomicLong SCRATCH_BYTES = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Floating-point operations of one product below which it runs on one thread, and per thread
     * above: on this machine two threads start to win at about 2^23 flops, 256 x 128 x 128
     * ({@code BlasThreadsBenchmark} with OMP_NUM_THREADS=2; its quiet-machine run is in
     * benchmarks/RESULTS.md "CPU backend" once taken).
     */
    static final long FLOPS_PER_THREAD = 1L << 23;
    private static volatile int current = -1;

    private Blas() {
    }

    /** Native bytes held by all threads' scratch buffers. */
    static long scratchBytes() {
        return SCRATCH_BYTES.get();
    }

    private static final int[] ORIGIN = {0};

    /** C = op(A) op(B) (+ C when {@code accumulate}) for whole arrays A (M×K after op), B, C. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c, boolean accumulate) {
        gemm(1, transA, transB, m, n, k, a, ORIGIN, b, ORIGIN, c, ORIGIN, accumulate);
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double[] a, double[] b, double[] c, boolean accumulate) {
        gemm(1, transA, transB, m, n, k, a, ORIGIN, b, ORIGIN, c, ORIGIN, accumulate);
    }

    static void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int[] aOff, float[] b, int[] bOff, float[] c, int[] cOff, boolean accumulate) {
        gemm(batch, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    static void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int[] aOff, double[] b, int[] bOff, double[] c, int[] cOff, boolean accumulate) {
        gemm(batch, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /**
     * For each of {@code batch} products: C_i = op(A_i) op(B_i) (+ C_i when {@code accumulate}),
     * with A_i at element aOff[i] of A (M×K after op), B_i at bOff[i] (K×N after op), C_i at cOff[i]
     * (M×N). Each operand is a float[] or double[] (copied through scratch) or a {@link NativeStorage}
     * of the same dtype (used in place), in any mix.
     */
    static void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     Object a, int[] aOff, Object b, int[] bOff, Object c, int[] cOff, boolean accumulate) {
        boolean single = a instanceof float[] || a instanceof NativeStorage && ((NativeStorage) a).dtype() == dev.janus.core.DType.FLOAT32;
        Scratch s = SCRATCH.get();
        Pointer pa = operand(s, 0, a, single, true), pb = operand(s, 1, b, single, true), pc = operand(s, 2, c, single, accumulate);
        long base = pa.position(), baseB = pb.position(), baseC = pc.position();
        int lda = transA ? m : k, ldb = transB ? k : n;
        int ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
        useThreads(threadsFor(m, n, k));
        try {
            for (int i = 0; i < batch; i++) {
                pa.position(base + aOff[i]);
                pb.position(baseB + bOff[i]);
                pc.position(baseC + cOff[i]);
                if (single) {
                    openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, 1f, (FloatPointer) pa, lda, (FloatPointer) pb, ldb,
                            accumulate ? 1f : 0f, (FloatPointer) pc, n);
                } else {
                    openblas.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, (DoublePointer) pa, lda, (DoublePointer) pb, ldb,
                            accumulate ? 1.0 : 0.0, (DoublePointer) pc, n);
                }
            }
            if (!(c instanceof NativeStorage)) {
                pc.position(0);
                if (single) ((FloatPointer) pc).get((float[]) c, 0, ((float[]) c).length);
                else ((DoublePointer) pc).get((double[]) c, 0, ((double[]) c).length);
            }
        } finally {
            pa.position(0);
            pb.position(0);
            pc.position(0);
        }
    }

    /** A tensor as a {@link #gemm} operand: its native storage, or its heap array. */
    static Object operand(dev.janus.core.Tensor t) {
        return t.storage() instanceof NativeStorage ? t.storage() : t.heapArray();
    }

    /** A native operand where it lies, or a Java array copied (when {@code copyIn}) into scratch slot {@code slot}. */
    private static Pointer operand(Scratch s, int slot, Object x, boolean single, boolean copyIn) {
        if (x instanceof NativeStorage) {
            NativeStorage ns = (NativeStorage) x;
            return single ? ns.floatPointer(0) : ns.doublePointer(0);
        }
        if (single) {
            float[] f = (float[]) x;
            FloatPointer p = s.floats(slot, f.length);
            if (copyIn) p.position(0).put(f, 0, f.length);
            return p.position(0);
        }
        double[] d = (double[]) x;
        DoublePointer p = s.doubles(slot, d.length);
        if (copyIn) p.position(0).put(d, 0, d.length);
        return p.position(0);
    }

    /** How many threads OpenBLAS uses for one M×N×K product (see {@link #FLOPS_PER_THREAD}). */
    static int threadsFor(long m, long n, long k) {
        // A part of a kernel already split among threads (a chunk of a convolution) keeps to its own.
        if (CpuThreads.inPart()) return 1;
        int fixed = CpuThreads.blasThreads();
        if (fixed > 0) return fixed;
        long flops = 2 * m * n * k;
        return (int) Math.max(1, Math.min(CpuThreads.threads(), flops / FLOPS_PER_THREAD));
    }

    // openblas_set_num_threads is process-wide and cheap (about 20 ns); called only on a change.
    private static void useThreads(int t) {
        if (t == current) return;
        FullLibrary.setThreads(t);
        current = t;
    }

    /** OpenBLAS's thread control lives in the preset's "full" binding, loaded on the first product. */
    private static final class FullLibrary {
        static {
            org.bytedeco.javacpp.Loader.load(openblas_full.class);
        }

        static void setThreads(int t) {
            openblas_full.openblas_set_num_threads(t);
        }
    }

    /** The kernel OpenBLAS chose for this CPU ("SkylakeX", "Haswell", ...; OPENBLAS_CORETYPE overrides it). */
    static String coreName() {
        FullLibrary.setThreads(current > 0 ? current : CpuThreads.threads());
        return openblas_full.openblas_get_corename().getString();
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
