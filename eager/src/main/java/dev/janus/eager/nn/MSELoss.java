package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Mean squared error, (input - target)^2 per element, as nn.MSELoss; input and target have one shape. */
public final class MSELoss extends NNLoss {
    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
