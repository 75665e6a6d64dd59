package dev.janus.spark;

import dev.janus.core.Tensor;
import dev.janus.eager.nn.NNModule;

import java.io.Serializable;

/**
 * The user's training step for an eager module: the mean loss of a batch, to differentiate, as in a
 * PyTorch loop body; for example {@code (m, x, y) -> new CrossEntropyLoss().forward(m.forward(x), y)}.
 * Zeroing the gradients, backward, combining the workers' gradients and the optimizer step are done
 * around it.
 */
@FunctionalInterface
public interface EagerTrainingStep extends Serializable {
    Tensor loss(NNModule model, Tensor x, Tensor y);
}
