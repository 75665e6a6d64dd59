package dev.janus.core.optim;

import dev.janus.core.Tensor;

import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam with the weight decay decoupled from the gradient,
 * p = p (1 - lr wd) before the Adam step, as torch.optim.AdamW (default wd 0.01).
 */
public final class AdamW extends Adam {
    private final double decay;

    /** PyTorch's {@code AdamW(params)}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<? extends Tensor> params) {
        this(params, 1e-3);
    }

    /** PyTorch's {@code AdamW(params, lr)}. */
    public AdamW(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    /** PyTorch's {@code AdamW(params, lr, betas=(beta1, beta2), eps, weight_decay)}. */
    public AdamW(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay);
        attach(params);
    }

    /** The update rule alone, for a Keras model's compile. */
    public AdamW(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0.01);
    }

    public AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr, beta1, beta2, eps, 0);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        this.decay = weightDecay;
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    protected double decoupledDecay() {
        return decay;
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", decay);
    }
}
