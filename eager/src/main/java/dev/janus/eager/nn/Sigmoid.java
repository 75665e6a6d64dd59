package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** 1 / (1 + exp(-x)). */
public final class Sigmoid extends NNModule {
    @Override
    public Tensor forward(Tensor x) {
        return F.sigmoid(x);
    }
}
