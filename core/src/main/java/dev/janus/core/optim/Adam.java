package dev.janus.core.optim;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba), as torch.optim.Adam computes it: m = lerp(m, g, 1 - b1),
 * v = b2 v + (1 - b2) g g, p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps). A weight decay here is
 * the L2 kind (added to the gradient); {@link AdamW} decouples it.
 */
public class Adam extends Optimizer {
    protected final double beta1, beta2, eps, weightDecay;

    /** PyTorch's {@code Adam(params)}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<? extends Tensor> params) {
        this(params, 1e-3);
    }

    /** PyTorch's {@code Adam(params, lr)}. */
    public Adam(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    /** PyTorch's {@code Adam(params, lr, betas=(beta1, beta2), eps, weight_decay)}. */
    public Adam(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay);
        attach(params);
    }

    /** The update rule alone, for a Keras model's compile. */
    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr);
        check(name(), "beta1", beta1, 0, 1 - 1e-12);
        check(name(), "beta2", beta2, 0, 1 - 1e-12);
        check(name(), "eps", eps, 0, Double.MAX_VALUE);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public List<String> stateNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public List<String> scalarNames() {
        return List.of("step_size", "bias_correction2_sqrt", "decay");
    }

    @Override
    public double[] scalars(long t) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        return new double[] {lr() / bc1, Math.sqrt(bc2), 1 - lr() * decoupledDecay()};
    }

    /** Weight decay applied to the parameter itself before the step (AdamW); 0 for Adam. */
    protected double decoupledDecay() {
        return 0;
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        V stepSize = s.get(0), bc2Sqrt = s.get(1);
        if (decoupledDecay() > 0) p = e.mul(p, s.get(2));
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V m = e.add(state.get(0), e.mul(e.sub(g, state.get(0)), 1 - beta1));
        V v = e.add(e.mul(state.get(1), beta2), e.mul(e.mul(g, 1 - beta2), g));
        V denom = e.add(e.div(e.sqrt(v), bc2Sqrt), eps);
        V next = e.add(p, e.div(e.mul(e.neg(stepSize), m), denom));
        return Arrays.asList(next, m, v);
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay);
    }
}
