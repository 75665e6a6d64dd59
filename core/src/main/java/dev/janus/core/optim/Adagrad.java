package dev.janus.core.optim;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi et al.) as torch.optim.Adagrad: the sum of squared gradients starts at
 * {@code initialAccumulator}, s += g g, p -= lr / (1 + (t - 1) lrDecay) g / (sqrt(s) + eps).
 * Keras's Adagrad takes epsilon inside the root, p -= lr g / sqrt(s + eps): {@code epsInsideSqrt}
 * chooses that form ({@code Optimizers.get("adagrad")}, which also starts the sum at 0.1). A weight
 * decay here is the L2 kind.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay, weightDecay, initialAccumulator, eps;
    private final boolean epsInsideSqrt;

    /** PyTorch's {@code Adagrad(params)}: lr 1e-2, no learning-rate decay or weight decay, the sum starting at 0, eps 1e-10. */
    public Adagrad(List<? extends Tensor> params) {
        this(params, 1e-2);
    }

    /** PyTorch's {@code Adagrad(params, lr)}. */
    public Adagrad(List<? extends Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    /** PyTorch's {@code Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value, eps)}: epsilon outside the root, as PyTorch. */
    public Adagrad(List<? extends Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        this(lr, lrDecay, weightDecay, initialAccumulator, eps, false);
        attach(params);
    }

    /** PyTorch's defaults: no learning-rate decay or weight decay, the sum starting at 0, eps 1e-10. */
    public Adagrad(double lr) {
        this(lr, 0, 0, 0, 1e-10, false);
    }

    public Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps, boolean epsInsideSqrt) {
        super(lr);
        check(name(), "learning rate decay", lrDecay, 0, Double.MAX_VALUE);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        check(name(), "initial accumulator value", initialAccumulator, 0, Double.MAX_VALUE);
        check(name(), "eps", eps, 0, Double.MAX_VALUE);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulator = initialAccumulator;
        this.eps = eps;
        this.epsInsideSqrt = epsInsideSqrt;
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    public List<String> stateNames() {
        return List.of("sum");
    }

    @Override
    public double initialState(int k) {
        return initialAccumulator;
    }

    @Override
    public List<String> scalarNames() {
        return List.of("step_size");
    }

    @Override
    public double[] scalars(long t) {
        return new double[] {-lr() / (1 + (t - 1) * lrDecay)};
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V sum = e.add(state.get(0), e.mul(g, g));
        V std = epsInsideSqrt ? e.sqrt(e.add(sum, eps)) : e.add(e.sqrt(sum), eps);
        V next = e.add(p, e.mul(s.get(0), e.div(g, std)));
        return Arrays.asList(next, sum);
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("lr_decay", lrDecay, "weight_decay", weightDecay, "initial_accumulator_value", initialAccumulator, "eps", eps,
                "eps_inside_sqrt", epsInsideSqrt ? 1 : 0);
    }
}
