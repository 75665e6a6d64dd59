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
import java.util.Arrays;
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
    private List<Shape> inputShapes, outputShapes;
    private DType dtype;
    private final List<Weight> weights = new ArrayList<>();
    /** While a saved model is rebuilt: the file's weights by "{layer}/{weight}", taken by the next build. */
    private Map<String, Tensor> saved;

    protected Layer(String name) {
        this.name = name;
    }

    /** The layer's name, such as "dense_1"; the model gives one when none was set. */
    public String name() {
        return name;
    }

    /** Sets the name (a layer's {@code named}, a model naming its layers). */
    protected void name(String n) {
        name = n;
    }

    /** The name set on it, or null (a model's {@link #name()} falls back to its default). */
    final String givenName() {
        return name;
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
        return inputShapes != null;
    }

    /** The input shape it was built for, batch first (unknown: -1); the first one for a layer of several inputs. */
    public Shape inputShape() {
        return inputShapes == null ? null : inputShapes.get(0);
    }

    public Shape outputShape() {
        return outputShapes == null ? null : outputShapes.get(0);
    }

    /** Every input shape it was built for (one per input). */
    public List<Shape> inputShapes() {
        return inputShapes;
    }

    /** Every output shape (one per output). */
    public List<Shape> outputShapes() {
        return outputShapes;
    }

    /** The dtype it was built for (null before). */
    public DType dtype() {
        return dtype;
    }

    /**
     * Builds the layer for {@code input} (batch first) with weights drawn from {@code rng}, or checks
     * that {@code input} fits when it is already built; returns the output shape.
     */
    final Shape build(Shape input, DType dtype, Generator rng) {
        return build(List.of(input), dtype, rng).get(0);
    }

    /** {@link #build(Shape, DType, Generator)} for any number of inputs; returns the output shapes. */
    final List<Shape> build(List<Shape> inputs, DType dt, Generator rng) {
        if (inputShapes != null) {
            boolean fits = inputs.size() == inputShapes.size();
            for (int i = 0; fits && i < inputs.size(); i++) fits = inputs.get(i).compatible(inputShapes.get(i));
            if (!fits) {
                throw new ShapeException(name + ": this " + typeName() + " was built for inputs " + describe(inputShapes)
                        + ", got " + describe(inputs));
            }
            return outputShapes;
        }
        List<Shape> out;
        try {
            out = List.copyOf(create(inputs, dt, rng));
        } catch (RuntimeException e) {
            weights.clear();   // a half-built layer keeps none of its weights
            if (e instanceof ShapeException && name != null && !e.getMessage().startsWith(name + ":") && !e.getMessage().startsWith(name + "/")) {
                throw new ShapeException(name + ": " + typeName() + " on input " + describe(inputs) + ": " + e.getMessage());
            }
            throw e;
        } finally {
            saved = null;
        }
        inputShapes = List.copyOf(inputs);
        outputShapes = out;
        dtype = dt;
        return out;
    }

    /** Shapes as Keras prints them: one as {@link #describe(Shape)}, several as a list of those. */
    public static String describe(List<Shape> shapes) {
        if (shapes.size() == 1) return describe(shapes.get(0));
        List<String> parts = new ArrayList<>();
        for (Shape s : shapes) parts.add(describe(s));
        return parts.toString();
    }

    /**
     * Calls the layer on symbolic tensors, as Keras's {@code layer(x)} in the Functional API: the
     * layer is built for their shapes (weights drawn from {@link Generator#global()}) on its first
     * call; a later call on tensors of the same shapes shares its weights. Returns the output.
     */
    public final KerasTensor apply(KerasTensor... inputs) {
        List<KerasTensor> out = applyAll(inputs);
        if (out.size() != 1) throw new JanusException(displayName() + " has " + out.size() + " outputs: call applyAll");
        return out.get(0);
    }

    /** {@link #apply} for a layer of several outputs (a nested model). */
    public final List<KerasTensor> applyAll(KerasTensor... inputs) {
        return applyAll(Generator.global(), inputs);
    }

    /** As {@link #applyAll(KerasTensor...)}, building with weights from {@code rng}. */
    final List<KerasTensor> applyAll(Generator rng, KerasTensor... inputs) {
        if (inputs.length == 0) throw new JanusException(displayName() + ": called on no tensors");
        List<Shape> shapes = new ArrayList<>();
        DType dt = null;
        for (KerasTensor t : inputs) {
            if (t == null) throw new JanusException(displayName() + ": called on a null tensor");
            shapes.add(t.shape());
            if (dt == null) dt = t.dtype();
            else if (dt != t.dtype()) throw new JanusException(displayName() + ": inputs of different dtypes " + dt + " and " + t.dtype());
        }
        List<Shape> out = build(shapes, dt, rng);
        return new LayerCall(this, Arrays.asList(inputs), out, dt).outputs();
    }

    /** "dense_1 (Dense)", or the type alone before the layer is named. */
    protected final String displayName() {
        String n = name();
        return n == null ? typeName() : n + " (" + typeName() + ")";
    }

    /** "(None, 4)", as Keras prints shapes (for error messages of layers, losses and metrics). */
    public static String describe(Shape s) {
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

    /**
     * Creates the weights for these input shapes and returns the output shapes; layers of several
     * inputs or outputs (merge layers, models) override this. The default takes one input.
     */
    protected List<Shape> create(List<Shape> inputs, DType dtype, Generator rng) {
        if (inputs.size() != 1) {
            throw new ShapeException(displayName() + " takes one input, got " + inputs.size() + ": " + describe(inputs));
        }
        return List.of(create(inputs.get(0), dtype, rng));
    }

    /**
     * Makes the next build take its weights' values from a saved file's ({@code weights}, by
     * "{layer}/{weight}") instead of drawing initial values; each is checked against the dtype and
     * shape the layer makes before anything of that size exists.
     */
    final void takeWeightsFrom(Map<String, Tensor> weights) {
        saved = weights;
    }

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
        Tensor value;
        if (saved == null) {
            value = initial.get();
        } else {
            String full = name + "/" + weightName;
            TensorType want = new TensorType(dtype, shape);
            value = saved.get(full);
            if (value == null) throw new JanusException(full + ": the file holds no value for this weight (" + want + ")");
            if (!value.type().equals(want)) throw new ShapeException(full + ": the layer makes it " + want + ", the file holds " + value.type());
        }
        Weight w = new Weight(this, weightName, value, trainable);
        weights.add(w);
        return w;
    }

    /** The weights in creation order. */
    public List<Weight> weights() {
        return Collections.unmodifiableList(weights);
    }

    public long paramCount() {
        long n = 0;
        for (Weight w : weights()) n += w.value().numel();
        return n;
    }

    /**
     * Applies the layer to {@code x}: {@code weights} holds the handle of each of {@link #weights()},
     * in order; {@code training} is true in fit (dropout is active then).
     */
    public abstract <V> V call(Emitter<V> e, V x, List<V> weights, boolean training);

    /**
     * Applies the layer to several inputs, giving its outputs; layers of several inputs or outputs
     * override this. The default takes one input.
     */
    public <V> List<V> call(Emitter<V> e, List<V> inputs, List<V> weights, boolean training) {
        if (inputs.size() != 1) throw new ShapeException(displayName() + " takes one input, got " + inputs.size());
        return List.of(call(e, inputs.get(0), weights, training));
    }

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
     * The weights that quantization-aware training ({@link Model#quantizationAware}) fake-quantizes
     * to int8, per output channel (their last axis), as {@code OnnxQuantizer} stores them: by
     * default those Keras names "kernel" and "recurrent_kernel" (Dense's, Conv2D's, the recurrent
     * layers'); biases and statistics stay float.
     */
    public List<Weight> quantizedWeights() {
        List<Weight> out = new ArrayList<>();
        for (Weight w : weights) if (w.localName().equals("kernel") || w.localName().equals("recurrent_kernel")) out.add(w);
        return out;
    }

    /** Whether quantization-aware training fake-quantizes this layer's input (uint8, per tensor), as static quantization does. */
    public boolean quantizesInput() {
        return false;
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
