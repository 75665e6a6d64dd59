package dev.janus.layers.merge;

import dev.janus.core.ops.Emitter;
import dev.janus.layers.LayerConfig;

/** The elementwise mean of its inputs, as Keras's Average: their sum divided by their number. */
public final class Average extends Merge {
    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        return e.add(a, b);
    }

    @Override
    protected <V> V finish(Emitter<V> e, V sum, int count) {
        return e.div(sum, e.scalar(count, e.dtype(sum)));
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Average fromConfig(LayerConfig c) {
        return new Average();
    }
}
