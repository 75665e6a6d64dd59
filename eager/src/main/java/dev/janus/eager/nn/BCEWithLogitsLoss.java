package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Binary cross entropy of logits against targets in [0, 1], sigmoid included and computed stably, as nn.BCEWithLogitsLoss. */
public final class BCEWithLogitsLoss extends NNLoss {
    public BCEWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    public BCEWithLogitsLoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, reduction);
    }
}
