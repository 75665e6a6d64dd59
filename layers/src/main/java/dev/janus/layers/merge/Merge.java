package dev.janus.layers.merge;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.Layer;

import java.util.List;

/**
 * What Keras's merge layers share ({@link Add}, {@link Subtract}, {@link Multiply},
 * {@link Average}, {@link Maximum}, {@link Minimum}, {@link Concatenate}): several inputs, no
 * weights, one output. The elementwise ones take inputs of one shape and combine them in order,
 * ((x0 op x1) op x2) ...
 */
public abstract class Merge extends Layer {
    protected Merge() {
        super(null);
    }

    /** The smallest and largest number of inputs. */
    protected int minInputs() {
        return 2;
    }

    protected int maxInputs() {
        return Integer.MAX_VALUE;
    }

    /** Combines two values. */
    protected abstract <V> V combine(Emitter<V> e, V a, V b);

    /** The result from the combination of every input (Average divides it). */
    protected <V> V finish(Emitter<V> e, V combined, int count) {
        return combined;
    }

    @Override
    protected final Shape create(Shape input, DType dtype, Generator rng) {
        throw new ShapeException(displayName() + " merges several inputs: call it on a list of tensors, got one " + describe(input));
    }

    @Override
    protected List<Shape> create(List<Shape> inputs, DType dtype, Generator rng) {
        if (inputs.size() < minInputs() || inputs.size() > maxInputs()) {
            String want = minInputs() == maxInputs() ? "exactly " + minInputs() : "at least " + minInputs();
            throw new ShapeException(displayName() + " takes " + want + " inputs, got " + inputs.size());
        }
        return List.of(outputShape(inputs));
    }

    /** Every input must have the first one's shape (batch aside). */
    protected Shape outputShape(List<Shape> inputs) {
        Shape first = inputs.get(0);
        for (Shape s : inputs) {
            if (!s.compatible(first)) {
                throw new ShapeException(displayName() + " needs inputs of one shape, got " + describe(inputs));
            }
        }
        return first;
    }

    @Override
    public final <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        throw new JanusException(displayName() + " merges several inputs");
    }

    @Override
    public <V> List<V> call(Emitter<V> e, List<V> inputs, List<V> weights, boolean training) {
        V acc = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) acc = combine(e, acc, inputs.get(i));
        return List.of(finish(e, acc, inputs.size()));
    }
}
