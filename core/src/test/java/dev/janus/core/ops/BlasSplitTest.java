package dev.janus.core.ops;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A large product split by Janus's pool into blocks of output rows or columns (each a one-thread
 * OpenBLAS product) gives the whole product's bits, for every transposition, accumulating or not,
 * with sides that are and are not multiples of the block, in float32 and float64.
 */
class BlasSplitTest {
    private final int threads = CpuThreads.threads(), blasThreads = CpuThreads.blasThreads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
        CpuThreads.setBlasThreads(blasThreads);
    }

    private static float[] floats(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static float[] product(int threads, boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float[] c0,
                                   boolean accumulate) {
        CpuThreads.setThreads(threads);
        float[] c = c0.clone();
        Blas.sgemm(ta, tb, m, n, k, a, b, c, accumulate);
        return c;
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA {3} transB {4}")
    @CsvSource({
            "1024, 512, 784, false, false", "784, 512, 1024, true, false", "1024, 784, 512, false, true",
            "256, 512, 512, false, false", "512, 512, 256, true, false", "256, 512, 512, false, true",
            "64, 128, 4096, false, false", "4096, 128, 64, true, false", "64, 4096, 128, false, true",
            "1000, 300, 129, false, false", "130, 1000, 150, true, true", "200, 333, 400, true, true"})
    void aSplitProductHasTheWholeProductsBits(int m, int n, int k, boolean ta, boolean tb) {
        Random r = new Random(m * 31L + n * 7L + k);
        float[] a = floats(r, m * k), b = floats(r, k * n), c = floats(r, m * n);
        CpuThreads.setBlasThreads(0);
        CpuThreads.setThreads(2);
        assertEquals(2, Blas.threadsFor(m, n, k), "the product is split in two");
        float[] whole = product(1, ta, tb, m, n, k, a, b, c, true), split = product(2, ta, tb, m, n, k, a, b, c, true);
        assertArrayEquals(whole, split);
        // Not accumulating (beta 0) too, where OpenBLAS has a direct path for small products.
        float[] fresh = product(2, ta, tb, m, n, k, a, b, new float[m * n], false);
        assertArrayEquals(product(1, ta, tb, m, n, k, a, b, new float[m * n], false), fresh);
        // Checked against sums in double: the blocks' offsets are right, not only the same twice.
        for (int i = 0; i < m; i += 37) {
            for (int j = 0; j < n; j += 29) {
                double s = 0;
                for (int l = 0; l < k; l++) s += (double) a[ta ? l * m + i : i * k + l] * b[tb ? j * k + l : l * n + j];
                assertEquals(s, fresh[i * n + j], 1e-4 * Math.sqrt(k) * 4, "C[" + i + ", " + j + "]");
                assertEquals(s + c[i * n + j], split[i * n + j], 1e-4 * Math.sqrt(k) * 4, "C[" + i + ", " + j + "] + C0");
            }
        }
    }

    /**
     * Native operands split as heap ones do (the same bits). float64 products split too, and match
     * the whole product within rounding: SkylakeX's dgemm kernel does not keep every element's sum
     * order across a split (one value of 182,000 differed in its last bit), as OpenBLAS's own
     * threads did not either.
     */
    @Test
    void nativeAndFloat64OperandsSplitToo() {
        CpuThreads.setBlasThreads(0);
        CpuThreads.setThreads(2);
        assertEquals(2, Blas.threadsFor(700, 260, 300));
        for (dev.janus.core.DType dtype : new dev.janus.core.DType[] {dev.janus.core.DType.FLOAT32, dev.janus.core.DType.FLOAT64}) {
            Tensor x = Tensor.randn(new Generator(1), 700, 300).to(dtype), w = Tensor.randn(new Generator(2), 300, 260).to(dtype);
            CpuThreads.setThreads(1);
            Tensor want = Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE, x, w)[0];
            for (StorageKind kind : new StorageKind[] {StorageKind.HEAP, StorageKind.NATIVE}) {
                CpuThreads.setThreads(2);
                Tensor two = Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE, x.to(kind), w.to(kind))[0];
                double tol = dtype == dev.janus.core.DType.FLOAT64 ? 1e-13 : 0;
                Close.assertClose(want, two, tol, tol);
            }
        }
    }

    /** Each entry of a batched product is split as a single product is, with the whole product's bits. */
    @Test
    void aBatchedProductSplitsEachEntry() {
        CpuThreads.setBlasThreads(0);
        CpuThreads.setThreads(2);
        assertEquals(2, Blas.threadsFor(512, 256, 300), "each entry is split in two");
        Tensor x = Tensor.randn(new Generator(44), 3, 512, 300), w = Tensor.randn(new Generator(45), 3, 300, 256);
        for (StorageKind kind : new StorageKind[] {StorageKind.HEAP, StorageKind.NATIVE}) {
            CpuThreads.setThreads(1);
            Tensor whole = Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE, x.to(kind), w.to(kind))[0];
            CpuThreads.setThreads(2);
            Tensor split = Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE, x.to(kind), w.to(kind))[0];
            assertArrayEquals(whole.toFloatArray(), split.toFloatArray(), kind.toString());
            // and each entry is its own product: entry 2 against a product of entry 2 alone
            CpuThreads.setThreads(1);
            Tensor alone = Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE,
                    Tensor.of(java.util.Arrays.copyOfRange(x.toFloatArray(), 2 * 512 * 300, 3 * 512 * 300), 512, 300),
                    Tensor.of(java.util.Arrays.copyOfRange(w.toFloatArray(), 2 * 300 * 256, 3 * 300 * 256), 300, 256))[0];
            assertArrayEquals(alone.toFloatArray(), java.util.Arrays.copyOfRange(split.toFloatArray(), 2 * 512 * 256, 3 * 512 * 256));
        }
    }

    /** ND4J sets OpenBLAS's process-wide count from OMP_NUM_THREADS when it starts; products set it back. */
    @Test
    void openBlasIsBackOnOneThreadAfterSomeoneElseSetItsCount() {
        Blas.FullLibrary.setThreads(2);
        float[] a = new float[128 * 128], c = new float[128 * 128];
        Blas.sgemm(false, false, 128, 128, 128, a, a, c, false);
        assertEquals(1, Blas.FullLibrary.threads());
    }

    @Test
    void smallProductsAndPartsOfSplitKernelsStayWhole() {
        CpuThreads.setBlasThreads(0);
        CpuThreads.setThreads(2);
        assertEquals(1, Blas.threadsFor(256, 128, 128), "2^23 flops: below a part's least work");
        assertEquals(1, Blas.threadsFor(32, 512, 784), "parts of 256 columns would be too small");
        assertEquals(1, Blas.threadsFor(100000, 1, 1000), "one column");
        int[] inPart = new int[2];
        int minPartWork = CpuThreads.minPartWork();
        CpuThreads.setMinPartWork(1);
        try {
            CpuThreads.parallelFor(2, 1, (from, to) -> inPart[from] = Blas.threadsFor(1024, 1024, 1024));
        } finally {
            CpuThreads.setMinPartWork(minPartWork);
        }
        assertArrayEquals(new int[] {1, 1}, inPart, "a part of a split kernel keeps its product on its thread");
        CpuThreads.setBlasThreads(3);
        assertEquals(2, Blas.threadsFor(100, 100, 1000), "a pinned count, at most one part per block");
    }
}
