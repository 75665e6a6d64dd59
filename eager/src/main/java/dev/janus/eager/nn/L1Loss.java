package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Mean absolute error, |input - target| per element, as nn.L1Loss; input and target have one shape. */
public final class L1Loss extends NNLoss {
    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.l1Loss(input, target, reduction);
    }
}
