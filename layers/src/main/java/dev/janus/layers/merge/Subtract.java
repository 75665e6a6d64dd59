package dev.janus.layers.merge;

import dev.janus.core.ops.Emitter;
import dev.janus.layers.LayerConfig;

/** The first input minus the second, as Keras's Subtract. */
public final class Subtract extends Merge {
    @Override
    protected int maxInputs() {
        return 2;
    }

    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        return e.sub(a, b);
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Subtract fromConfig(LayerConfig c) {
        return new Subtract();
    }
}
