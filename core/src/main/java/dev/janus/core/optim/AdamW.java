package dev.janus.core.optim;

import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam with the weight decay decoupled from the gradient,
 * p = p (1 - lr wd) before the Adam step, as torch.optim.AdamW (default wd 0.01).
 */
public final class AdamW extends Adam {
    private final double decay;

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
