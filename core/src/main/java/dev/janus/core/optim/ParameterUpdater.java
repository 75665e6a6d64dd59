package dev.janus.core.optim;

import dev.janus.core.Tensor;

import java.util.List;
import java.util.Map;

/**
 * What steps an optimizer's parameters, PyTorch's loop: {@code zeroGrad}, {@code step} and the
 * state dict. The eager module's {@code EagerOptimizer} is the one Janus has; a rule made with
 * parameters ({@code new Adam(model.parameters(), 1e-3)}) finds it through
 * {@link java.util.ServiceLoader} (core cannot name the eager module, which builds on the graph
 * compiler), so the loop, its compiled update included, is written once.
 */
public interface ParameterUpdater {
    List<Tensor> parameters();

    /** Clears every parameter's gradient (set to none, as PyTorch does by default). */
    void zeroGrad();

    /** Updates every parameter that has a gradient; a failure leaves every parameter as it was. */
    void step();

    /** The state ("lr", "state.i.step", "state.i.exp_avg", ...) as named tensors for {@code SafeTensors}. */
    Map<String, Tensor> stateDict();

    /** Restores {@link #stateDict()}; everything is checked before anything changes. */
    void loadStateDict(Map<String, Tensor> saved);

    /** Makes the updater of a rule's parameters; the implementation is listed in META-INF/services. */
    interface Factory {
        ParameterUpdater create(Optimizer rule, List<Tensor> parameters);
    }
}
