package dev.janus.layers.merge;

import dev.janus.core.ops.Emitter;
import dev.janus.layers.LayerConfig;

/** Multiplies its inputs elementwise, as Keras's Multiply. */
public final class Multiply extends Merge {
    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        return e.mul(a, b);
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Multiply fromConfig(LayerConfig c) {
        return new Multiply();
    }
}
