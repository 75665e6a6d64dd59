package dev.janus.layers.conv;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * The mean over height and width of channels-last images, (batch, height, width, channels) to
 * (batch, channels), or (batch, 1, 1, channels) with keepdims; as Keras's GlobalAveragePooling2D. A
 * mean over axes 1 and 2, which needs no transposes.
 */
public final class GlobalAveragePooling2D extends Layer {
    private boolean keepdims;

    public GlobalAveragePooling2D() {
        super(null);
    }

    public GlobalAveragePooling2D keepdims(boolean on) {
        unbuilt();
        keepdims = on;
        return this;
    }

    public GlobalAveragePooling2D named(String name) {
        unbuilt();
        name(name);
        return this;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        if (input.rank() != 4) {
            throw new ShapeException(name() + ": GlobalAveragePooling2D expected input (batch, height, width, channels), got " + describe(input));
        }
        return keepdims ? Shape.of(input.dim(0), 1, 1, input.dim(3)) : Shape.of(input.dim(0), input.dim(3));
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return e.mean(x, new int[] {1, 2}, keepdims);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("keepdims", keepdims);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static GlobalAveragePooling2D fromConfig(LayerConfig c) {
        return new GlobalAveragePooling2D().keepdims(c.flag("keepdims"));
    }
}
