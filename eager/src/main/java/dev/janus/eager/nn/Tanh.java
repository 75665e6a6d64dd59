package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** The hyperbolic tangent. */
public final class Tanh extends NNModule {
    @Override
    public Tensor forward(Tensor x) {
        return F.tanh(x);
    }
}
