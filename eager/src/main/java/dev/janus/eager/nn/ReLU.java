package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Rectified linear unit: max(x, 0). */
public final class ReLU extends NNModule {
    @Override
    public Tensor forward(Tensor x) {
        return F.relu(x);
    }
}
