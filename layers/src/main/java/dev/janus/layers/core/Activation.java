package dev.janus.layers.core;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.ActivationFunction;
import dev.janus.layers.Activations;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/** Applies an activation, by Keras name ("relu") or as an object. */
public final class Activation extends Layer {
    private final ActivationFunction fn;

    public Activation(String name) {
        this(Activations.get(name));
    }

    public Activation(ActivationFunction fn) {
        super(null);
        this.fn = fn;
    }

    public ActivationFunction function() {
        return fn;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return fn.apply(e, x);
    }

    @Override
    public ActivationFunction outputActivation() {
        return fn == Activations.SOFTMAX || fn == Activations.SIGMOID ? fn : null;
    }

    @Override
    public <V> V callLogits(Emitter<V> e, V x, List<V> weights, boolean training) {
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("activation", fn.name());
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Activation fromConfig(LayerConfig c) {
        return new Activation(c.string("activation"));
    }
}
