package dev.janus.layers.normalization;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * What Keras's normalisation layers share: normalising over the last axis with an epsilon, then the
 * learned scale gamma (ones, if {@code scale}) and offset beta (zeros, if {@code center}), their
 * fluent settings and their config. {@code L} is the layer's own type, so the settings chain.
 */
abstract class Normalization<L extends Normalization<L>> extends Layer {
    protected double epsilon = 1e-3;
    protected boolean center = true, scale = true;

    Normalization() {
        super(null);
    }

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    public L epsilon(double eps) {
        unbuilt();
        if (!(eps > 0)) throw new JanusException(getClass().getSimpleName() + ": epsilon must be positive, got " + eps);
        epsilon = eps;
        return self();
    }

    /** Whether to add the learned offset beta. */
    public L center(boolean on) {
        unbuilt();
        center = on;
        return self();
    }

    /** Whether to multiply by the learned gamma. */
    public L scale(boolean on) {
        unbuilt();
        scale = on;
        return self();
    }

    public L named(String name) {
        unbuilt();
        name(name);
        return self();
    }

    /**
     * Checks that the input's last axis ({@code what}: "features", "channels") is known, adds gamma and
     * beta as the layer has them, and returns that axis's size.
     */
    protected int createScaleAndOffset(Shape input, DType dtype, String what) {
        if (input.rank() < 2 || input.dim(-1) == Shape.DYNAMIC) {
            throw new ShapeException(name() + ": " + getClass().getSimpleName() + " expected input (batch, ..., " + what + ") with known " + what
                    + ", got " + describe(input));
        }
        int c = input.dim(-1);
        if (scale) addWeight("gamma", dtype, Shape.of(c), () -> Tensor.full(1, dtype, c), true);
        if (center) addWeight("beta", dtype, Shape.of(c), () -> Tensor.zeros(dtype, c), true);
        return c;
    }

    /** gamma, or ones standing in for it. */
    protected <V> V gamma(Emitter<V> e, List<V> weights, int channels, DType dtype) {
        return scale ? weights.get(0) : e.constant(Tensor.full(1, dtype, channels));
    }

    /** beta, or zeros standing in for it. */
    protected <V> V beta(Emitter<V> e, List<V> weights, int channels, DType dtype) {
        return center ? weights.get(scale ? 1 : 0) : e.constant(Tensor.zeros(dtype, channels));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
        return c;
    }

    /** This layer with the epsilon, center and scale of a saved {@link #config()}. */
    protected L withSettingsOf(LayerConfig c) {
        return epsilon(c.number("epsilon")).center(c.flag("center")).scale(c.flag("scale"));
    }
}
