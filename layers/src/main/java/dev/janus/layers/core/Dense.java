package dev.janus.layers.core;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.ActivationFunction;
import dev.janus.layers.Activations;
import dev.janus.layers.KernelLayer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * A densely connected layer, as Keras's: {@code activation(x @ kernel + bias)} over the last axis,
 * the kernel stored [in, out] and initialised glorot_uniform (fans counted the Keras way), the bias
 * zeros.
 */
public final class Dense extends KernelLayer<Dense> {
    private final int units;
    private final ActivationFunction activation;

    public Dense(int units) {
        this(units, Activations.LINEAR);
    }

    /** An activation by Keras name ("relu", "softmax"); null for none. */
    public Dense(int units, String activation) {
        this(units, Activations.get(activation));
    }

    public Dense(int units, ActivationFunction activation) {
        if (units <= 0) throw new JanusException("Dense: units must be positive, got " + units);
        this.units = units;
        this.activation = activation == null ? Activations.LINEAR : activation;
    }

    public int units() {
        return units;
    }

    public ActivationFunction activation() {
        return activation;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        if (input.rank() < 2 || input.dim(-1) == Shape.DYNAMIC) {
            throw new ShapeException(name() + ": Dense needs inputs with a known last dimension, got " + describe(input));
        }
        Shape k = Shape.of(input.dim(-1), units);
        addWeight("kernel", kernelInitializer(), k, dtype, rng);
        if (useBias()) addWeight("bias", biasInitializer(), Shape.of(units), dtype, rng);
        return input.with(input.rank() - 1, units);
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return activation.apply(e, callLogits(e, x, weights, training));
    }

    @Override
    public ActivationFunction outputActivation() {
        return activation == Activations.SOFTMAX || activation == Activations.SIGMOID ? activation : null;
    }

    @Override
    public <V> V callLogits(Emitter<V> e, V x, List<V> weights, boolean training) {
        V z = e.matmul(x, weights.get(0), false, false);
        return useBias() ? e.add(z, weights.get(1)) : z;
    }

    /** Quantization-aware training quantizes the input too (the kernel by its name). */
    @Override
    public boolean quantizesInput() {
        return true;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("units", units);
        c.put("activation", activation.name());
        putKernelConfig(c);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Dense fromConfig(LayerConfig c) {
        return new Dense(c.integer("units"), Activations.get(c.string("activation"))).kernelFrom(c);
    }
}
