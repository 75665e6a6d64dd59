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
 * <p>Large products: Janus splits a product among threads into blocks of whole output rows or
 * columns, each a one-thread OpenBLAS product. With the count chosen by size (not pinned above 1
 * by {@link CpuThreads#setBlasThreads}, which benchmarks do and which may cut parts small enough to
 * round differently), in float32 each element is then summed as in the whole product (on this
 * project's machine: {@code BlasSplitTest}, and CNN and MLP training steps give the same bits on
 * one thread and two); in float64 SkylakeX's kernel rounds an odd element
 * differently. The deterministic mode pins every product to one part: results then repeat on any
 * machine whose OpenBLAS picks the same kernels (the same CPU type, or the same
 * {@code OPENBLAS_CORETYPE}), at the cost of the products' parallel speed.
 */
public final class Determinism {
    private static boolean enabled;
    private static int blasBefore;

    private Determinism() {
    }

    /**
     * Switches the deterministic mode on (every BLAS product whole, on one thread) or off (the BLAS
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
