package dev.janus.benchmarks;

import dev.janus.core.Tensor;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNModule;

import java.util.Map;
import java.util.function.Supplier;

/**
 * An eager training loop for the benchmarks: PyTorch's step (zero the gradients, forward, cross
 * entropy, backward, update) on batches in turn, the module and its optimizer starting again every
 * {@code length} steps, as every peer does.
 */
final class EagerRun {
    private final NNModule module;
    private final Map<String, Tensor> start;
    private final Supplier<EagerOptimizer> optimizer;
    private final CrossEntropyLoss lossFn = new CrossEntropyLoss();
    private final int length;
    private EagerOptimizer opt;
    private int steps;

    EagerRun(NNModule module, Supplier<EagerOptimizer> optimizer, int length) {
        this.module = module;
        this.start = module.stateDict();
        this.optimizer = optimizer;
        this.length = length;
        this.opt = optimizer.get();
    }

    /** One step on batch {@code (steps mod batches)} of x and y; returns the loss. */
    double step(Tensor[] x, Tensor[] y) {
        if (steps == length) {
            module.loadStateDict(start);
            opt = optimizer.get();
            steps = 0;
        }
        int b = steps++ % x.length;
        opt.zeroGrad();
        Tensor loss = lossFn.forward(module.forward(x[b]), y[b]);
        loss.backward();
        opt.step();
        return loss.item();
    }
}
