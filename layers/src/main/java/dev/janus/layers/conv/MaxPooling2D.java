package dev.janus.layers.conv;

import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

/** The largest value of each window of channels-last images, as Keras's MaxPooling2D (see {@link Pooling2D}). */
public final class MaxPooling2D extends Pooling2D<MaxPooling2D> {
    /** pool_size 2x2. */
    public MaxPooling2D() {
        this(2);
    }

    /** poolSize: one size for both axes, or {height, width}. */
    public MaxPooling2D(int... poolSize) {
        super(poolSize);
    }

    @Override
    Op op() {
        return Ops.MAX_POOL;
    }

    @Override
    MaxPooling2D self() {
        return this;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static MaxPooling2D fromConfig(LayerConfig c) {
        return new MaxPooling2D(c.ints("pool_size")).strides(c.ints("strides")).padding(c.string("padding"));
    }
}
