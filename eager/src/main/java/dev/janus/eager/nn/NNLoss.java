package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/** A loss function of a prediction and a target, as PyTorch's loss modules; it has no parameters. */
public abstract class NNLoss {
    protected final Reduction reduction;

    protected NNLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    public abstract Tensor forward(Tensor input, Tensor target);

    public Reduction reduction() {
        return reduction;
    }

    protected String extraRepr() {
        return reduction == Reduction.MEAN ? "" : "reduction='" + reduction.attr() + "'";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + extraRepr() + ")";
    }
}
