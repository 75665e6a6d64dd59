package dev.janus.layers.merge;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

import java.util.List;

/** The elementwise minimum of its inputs, as Keras's Minimum. */
public final class Minimum extends Merge {
    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        return e.one(Ops.MINIMUM, Attrs.NONE, List.of(a, b));
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Minimum fromConfig(LayerConfig c) {
        return new Minimum();
    }
}
