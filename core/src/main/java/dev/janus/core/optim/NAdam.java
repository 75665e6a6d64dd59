package dev.janus.core.optim;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * NAdam (Dozat: Adam with Nesterov momentum) as torch.optim.NAdam computes it: with
 * mu_t = b1 (1 - 0.5 * 0.96^(t psi)) and their running product P_t, m = lerp(m, g, 1 - b1),
 * v = b2 v + (1 - b2) g g, d = sqrt(v / (1 - b2^t)) + eps, then
 * p -= lr (1 - mu_t) / (1 - P_t) g / d + lr mu_{t+1} / (1 - P_t mu_{t+1}) m / d.
 * Keras's Nadam is the same rule with the momentum decay psi = 1 (Keras writes 0.96^t), which is
 * how {@code Optimizers.get("nadam")} makes it. A weight decay here is the L2 kind.
 */
public final class NAdam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay, momentumDecay;
    /** The running product of mu up to {@link #productStep}, kept so that step t costs one multiplication. */
    private double product = 1;
    private long productStep;

    /** PyTorch's {@code NAdam(params)}: lr 2e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, momentum decay 4e-3. */
    public NAdam(List<? extends Tensor> params) {
        this(params, 2e-3);
    }

    /** PyTorch's {@code NAdam(params, lr)}. */
    public NAdam(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, 4e-3);
    }

    /** PyTorch's {@code NAdam(params, lr, betas=(beta1, beta2), eps, weight_decay, momentum_decay)}. */
    public NAdam(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) {
        this(lr, beta1, beta2, eps, weightDecay, momentumDecay);
        attach(params);
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay, momentum decay 4e-3. */
    public NAdam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0, 4e-3);
    }

    public NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) {
        super(lr);
        check(name(), "beta1", beta1, 0, 1 - 1e-12);
        check(name(), "beta2", beta2, 0, 1 - 1e-12);
        check(name(), "eps", eps, 0, Double.MAX_VALUE);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        check(name(), "momentum decay", momentumDecay, 0, Double.MAX_VALUE);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentumDecay = momentumDecay;
    }

    @Override
    public String name() {
        return "nadam";
    }

    @Override
    public List<String> stateNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public List<String> scalarNames() {
        return List.of("grad_step", "momentum_step", "bias_correction2");
    }

    private double mu(long t) {
        return beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
    }

    /** The product of mu_1 .. mu_t; computed afresh when t is not the step after the last one (a resumed run). */
    private synchronized double product(long t) {
        if (t != productStep && t != productStep + 1) {
            product = 1;
            productStep = 0;
        }
        while (productStep < t) product *= mu(++productStep);
        return product;
    }

    @Override
    public double[] scalars(long t) {
        double mu = mu(t), muNext = mu(t + 1), p = product(t);
        return new double[] {-lr() * (1 - mu) / (1 - p), -lr() * muNext / (1 - p * muNext), 1 - Math.pow(beta2, t)};
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V m = e.add(state.get(0), e.mul(e.sub(g, state.get(0)), 1 - beta1));
        V v = e.add(e.mul(state.get(1), beta2), e.mul(e.mul(g, 1 - beta2), g));
        V denom = e.add(e.sqrt(e.div(v, s.get(2))), eps);
        V next = e.add(e.add(p, e.mul(s.get(0), e.div(g, denom))), e.mul(s.get(1), e.div(m, denom)));
        return Arrays.asList(next, m, v);
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay, "momentum_decay", momentumDecay);
    }
}
