package dev.janus.layers.normalization;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises each sample over its last axis to mean 0 and variance 1, then scales by gamma (ones)
 * and shifts by beta (zeros), as Keras's LayerNormalization (axis -1, epsilon 1e-3); the same in
 * training and inference. One layer_norm op.
 */
public final class LayerNormalization extends Normalization<LayerNormalization> {
    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        createScaleAndOffset(input, dtype, "features");
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        int c = e.shape(x).dim(-1);
        List<V> in = new ArrayList<>(List.of(x, gamma(e, weights, c, e.dtype(x))));
        if (center) in.add(weights.get(scale ? 1 : 0));
        return e.one(Ops.LAYER_NORM, Attrs.of("axis", -1, "epsilon", epsilon), in);
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static LayerNormalization fromConfig(LayerConfig c) {
        return new LayerNormalization().withSettingsOf(c);
    }
}
