package dev.janus.layers.normalization;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Normalises each sample over its last axis to mean 0 and variance 1, then scales by gamma (ones)
 * and shifts by beta (zeros), as Keras's LayerNormalization (axis -1, epsilon 1e-3); the same in
 * training and inference. One layer_norm op.
 */
public final class LayerNormalization extends Layer {
    private double epsilon = 1e-3;
    private boolean center = true, scale = true;

    public LayerNormalization() {
        super(null);
    }

    public LayerNormalization epsilon(double eps) {
        unbuilt();
        if (!(eps > 0)) throw new JanusException("LayerNormalization: epsilon must be positive, got " + eps);
        epsilon = eps;
        return this;
    }

    public LayerNormalization center(boolean on) {
        unbuilt();
        center = on;
        return this;
    }

    public LayerNormalization scale(boolean on) {
        unbuilt();
        scale = on;
        return this;
    }

    public LayerNormalization named(String name) {
        unbuilt();
        name(name);
        return this;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        if (input.rank() < 2 || input.dim(-1) == Shape.DYNAMIC) {
            throw new ShapeException(name() + ": LayerNormalization expected input (batch, ..., features) with known features, got " + describe(input));
        }
        int c = input.dim(-1);
        if (scale) addWeight("gamma", dtype, Shape.of(c), () -> Tensor.full(1, dtype, c), true);
        if (center) addWeight("beta", dtype, Shape.of(c), () -> Tensor.zeros(dtype, c), true);
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        int c = e.shape(x).dim(-1);
        List<V> in = new ArrayList<>(List.of(x, scale ? weights.get(0) : e.constant(Tensor.full(1, e.dtype(x), c))));
        if (center) in.add(weights.get(scale ? 1 : 0));
        return e.one(Ops.LAYER_NORM, Attrs.of("axis", -1, "epsilon", epsilon), in);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static LayerNormalization fromConfig(LayerConfig c) {
        return new LayerNormalization().epsilon(c.number("epsilon")).center(c.flag("center")).scale(c.flag("scale"));
    }
}
