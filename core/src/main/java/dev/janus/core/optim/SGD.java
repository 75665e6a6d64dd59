package dev.janus.core.optim;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, as torch.optim.SGD: g += wd p; buf = mu buf + (1 - dampening) g (buf = g on the first
 * step); g = nesterov ? g + mu buf : buf; p -= lr g.
 */
public final class SGD extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;

    /** PyTorch's {@code SGD(params)}: lr 1e-3, no momentum, dampening or weight decay. */
    public SGD(List<? extends Tensor> params) {
        this(params, 1e-3);
    }

    /** PyTorch's {@code SGD(params, lr)}. */
    public SGD(List<? extends Tensor> params, double lr) {
        this(params, lr, 0);
    }

    /** PyTorch's {@code SGD(params, lr, momentum)}. */
    public SGD(List<? extends Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    /** PyTorch's {@code SGD(params, lr, momentum, dampening, weight_decay, nesterov)}. */
    public SGD(List<? extends Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this(lr, momentum, dampening, weightDecay, nesterov);
        attach(params);
    }

    /** The update rule alone, for a Keras model's compile. */
    public SGD(double lr) {
        this(lr, 0, 0, 0, false);
    }

    public SGD(double lr, double momentum) {
        this(lr, momentum, 0, 0, false);
    }

    public SGD(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(lr);
        check(name(), "momentum", momentum, 0, Double.MAX_VALUE);
        check(name(), "dampening", dampening, 0, 1);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new JanusException("sgd: Nesterov momentum requires a momentum > 0 and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public List<String> stateNames() {
        return momentum > 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    public List<String> scalarNames() {
        return List.of("lr", "one_minus_dampening");
    }

    /** On the first step the buffer starts as the gradient itself: no dampening then. */
    @Override
    public double[] scalars(long t) {
        return new double[] {lr(), t == 1 ? 1 : 1 - dampening};
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V buf = null;
        if (momentum > 0) {
            buf = e.add(e.mul(state.get(0), momentum), e.mul(g, s.get(1)));
            g = nesterov ? e.add(g, e.mul(buf, momentum)) : buf;
        }
        V next = e.add(p, e.mul(g, e.neg(s.get(0))));
        return momentum > 0 ? Arrays.asList(next, buf) : Arrays.asList(next);
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("momentum", momentum, "dampening", dampening, "weight_decay", weightDecay, "nesterov", nesterov ? 1 : 0);
    }
}
