package dev.janus.core.optim;

import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RMSprop as torch.optim.RMSprop: v = alpha v + (1 - alpha) g g; with centered, the running mean
 * of g is subtracted; avg = sqrt(v) + eps; then p -= lr g / avg, or through a momentum buffer.
 */
public final class RMSprop extends Optimizer {
    private final double alpha, eps, weightDecay, momentum;
    private final boolean centered;

    /** PyTorch's {@code RMSprop(params)}: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay or momentum, not centered. */
    public RMSprop(List<? extends Tensor> params) {
        this(params, 1e-2);
    }

    /** PyTorch's {@code RMSprop(params, lr)}. */
    public RMSprop(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /** PyTorch's {@code RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered)}. */
    public RMSprop(List<? extends Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        this(lr, alpha, eps, weightDecay, momentum, centered);
        attach(params);
    }

    /** The update rule alone, for a Keras model's compile. */
    public RMSprop(double lr) {
        this(lr, 0.99, 1e-8, 0, 0, false);
    }

    public RMSprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(lr);
        check(name(), "alpha", alpha, 0, 1);
        check(name(), "eps", eps, 0, Double.MAX_VALUE);
        check(name(), "weight decay", weightDecay, 0, Double.MAX_VALUE);
        check(name(), "momentum", momentum, 0, Double.MAX_VALUE);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) names.add("momentum_buffer");
        if (centered) names.add("grad_avg");
        return names;
    }

    @Override
    public List<String> scalarNames() {
        return List.of("lr");
    }

    @Override
    public double[] scalars(long t) {
        return new double[] {lr()};
    }

    @Override
    public <V> List<V> update(Emitter<V> e, V p, V g, List<V> state, List<V> s) {
        V lr = s.get(0);
        if (weightDecay > 0) g = e.add(g, e.mul(p, weightDecay));
        V v = e.add(e.mul(state.get(0), alpha), e.mul(e.mul(g, 1 - alpha), g));
        List<V> next = new ArrayList<>();
        V avg;
        V gradAvg = null;
        if (centered) {
            V old = state.get(momentum > 0 ? 2 : 1);
            gradAvg = e.add(old, e.mul(e.sub(g, old), 1 - alpha));
            avg = e.add(e.sqrt(e.sub(v, e.mul(gradAvg, gradAvg))), eps);
        } else {
            avg = e.add(e.sqrt(v), eps);
        }
        V buf = null, param;
        if (momentum > 0) {
            buf = e.add(e.mul(state.get(1), momentum), e.div(g, avg));
            param = e.add(p, e.mul(buf, e.neg(lr)));
        } else {
            param = e.add(p, e.div(e.mul(g, e.neg(lr)), avg));
        }
        next.add(param);
        next.add(v);
        if (buf != null) next.add(buf);
        if (gradAvg != null) next.add(gradAvg);
        return next;
    }

    @Override
    public Map<String, Double> hyperparameters() {
        return hyper("alpha", alpha, "eps", eps, "weight_decay", weightDecay, "momentum", momentum, "centered", centered ? 1 : 0);
    }
}
