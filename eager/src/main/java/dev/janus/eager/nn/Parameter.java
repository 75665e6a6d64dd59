package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/**
 * A tensor that is a module's parameter, as PyTorch's {@code nn.Parameter}: a leaf that requires
 * grad, sharing the values of the tensor it was made from. A module's fields that hold a
 * Parameter (or a {@link NNModule}) register themselves, as PyTorch's attribute assignment does:
 *
 * <pre>{@code
 * class Scale extends NNModule {
 *     final Parameter gain = new Parameter(Tensor.ones(8));
 *     public Tensor forward(Tensor x) { return x.mul(gain); }
 * }
 * }</pre>
 */
public final class Parameter extends Tensor {
    /** A parameter holding {@code data}'s values (not a copy); it requires grad. */
    public Parameter(Tensor data) {
        this(data, true);
    }

    public Parameter(Tensor data, boolean requiresGrad) {
        super(data);
        requiresGrad(requiresGrad);
    }

    /** PyTorch's "Parameter containing:" followed by the values. */
    @Override
    public String toString() {
        return "Parameter containing:\n" + super.toString();
    }
}
