package dev.janus.layers.conv;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;
import dev.janus.layers.Layer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What {@link MaxPooling2D} and {@link AveragePooling2D} share: a pool_size window (default 2x2)
 * moved by strides (default: the pool size) over channels-last images, padding "valid" or "same"
 * (TensorFlow's; padded positions never count), run by the channels-first pooling op between two
 * transposes.
 */
abstract class Pooling2D<L extends Pooling2D<L>> extends Layer {
    private final int[] poolSize;
    private int[] strides;
    private String padding = "valid";
    private int[] pads;

    Pooling2D(int[] poolSize) {
        super(null);
        this.poolSize = Windows.pair(getClass().getSimpleName(), "pool_size", poolSize);
        this.strides = this.poolSize;
    }

    abstract Op op();

    abstract L self();

    public L strides(int... s) {
        unbuilt();
        strides = Windows.pair(typeName(), "strides", s);
        return self();
    }

    /** "valid" (the default) or "same". */
    public L padding(String p) {
        unbuilt();
        padding = Windows.padding(typeName(), p);
        return self();
    }

    public L named(String name) {
        unbuilt();
        name(name);
        return self();
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        pads = Windows.pads(this, input, poolSize, strides, new int[] {1, 1}, padding);
        return Windows.output(input, poolSize, strides, new int[] {1, 1}, pads, input.dim(3));
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        Attrs attrs = Attrs.of("kernel_shape", poolSize, "strides", strides, "pads", pads);
        return Windows.channelsLast(e, e.apply(op(), attrs, List.of(Windows.channelsFirst(e, x))).get(0));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("pool_size", Arrays.toString(poolSize));
        c.put("strides", Arrays.toString(strides));
        c.put("padding", padding);
        return c;
    }
}
