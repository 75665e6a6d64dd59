package dev.janus.core.ops;

import dev.janus.core.Tensor;

/**
 * Code that computes an op on tensors of one storage kind. Every {@link Op} is the kernel for heap
 * storage itself ({@link Op#compute}); kernels for other kinds are registered with {@link Kernels}.
 * The contract is {@link Op#compute}'s: write every element of every output, never change an input,
 * and for elementwise ops work when an output is one of the inputs.
 */
@FunctionalInterface
public interface Kernel {
    void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx);
}
