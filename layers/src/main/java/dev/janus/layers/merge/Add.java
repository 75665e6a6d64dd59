package dev.janus.layers.merge;

import dev.janus.core.ops.Emitter;
import dev.janus.layers.LayerConfig;

/** Sums its inputs, as Keras's Add. */
public final class Add extends Merge {
    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        return e.add(a, b);
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Add fromConfig(LayerConfig c) {
        return new Add();
    }
}
