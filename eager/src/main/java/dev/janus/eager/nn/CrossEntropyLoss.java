package dev.janus.eager.nn;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

/**
 * Cross entropy of logits [N, C] against int64 class labels [N], with optional label smoothing, as
 * nn.CrossEntropyLoss: log-softmax and negative log-likelihood in one stable op.
 */
public final class CrossEntropyLoss extends NNLoss {
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0);
    }

    public CrossEntropyLoss(Reduction reduction) {
        this(reduction, 0);
    }

    public CrossEntropyLoss(Reduction reduction, double labelSmoothing) {
        super(reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new JanusException("CrossEntropyLoss: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, reduction, labelSmoothing);
    }

    @Override
    protected String extraRepr() {
        String r = super.extraRepr();
        if (labelSmoothing == 0) return r;
        return (r.isEmpty() ? "" : r + ", ") + "label_smoothing=" + labelSmoothing;
    }
}
