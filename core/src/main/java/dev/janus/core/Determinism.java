package dev.janus.core;

import dev.janus.core.backend.CpuThreads;

/**
 * What repeats bit for bit, and the switch that makes more of it repeat, as PyTorch's
 * {@code torch.use_deterministic_algorithms}.
 *
 * <p>Always: one seed (the model's or {@link Generator#manualSeed}) makes a run repeat bit for bit
 * on the same machine, in the same JVM or another. Janus's own kernels split their outputs among
 * threads, never the order of a sum ({@link CpuThreads}), so their results do not depend on the
 * thread count; one model called from many threads gives each caller its serial result.
 *
 * <p>What varies is OpenBLAS: with another thread count it splits some products differently (a
 * [32, 784] by [784, 512] product, a 784-512-512-10 network's first layer at batch 32, differs in
 * 13,018 of its 16,384 values between one thread and two on this project's machine), and Janus
 * chooses each product's count from its size and the cores ({@code OMP_NUM_THREADS}), so final
 * weights can differ between machines and settings. The deterministic mode pins every product to
 * one thread: results then repeat on any machine whose OpenBLAS picks the same kernels (the same
 * CPU type, or the same {@code OPENBLAS_CORETYPE}), at the cost of the BLAS's parallel speed.
 */
public final class Determinism {
    private static boolean enabled;
    private static int blasBefore;

    private Determinism() {
    }

    /**
     * Switches the deterministic mode on (every BLAS product on one thread) or off (the BLAS
     * setting from before). Process-wide: call it at start-up, before other threads compute.
     */
    public static synchronized void useDeterministicAlgorithms(boolean on) {
        if (on == enabled) return;
        if (on) {
            blasBefore = CpuThreads.blasThreads();
            CpuThreads.setBlasThreads(1);
        } else {
            CpuThreads.setBlasThreads(blasBefore);
        }
        enabled = on;
    }

    public static synchronized boolean areDeterministicAlgorithmsEnabled() {
        return enabled;
    }
}
