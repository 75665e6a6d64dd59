package dev.janus.layers.conv;

import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

/**
 * The mean of each window of channels-last images, as Keras's AveragePooling2D (see
 * {@link Pooling2D}); with padding "same" a window at the border averages only the pixels it covers.
 */
public final class AveragePooling2D extends Pooling2D<AveragePooling2D> {
    /** pool_size 2x2. */
    public AveragePooling2D() {
        this(2);
    }

    /** poolSize: one size for both axes, or {height, width}. */
    public AveragePooling2D(int... poolSize) {
        super(poolSize);
    }

    @Override
    Op op() {
        return Ops.AVG_POOL;
    }

    @Override
    AveragePooling2D self() {
        return this;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static AveragePooling2D fromConfig(LayerConfig c) {
        return new AveragePooling2D(c.ints("pool_size")).strides(c.ints("strides")).padding(c.string("padding"));
    }
}
