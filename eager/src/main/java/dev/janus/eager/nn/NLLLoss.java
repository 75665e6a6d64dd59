package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** Negative log-likelihood of log-probabilities [N, C] (a LogSoftmax output) at int64 class labels [N], as nn.NLLLoss. */
public final class NLLLoss extends NNLoss {
    public NLLLoss() {
        this(Reduction.MEAN);
    }

    public NLLLoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.nllLoss(input, target, reduction);
    }
}
