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
 * <p>OpenBLAS itself always runs on one thread. A large product is split by Janus's own pool
 * ({@link CpuThreads}) into blocks of whole output rows or columns, each a one-thread product, the
 * count chosen per call by size ({@link #threadsFor}) or pinned by {@link CpuThreads#setBlasThreads}.
 * Why not OpenBLAS's threads: after each threaded call they spin (about 0.1 s) waiting for the next,
 * so on a 2-core machine they took a core from the pool's parts (a CIFAR-size CNN step spent 60-80
 * ms of CPU per step in OpenBLAS's idle thread and gained nothing from the second core), and the two
 * pools never know about each other. Blocks start at multiples of {@link #BLOCK}, and every part
 * stays above OpenBLAS's small-product paths, so each element is summed by the same kernel in the
 * same order as in the whole product: float32 results do not depend on the split (BlasSplitTest;
 * float64 ones may differ in the last bit, as with OpenBLAS's own threads). The exception is a count
 * pinned above 1 ({@link CpuThreads#setBlasThreads}, for benchmarks): it splits products of any size,
 * so a part may fall on a small-product path and round differently from the whole product.
 */
final class Blas {
    private static final int ROW_MAJOR = openblas.CblasRowMajor, NO_TRANS = openblas.CblasNoTrans,
            TRANS = openblas.CblasTrans;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final java.util.concurrent.atomic.AtomicLong SCRATCH_BYTES = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Floating-point operations per part of a split product, at least: 2^24, 2 x 256 x 128 x 256.
     * Two threads start to win at about 2^23 flops ({@code BlasThreadsBenchmark} with
     * OMP_NUM_THREADS=2); a part must also do more than OpenBLAS's direct path for small products
     * takes (M N K below 28 x 512 x 512 on SkylakeX), which sums in another order than the blocked
     * kernel of the whole product.
     */
    static final long FLOPS_PER_THREAD = 1L << 24;
    /** Rows or columns per block of a split product: a multiple of every kernel's unrolling. */
    static final int BLOCK = 64;

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
        oneThread(m, n, k);
        int parts = threadsFor(m, n, k);
        try {
            for (int i = 0; i < batch; i++) {
                pa.position(base + aOff[i]);
                pb.position(baseB + bOff[i]);
                pc.position(baseC + cOff[i]);
                if (parts == 1) {
                    product(single, ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, accumulate);
                } else {
                    split(parts, single, transA, transB, ta, tb, m, n, k, pa, lda, pb, ldb, pc, accumulate);
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

    /** One product on OpenBLAS (one thread), each operand at its pointer's position. */
    private static void product(boolean single, int ta, int tb, int m, int n, int k, Pointer a, int lda, Pointer b, int ldb,
                                Pointer c, int ldc, boolean accumulate) {
        if (single) {
            openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, 1f, (FloatPointer) a, lda, (FloatPointer) b, ldb,
                    accumulate ? 1f : 0f, (FloatPointer) c, ldc);
        } else {
            openblas.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, (DoublePointer) a, lda, (DoublePointer) b, ldb,
                    accumulate ? 1.0 : 0.0, (DoublePointer) c, ldc);
        }
    }

    /**
     * One product in {@code parts} parts on the pool, along C's longer side: blocks of {@link #BLOCK}
     * rows (each reads its rows of A and all of B) or columns (its columns of B, all of A).
     */
    private static void split(int parts, boolean single, boolean transA, boolean transB, int ta, int tb, int m, int n, int k,
                              Pointer a, int lda, Pointer b, int ldb, Pointer c, boolean accumulate) {
        boolean rows = m >= n;
        int side = rows ? m : n;
        long a0 = a.position(), b0 = b.position(), c0 = c.position();
        CpuThreads.parallelFor(parts, 1, (from, to) -> {
            for (int q = from; q < to; q++) {
                int lo = partStart(q, parts, side), len = partStart(q + 1, parts, side) - lo;
                Pointer pa = view(single, a, a0 + (rows ? (transA ? lo : (long) lo * lda) : 0));
                Pointer pb = view(single, b, b0 + (rows ? 0 : (transB ? (long) lo * ldb : lo)));
                Pointer pc = view(single, c, c0 + (rows ? (long) lo * n : lo));
                product(single, ta, tb, rows ? len : m, rows ? n : len, k, pa, lda, pb, ldb, pc, n, accumulate);
            }
        });
    }

    /** Where part q of {@code parts} starts along a side of {@code side} rows or columns: whole blocks. */
    static int partStart(int q, int parts, int side) {
        return (int) Math.min(side, (long) blocks(side) * q / parts * BLOCK);
    }

    /** How many {@link #BLOCK}s cover a side, the last one possibly short. */
    private static int blocks(int side) {
        return (side + BLOCK - 1) / BLOCK;
    }

    /** A pointer of its own (a part's thread moves it) to element {@code at} of p's memory. */
    private static Pointer view(boolean single, Pointer p, long at) {
        return single ? new FloatPointer(p).position(at) : new DoublePointer(p).position(at);
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

    /** Into how many parts (threads) one M×N×K product is split (see {@link #FLOPS_PER_THREAD}). */
    static int threadsFor(long m, long n, long k) {
        // A part of a kernel already split among threads (a chunk of a convolution) keeps to its own.
        if (CpuThreads.inPart()) return 1;
        int fixed = CpuThreads.blasThreads();
        int side = (int) Math.max(m, n);
        if (fixed > 0) return Math.min(fixed, blocks(side));
        long other = Math.min(m, n);
        // A thin product (OpenBLAS runs one with a side of 1 as a matrix-vector product) is bound by
        // memory, not worth a split.
        if (other < 16) return 1;
        for (int parts = Math.min(CpuThreads.threads(), blocks(side)); parts > 1; parts--) {
            int smallest = side;
            for (int q = 0; q < parts; q++) smallest = Math.min(smallest, partStart(q + 1, parts, side) - partStart(q, parts, side));
            if (2 * smallest * other * k >= FLOPS_PER_THREAD) return parts;
        }
        return 1;
    }

    /**
     * Keeps OpenBLAS on one thread. Its count is process-wide and others set it too: ND4J sets it
     * from OMP_NUM_THREADS when it starts, which can come after Janus's first product. So it is
     * read (about 20 ns) before every product that OpenBLAS could thread, those of at least 2^18
     * multiply-adds; smaller ones run on the caller's thread in OpenBLAS whatever its count.
     */
    private static void oneThread(long m, long n, long k) {
        if (m * n * k >= 1L << 18 && FullLibrary.threads() != 1) FullLibrary.setThreads(1);
    }

    /** OpenBLAS's thread control lives in the preset's "full" binding, loaded on the first product. */
    static final class FullLibrary {
        static {
            org.bytedeco.javacpp.Loader.load(openblas_full.class);
        }

        static int threads() {
            return openblas_full.openblas_get_num_threads();
        }

        static void setThreads(int t) {
            openblas_full.openblas_set_num_threads(t);
        }
    }

    /** The kernel OpenBLAS chose for this CPU ("SkylakeX", "Haswell", ...; OPENBLAS_CORETYPE overrides it). */
    static String coreName() {
        FullLibrary.setThreads(1);
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
