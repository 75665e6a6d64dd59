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

/** Softmax over an axis (default the last), as a layer. */
public final class Softmax extends Layer {
    private final int axis;

    public Softmax() {
        this(-1);
    }

    public Softmax(int axis) {
        super(null);
        this.axis = axis;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        input.axis(axis, name());
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return e.softmax(x, axis);
    }

    @Override
    public ActivationFunction outputActivation() {
        return axis == -1 ? Activations.SOFTMAX : null;
    }

    @Override
    public <V> V callLogits(Emitter<V> e, V x, List<V> weights, boolean training) {
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("axis", axis);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Softmax fromConfig(LayerConfig c) {
        return new Softmax(c.integer("axis"));
    }
}
