package dev.janus.layers.core;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * Sets a fraction {@code rate} of the inputs to zero during training and scales the rest by
 * 1 / (1 - rate); does nothing at inference. The mask comes from the model's generator, one draw
 * per element in order, the same compiled and eagerly.
 */
public final class Dropout extends Layer {
    private final double rate;

    public Dropout(double rate) {
        super(null);
        if (!(rate >= 0 && rate < 1)) throw new JanusException("Dropout: rate must be in [0, 1), got " + rate);
        this.rate = rate;
    }

    public double rate() {
        return rate;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        if (!training || rate == 0) return x;
        return e.apply(Ops.DROPOUT, Attrs.of("p", rate), List.of(x)).get(0);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("rate", rate);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Dropout fromConfig(LayerConfig c) {
        return new Dropout(c.number("rate"));
    }
}
