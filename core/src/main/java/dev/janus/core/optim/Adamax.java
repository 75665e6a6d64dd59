package dev.janus.core.optim;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adamax (Kingma and Ba, section 7.1: Adam with the infinity norm), as torch.optim.Adamax:
 * m = lerp(m, g, 1 - b1), u = max(b2 u, |g| + eps), p -= lr / (1 - b1^t) m / u. Keras's Adamax puts
 * epsilon after the maximum instead, u = max(b2 u, |g|), p -= lr / (1 - b1^t) m / (u + eps):
 * {@code epsAfterMax} chooses that form ({@code Optimizers.get("adamax")}). A weight decay here is
 * the L2 kind.
 */
public final class Adamax extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean epsAfterMax;

    /** PyTorch's {@code Adamax(params)}: lr 2e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adamax(List<? extends Tensor> params) {
        this(params, 2e-3);
    }

    /** PyTorch's {@code Adamax(params, lr)}. */
    public Adamax(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    /** PyTorch's {@code Adamax(params, lr, betas=(beta1, beta2), eps, weight_decay)}: epsilon inside the maximum, as PyTorch. */
    public Adamax(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay, false);
        attach(params);
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adamax(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adamax(double lr, double beta1, double beta2, double eps, double weightDecay, boolean epsAfterMax) {
        super(lr);
        check(name(), "beta1", beta1, 0, 1 - 1e-12);
        check(name(), "beta2", beta2, 0, 1);
        check(name(), "eps", eps, 0, Double.MAX_VALUE);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.epsAfterMax = epsAfterMax;
    }

    @Override
    public String name() {
        return "adamax";
    }

    @Override
    public List<String> stateNames() {
        return List.of("exp_avg", "exp_inf");
    }

    @Override
    public List<String> scalarNames() {
        return List.of("step_size");
    }

    @Override
    public double[] scalars(long t) {
        return new double[] {-lr() / (1 - Math.pow(beta1, t))};
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V m = e.add(state.get(0), e.mul(e.sub(g, state.get(0)), 1 - beta1));
        V abs = e.one(Ops.ABS, Attrs.NONE, List.of(g));
        V u = e.one(Ops.MAXIMUM, Attrs.NONE, List.of(e.mul(state.get(1), beta2), epsAfterMax ? abs : e.add(abs, eps)));
        V next = e.add(p, e.mul(s.get(0), e.div(m, epsAfterMax ? e.add(u, eps) : u)));
        return Arrays.asList(next, m, u);
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay, "eps_after_max", epsAfterMax ? 1 : 0);
    }
}
