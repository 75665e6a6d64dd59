package dev.janus.core.optim;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * An update rule, written once for both front ends. Per step the optimizer computes a few host
 * scalars ({@link #scalars}: the learning rate and bias corrections); then, for each parameter,
 * {@link #update} emits the new parameter and the new state from the parameter, its gradient, its
 * state tensors (shaped like the parameter, starting at {@link #initialState}) and those scalars. The eager engine
 * runs the update with {@code Immediate}; the compiler emits it into the training step, with the
 * scalars as inputs so that a changed learning rate needs no recompilation.
 *
 * <p>Each rule follows PyTorch's documented algorithm and its order of operations, so results
 * agree with PyTorch to rounding.
 *
 * <p>Made with parameters, as PyTorch's optimizers are ({@code new Adam(model.parameters(), 1e-3)},
 * PyTorch's defaults for what is left out), a rule also steps them: {@link #zeroGrad()},
 * {@link #step()}, {@link #stateDict()}. Made without ({@code new Adam(1e-3)}), it is the rule a
 * Keras model's {@code compile} takes, the model holding its own weights and state.
 */
public abstract class Optimizer {
    private double lr;
    /** The parameters it steps and their state; null for a rule made without parameters. */
    private ParameterUpdater loop;

    protected Optimizer(double lr) {
        setLr(lr);
    }

    /** For the PyTorch-style constructors: from now on this rule steps {@code parameters}. */
    protected final void attach(List<? extends Tensor> parameters) {
        if (loop != null) throw new JanusException(name() + ": already has its parameters");
        ParameterUpdater.Factory factory = Updaters.FACTORY;
        if (factory == null) {
            throw new JanusException(name() + ": stepping parameters needs the janus-eager module on the class path (its EagerOptimizer is"
                    + " the loop)");
        }
        loop = factory.create(this, List.copyOf(parameters));
    }

    /** The loop the eager module provides, looked up once. */
    private static final class Updaters {
        static final ParameterUpdater.Factory FACTORY =
                ServiceLoader.load(ParameterUpdater.Factory.class, Optimizer.class.getClassLoader()).findFirst().orElse(null);
    }

    /** True when made with parameters (PyTorch style); a Keras model's compile takes one made without. */
    public boolean hasParameters() {
        return loop != null;
    }

    private ParameterUpdater loop(String what) {
        if (loop == null) {
            throw new JanusException(name() + "." + what + ": this optimizer was made without parameters (the form a Keras model's compile"
                    + " takes); to step a module's parameters make it with them, as PyTorch does: new " + getClass().getSimpleName()
                    + "(model.parameters(), lr)");
        }
        return loop;
    }

    /** The parameters it steps, as {@code optimizer.param_groups[0]['params']}. */
    public List<Tensor> parameters() {
        return loop("parameters").parameters();
    }

    /** Clears every parameter's gradient (set to none, as PyTorch does by default). */
    public void zeroGrad() {
        loop("zeroGrad").zeroGrad();
    }

    /** Updates every parameter that has a gradient; a failure leaves every parameter as it was. */
    public void step() {
        loop("step").step();
    }

    /** The state ("lr", "state.i.step", "state.i.exp_avg", ...) as named tensors for {@code SafeTensors}. */
    public Map<String, Tensor> stateDict() {
        return loop("stateDict").stateDict();
    }

    /** Restores {@link #stateDict()}; everything is checked before anything changes. */
    public void loadStateDict(Map<String, Tensor> saved) {
        loop("loadStateDict").loadStateDict(saved);
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate (used by schedules). */
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new JanusException(name() + ": learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    /** "adam", "sgd", ... */
    public abstract String name();

    /** Names of the per-parameter state tensors, for example exp_avg and exp_avg_sq. */
    public abstract List<String> stateNames();

    /**
     * The value state tensor {@code k} starts at, for every element: 0 for most rules, Adagrad's
     * initial accumulator value.
     */
    public double initialState(int k) {
        return 0;
    }

    /** Names of the host scalars, in the order {@link #scalars} returns them. */
    public abstract List<String> scalarNames();

    /** The host scalars for step {@code t} (1-based), from the current learning rate. */
    public abstract double[] scalars(long t);

    /**
     * Emits one parameter's update: returns [new parameter, new state...] in {@link #stateNames()}
     * order. {@code scalars} are 0-d values of the parameter's dtype.
     */
    public abstract <V> List<V> update(Emitter<V> e, V param, V grad, List<V> state, List<V> scalars);

    /** The settings that define the rule (learning rate included), for saving and printing. */
    public abstract Map<String, Double> hyperparameters();

    protected Map<String, Double> hyper(Object... keysAndValues) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], ((Number) keysAndValues[i + 1]).doubleValue());
        return m;
    }

    static void check(String opt, String what, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new JanusException(opt + ": " + what + " must be in [" + lo + ", " + hi + "], got " + v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name()).append('(');
        hyperparameters().forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ").append(k).append('=').append(v));
        return sb.append(')').toString();
    }
}
