package dev.janus.core.ops;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
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

    @Test
    void aMillionSmallOpsLeaveLiveMemoryFlat() {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, 16, 64), b = Tensor.randn(g, 16, 64), x = Tensor.randn(g, 16, 4), w = Tensor.randn(g, 4, 64);
        Immediate e = Immediate.global();
        iterate(e, a, b, x, w, 10_000);
        Live base = new Live();
        double sink = 0;
        for (int round = 0; round < 10; round++) {
            sink += iterate(e, a, b, x, w, 20_000);
            Live now = new Live();
            assertTrue(now.heap <= base.heap + HEAP_SLACK,
                    "round " + round + ": live heap grew from " + base.heap + " to " + now.heap + " bytes");
            assertEquals(base.nativeBytes, now.nativeBytes, "round " + round + ": native bytes tracked by JavaCPP");
            assertEquals(base.nativeCount, now.nativeCount, "round " + round + ": native pointers tracked by JavaCPP");
            assertEquals(base.scratch, now.scratch, "round " + round + ": BLAS scratch bytes");
        }
        assertTrue(sink > 0);
    }
}
