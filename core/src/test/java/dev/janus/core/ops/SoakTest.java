package dev.janus.core.ops;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.NativeStorage;
import dev.janus.core.backend.StorageKind;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million small ops, results dropped at once: the live heap after collection, JavaCPP's tracked
 * native memory and the BLAS scratch must not grow (a plain ND4J loop piles up off-heap arrays in
 * its deallocator; Janus tensors are garbage-collected Java arrays). Measures memory, not time.
 */
class SoakTest {
    private static final long HEAP_SLACK = 32L << 20;

    private static final class Live {
        final long heap, nativeBytes, nativeCount, scratch;

        Live() {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heap = rt.totalMemory() - rt.freeMemory();
            nativeBytes = Pointer.totalBytes();
            nativeCount = Pointer.totalCount();
            scratch = Blas.scratchBytes();
        }
    }

    /** Five ops per iteration on [16, 64]-sized tensors, as in a tiny MLP step. */
    private static double iterate(Immediate e, Tensor a, Tensor b, Tensor x, Tensor w, int n) {
        double sink = 0;
        for (int i = 0; i < n; i++) {
            Tensor r = e.one(Ops.RELU, Attrs.NONE, java.util.List.of(e.add(a, b)));
            Tensor m = e.matmul(x, w, false, false);
            Tensor s = e.softmax(e.add(r, m), -1);
            sink += s.f32()[i & 1023];
        }
        return sink;
    }

    /**
     * JavaCPP's counts once the collector has run and its deallocator thread has freed what died:
     * collected until they reach {@code base}, or stop falling.
     */
    private static long[] settledNative(long[] base) {
        long[] now = {Pointer.totalBytes(), Pointer.totalCount()}, last = null;
        for (int i = 0; i < 300; i++) {
            if (now[0] <= base[0] && now[1] <= base[1]) break;
            if (last != null && last[0] == now[0] && last[1] == now[1] && i > 20) break;
            last = now;
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = new long[] {Pointer.totalBytes(), Pointer.totalCount()};
        }
        return now;
    }

    /**
     * About 100,000 ops on native tensors of mixed sizes (1K to 64K elements; products,
     * elementwise ops, reductions), results dropped at once: no native memory or pointer is left
     * behind, and native memory stays bounded while they run (JavaCPP counts it, and its limit makes
     * the collector free what died). Not a million as on the heap: each native allocation costs
     * JavaCPP a read of the process's memory size, and a million such ops took about a minute.
     */
    @Test
    void mixedSizeOpsOnNativeStorageLeaveNativeMemoryFlat() {
        Generator g = new Generator(2);
        StorageKind n = StorageKind.NATIVE;
        Tensor[] a = {Tensor.randn(g, 16, 64).to(n), Tensor.randn(g, 64, 256).to(n), Tensor.randn(g, 128, 512).to(n)};
        Tensor[] w = {Tensor.randn(g, 64, 64).to(n), Tensor.randn(g, 256, 256).to(n), Tensor.randn(g, 512, 512).to(n)};
        Immediate e = Immediate.global();
        Rounds round = (iterations, peak) -> {
            double sink = 0;
            for (int i = 0; i < iterations; i++) {
                peak[0] = Math.max(peak[0], Pointer.totalBytes());
                int k = i % 128 == 127 ? 2 : i % 16 == 15 ? 1 : 0;
                Tensor y = e.matmul(a[k], w[k], false, false);
                Tensor r = e.one(Ops.RELU, Attrs.NONE, java.util.List.of(e.add(y, a[k])));
                sink += e.sum(r, new int[] {0}, false).readDouble(0);
            }
            return sink;
        };
        long limit = NativeStorage.memoryLimit();
        double sink = round.applyAsDouble(2_000);
        long[] base = settledNative(new long[] {0, 0});
        NativeStorage.setMemoryLimit(base[0] + (64L << 20));
        long[] peak = {0};
        try {
            for (int r = 0; r < 6; r++) {
                sink += round.applyAsDouble(4_000, peak);      // 4 ops each: 16,000 ops a round
                long[] now = settledNative(base);
                assertTrue(now[0] <= base[0], "round " + r + ": native bytes tracked by JavaCPP grew from " + base[0] + " to " + now[0]);
                assertTrue(now[1] <= base[1], "round " + r + ": native pointers tracked by JavaCPP grew from " + base[1] + " to " + now[1]);
            }
        } finally {
            NativeStorage.setMemoryLimit(limit);
        }
        // The limit holds give or take the storages of one iteration (a few MB).
        assertTrue(peak[0] - base[0] < 80L << 20, "native memory stayed bounded while running: peak " + (peak[0] - base[0]) + " bytes");
        assertTrue(sink != 0);
    }

    private interface Rounds {
        double applyAsDouble(int iterations, long[] peak);

        default double applyAsDouble(int iterations) {
            return applyAsDouble(iterations, new long[1]);
        }
    }

    @Test
    void aMillionSmallOpsLeaveLiveMemoryFlat() {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, 16, 64), b = Tensor.randn(g, 16, 64), x = Tensor.randn(g, 16, 4), w = Tensor.randn(g, 4, 64);
        Immediate e = Immediate.global();
        iterate(e, a, b, x, w, 10_000);
        settledNative(new long[] {0, 0});   // what other tests left behind, freed first
        Live base = new Live();
        double sink = 0;
        for (int round = 0; round < 10; round++) {
            sink += iterate(e, a, b, x, w, 20_000);
            Live now = new Live();
            assertTrue(now.heap <= base.heap + HEAP_SLACK,
                    "round " + round + ": live heap grew from " + base.heap + " to " + now.heap + " bytes");
            assertTrue(now.nativeBytes <= base.nativeBytes, "round " + round + ": native bytes tracked by JavaCPP grew from "
                    + base.nativeBytes + " to " + now.nativeBytes);
            assertTrue(now.nativeCount <= base.nativeCount, "round " + round + ": native pointers tracked by JavaCPP grew from "
                    + base.nativeCount + " to " + now.nativeCount);
            assertEquals(base.scratch, now.scratch, "round " + round + ": BLAS scratch bytes");
        }
        assertTrue(sink > 0);
    }
}
