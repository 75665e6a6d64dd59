package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializer;
import dev.janus.core.ops.Emitter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A Keras-style layer: built once for an input shape (creating its weights, Keras layout), then
 * called on values. {@link #call} is written against an {@link Emitter}, so the same code emits
 * graph nodes for the compiler and runs eagerly for {@code runEagerly}: both run the same ops in
 * the same order.
 */
public abstract class Layer {
    private String name;
    private Shape inputShape, outputShape;
    private final List<Weight> weights = new ArrayList<>();
    /** While a saved model is rebuilt: the file's weights by full name. */
    private Map<String, Tensor> saved;

    protected Layer(String name) {
        this.name = name;
    }

    /** The layer's name, such as "dense_1"; the model gives one when none was set. */
    public String name() {
        return name;
    }

    void name(String n) {
        name = n;
    }

    /** The Keras class name: "Dense", "Dropout". */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Keras's default name stem: "dense" for Dense, "batch_normalization" for BatchNormalization, "conv2d" for Conv2D. */
    String stem() {
        // Keras's to_snake_case: digits stay with the word before them (Conv2D: conv2d, MaxPooling2D: max_pooling2d).
        String s = typeName().replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isBuilt() {
        return inputShape != null;
    }

    /** The input shape it was built for, batch first (unknown: -1). */
    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return outputShape;
    }

    /**
     * Builds the layer for {@code input} (batch first) with weights drawn from {@code rng}, or checks
     * that {@code input} fits when it is already built; returns the output shape.
     */
    final Shape build(Shape input, DType dtype, Generator rng) {
        return build(input, dtype, rng, null);
    }

    /** As {@link #build(Shape, DType, Generator)}, taking the weights' values from {@code savedWeights} (by full name) when not null. */
    final Shape build(Shape input, DType dtype, Generator rng, Map<String, Tensor> savedWeights) {
        if (isBuilt()) {
            if (!input.compatible(inputShape)) {
                throw new ShapeException(name + ": this " + typeName() + " was built for inputs " + describe(inputShape)
                        + ", got " + describe(input));
            }
            return outputShape;
        }
        Shape out;
        saved = savedWeights;
        try {
            out = create(input, dtype, rng);
        } catch (RuntimeException e) {
            weights.clear();   // a half-built layer keeps none of its weights
            if (e instanceof ShapeException && !e.getMessage().startsWith(name + ":") && !e.getMessage().startsWith(name + "/")) {
                throw new ShapeException(name + ": " + typeName() + " on input " + describe(input) + ": " + e.getMessage());
            }
            throw e;
        } finally {
            saved = null;
        }
        inputShape = input;
        outputShape = out;
        return out;
    }

    /** "(None, 4)", as Keras prints shapes. */
    static String describe(Shape s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.rank(); i++) {
            sb.append(i > 0 ? ", " : "").append(s.dim(i) == Shape.DYNAMIC ? "None" : Integer.toString(s.dim(i)));
        }
        return sb.append(s.rank() == 1 ? ",)" : ")").toString();
    }

    /** Settings can change only before the layer is built (its weights are made for them). */
    protected final void unbuilt() {
        if (isBuilt()) throw new JanusException(name + ": cannot change a layer that is already built");
    }

    /** Creates the weights ({@link #addWeight}) for this input shape and returns the output shape. */
    protected abstract Shape create(Shape input, DType dtype, Generator rng);

    /** A weight with this first value (for a loaded model, the file's value instead). */
    protected final Weight addWeight(String weightName, Tensor value, boolean trainable) {
        return addWeight(weightName, value.dtype(), value.shape(), () -> value, trainable);
    }

    /** A trainable weight drawn from {@code init}, with Keras's fans for its shape. */
    protected final Weight addWeight(String weightName, Initializer init, Shape shape, DType dtype, Generator rng) {
        return addWeight(weightName, dtype, shape, () -> init.create(shape, Fans.keras(shape), dtype, rng), true);
    }

    /**
     * A weight of this dtype and shape, its first value made by {@code initial}; while a saved model
     * is loaded, the file's value instead, checked against the dtype and shape before anything of
     * that size is made (a file declaring a billion units allocates nothing).
     */
    protected final Weight addWeight(String weightName, DType dtype, Shape shape, Supplier<Tensor> initial, boolean trainable) {
        String full = name + "/" + weightName;
        Tensor value;
        if (saved == null) {
            value = initial.get();
        } else {
            TensorType want = new TensorType(dtype, shape);
            value = saved.get(full);
            if (value == null) throw new JanusException(full + ": the file holds no value for this weight (" + want + ")");
            if (!value.type().equals(want)) throw new ShapeException(full + ": the layer makes it " + want + ", the file holds " + value.type());
        }
        Weight w = new Weight(full, value, trainable);
        weights.add(w);
        return w;
    }

    /** The weights in creation order. */
    public List<Weight> weights() {
        return Collections.unmodifiableList(weights);
    }

    public long paramCount() {
        long n = 0;
        for (Weight w : weights) n += w.value().numel();
        return n;
    }

    /**
     * Applies the layer to {@code x}: {@code weights} holds the handle of each of {@link #weights()},
     * in order; {@code training} is true in fit (dropout is active then).
     */
    public abstract <V> V call(Emitter<V> e, V x, List<V> weights, boolean training);

    /**
     * The values a training call moves this layer's frozen weights to (BatchNormalization's moving
     * averages): one per weight in {@link #weights()} order, null for a weight it leaves alone; or
     * null (the default) when it moves none. Computed from the input of the training call and the
     * weights before the step; the compiled step and the eager engine write them after each step.
     */
    public <V> List<V> updates(Emitter<V> e, V x, List<V> weights) {
        return null;
    }

    /**
     * The final activation when it is softmax or sigmoid, so that a loss can work from the logits
     * (as Keras does, for stability); null otherwise.
     */
    public ActivationFunction outputActivation() {
        return null;
    }

    /** The value before {@link #outputActivation()}; only called when that is not null. */
    public <V> V callLogits(Emitter<V> e, V x, List<V> weights, boolean training) {
        throw new JanusException(name + ": has no logits");
    }

    /** The settings that rebuild the layer (for saving and summaries); values are strings or numbers. */
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        return c;
    }

    @Override
    public String toString() {
        return name + " (" + typeName() + ")";
    }
}
