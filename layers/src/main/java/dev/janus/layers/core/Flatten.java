package dev.janus.layers.core;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;

/** Flattens each sample to one dimension: (None, 28, 28) becomes (None, 784). */
public final class Flatten extends Layer {
    public Flatten() {
        super(null);
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        Shape sample = input.sub(1, input.rank());
        if (!sample.isStatic()) throw new ShapeException(name() + ": Flatten needs known sample dimensions, got " + describe(input));
        return Shape.of(input.dim(0), sample.size());
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        Shape s = e.shape(x);
        return e.reshape(x, Shape.of(s.dim(0), s.size(1, s.rank())));
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Flatten fromConfig(LayerConfig c) {
        return new Flatten();
    }
}
