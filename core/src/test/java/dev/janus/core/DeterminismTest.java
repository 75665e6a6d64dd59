package dev.janus.core;

import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deterministic mode pins the BLAS threads: a 784-512-512-10 network's final weights once
 * differed between OMP_NUM_THREADS=1 and 2 (its first product, [32, 784] by [784, 512], differs in
 * 13,018 of 16,384 values on two threads on this project's machine).
 */
@Tag("reliability")
class DeterminismTest {
    private static float[] firstLayer() {
        Tensor x = Tensor.randn(new Generator(1), 32, 784), w = Tensor.randn(new Generator(2), 784, 512);
        return Ops.MATMUL.run(new ExecContext(new Generator(0)), Attrs.NONE, x, w)[0].toFloatArray();
    }

    @Test
    void theDeterministicModeComputesOnOneBlasThreadWhateverTheSettingWas() {
        int before = CpuThreads.blasThreads();
        try {
            CpuThreads.setBlasThreads(1);
            float[] oneThread = firstLayer();
            CpuThreads.setBlasThreads(2);
            Determinism.useDeterministicAlgorithms(true);
            assertTrue(Determinism.areDeterministicAlgorithmsEnabled());
            assertEquals(1, CpuThreads.blasThreads());
            assertArrayEquals(oneThread, firstLayer(), "bit for bit the one-thread product");
            Determinism.useDeterministicAlgorithms(false);
            assertFalse(Determinism.areDeterministicAlgorithmsEnabled());
            assertEquals(2, CpuThreads.blasThreads(), "the setting from before is back");
        } finally {
            Determinism.useDeterministicAlgorithms(false);
            CpuThreads.setBlasThreads(before);
        }
    }
}
