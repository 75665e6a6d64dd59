package dev.janus.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guard of the tests that need a GPU: on a machine without one they skip, and the reason is
 * printed once (one line) so a CI log says why the GPU checks did not run.
 */
final class GpuOnly {
    private static volatile boolean told;

    private GpuOnly() {
    }

    static void require() {
        if (!Cuda.isAvailable() && !told) {
            told = true;
            System.err.println("CUDA tests skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        }
        assumeTrue(Cuda.isAvailable(), () -> "no CUDA device: " + Cuda.unavailableReason());
    }
}
