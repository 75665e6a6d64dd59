package dev.janus.core.ops;

import dev.janus.core.backend.StorageKind;

/**
 * The op set's kernels for native storage ({@link StorageKind#NATIVE}), registered when
 * {@link Kernels} loads:
 * <ul>
 *   <li>matrix products (matmul, linear): the ops' own kernels, which hand native operands to
 *       OpenBLAS where they lie ({@link Blas});</li>
 *   <li>exp and softmax on large tensors: ND4J's own ops, which beat Janus's kernels there
 *       ({@link Nd4jKernel}; the other ops ND4J has lose to Janus's, measured);</li>
 *   <li>elementwise ops: their heap kernels tile by tile, on up to all threads
 *       ({@link TiledElementwise});</li>
 *   <li>float32 reductions over consecutive axes with columns inside them (bias gradients): the
 *       input read row by row, in the heap kernel's order ({@code Reduction.nativeKernel});</li>
 *   <li>every other op: its heap kernel on heap copies ({@link Staged}). These ops either do far more
 *       work than the copy (convolutions, recurrent layers, pooling, normalisation) or are copies
 *       themselves (shape ops); the reductions and softmax pay one extra pass.</li>
 * </ul>
 * Ops outside the set (a backend's, a user's) still take the logged host fallback.
 */
final class NativeKernels {
    private NativeKernels() {
    }

    static void register() {
        StorageKind kind = StorageKind.NATIVE;
        for (Op op : Ops.all()) {
            if (op == Ops.MATMUL || op == Ops.LINEAR) Kernels.register(op, kind, op);
            else if (op == Ops.EXP) Kernels.register(op, kind, Nd4jKernel.exp(new TiledElementwise(op)));
            else if (op == Ops.SOFTMAX) Kernels.register(op, kind, Nd4jKernel.softmax(new Staged(op)));
            else if (op.isElementwise()) Kernels.register(op, kind, new TiledElementwise(op));
            else if (op instanceof Reduce.Reduction) Kernels.register(op, kind, ((Reduce.Reduction) op).nativeKernel());
            else Kernels.register(op, kind, new Staged(op));
        }
    }
}
