package dev.janus.layers.merge;

import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/** Joins its inputs along an axis (the last by default), as Keras's Concatenate; the other dimensions must agree. */
public final class Concatenate extends Merge {
    private final int axis;

    public Concatenate() {
        this(-1);
    }

    public Concatenate(int axis) {
        if (axis == 0) throw new ShapeException("Concatenate: axis 0 is the batch; join along a feature axis");
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    private int axis(int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) throw new ShapeException(displayName() + ": axis " + axis + " does not fit inputs of rank " + rank);
        return a;
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        Shape first = inputs.get(0);
        int a = axis(first.rank()), size = 0;
        for (Shape s : inputs) {
            boolean fits = s.rank() == first.rank();
            for (int d = 1; fits && d < s.rank(); d++) fits = d == a || s.dim(d) == first.dim(d);
            if (!fits || s.dim(a) == Shape.DYNAMIC) {
                throw new ShapeException(displayName() + " needs inputs that agree except along axis " + axis + ", got " + describe(inputs));
            }
            size += s.dim(a);
        }
        return first.with(a, size);
    }

    @Override
    protected <V> V combine(Emitter<V> e, V a, V b) {
        throw new AssertionError("Concatenate joins all inputs at once");
    }

    @Override
    public <V> List<V> call(Emitter<V> e, List<V> inputs, List<V> weights, boolean training) {
        return List.of(e.concat(inputs, axis(e.shape(inputs.get(0)).rank())));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("axis", axis);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Concatenate fromConfig(LayerConfig c) {
        return new Concatenate(c.integer("axis"));
    }
}
