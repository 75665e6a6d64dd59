package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.graph.CompileOptions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A stack of layers, as Keras's {@code Sequential}: a {@link Model} whose graph is a chain, built
 * when it has an {@link Input} (or on the first data it sees), compiled with an optimizer, a loss
 * and metrics, then trained with {@link #fit}. Its layers' weights draw from its
 * {@link #generator()} ({@link Generator#global()} unless another is set before the model is
 * built), as shuffling and dropout do. Like any model it can be a layer of another model.
 *
 * <p>Threads: {@link #predict} and {@link #evaluate} may be called from many threads at once on one
 * model, compiled or not, and give each caller what it would get alone (as a Keras model's
 * {@code predict} or an ONNX Runtime session's {@code run}); each call runs on a compiled plan of
 * its own. {@link #fit}, {@link #trainOnBatch}, {@link #compile}, loading weights and the other
 * methods that change the model must not run while another thread uses it.
 *
 * <pre>{@code
 * Sequential model = new Sequential(
 *         new Input(4),
 *         new Dense(64, "relu"),
 *         new Dropout(0.3),
 *         new Dense(32, "relu"),
 *         new Dense(3, "softmax"));
 * model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
 * model.fit(x, y, new Fit().epochs(50).batchSize(16).validationSplit(0.2));
 * }</pre>
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    private Input input;

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    @Override
    public String typeName() {
        return "Sequential";
    }

    /** Sets the model's name (Keras's default: "sequential"). */
    @Override
    public Sequential named(String n) {
        super.named(n);
        return this;
    }

    /**
     * Adds a layer on top. An {@link Input} may only come first; once the model has an input, each
     * added layer is built at once, so a shape that does not fit fails here, naming the layer.
     */
    public final void add(Layer layer) {
        Objects.requireNonNull(layer, "layer");
        if (stack.contains(layer) || layer == input) throw new JanusException(name() + ": layer " + layer.name() + " is already in this model");
        if (layer == this) throw new JanusException(name() + ": a model cannot contain itself");
        if (layer instanceof Input && (input != null || !stack.isEmpty())) {
            throw new JanusException(name() + ": an Input can only be the first layer");
        }
        String given = layer.givenName();
        layer.name(uniqueName(layer));
        try {
            if (layer instanceof Input) {
                input = (Input) layer;
                chain();
                return;
            }
            if (input != null) layer.build(outputShape(), dtype(), generator());
        } catch (RuntimeException e) {
            layer.name(given);
            if (layer == input) input = null;
            throw e;
        }
        stack.add(layer);
        if (input != null) chain();
        graphChanged();
    }

    /** The layer's own name if it is free, else Keras's next default: dense, dense_1, dense_2 ... */
    private String uniqueName(Layer layer) {
        Set<String> taken = new HashSet<>();
        if (input != null) taken.add(input.name());
        for (Layer l : stack) taken.add(l.name());
        if (layer.givenName() != null) {
            if (taken.contains(layer.givenName())) throw new JanusException(name() + ": a layer named '" + layer.givenName() + "' is already in this model");
            return layer.givenName();
        }
        String stem = layer instanceof Input ? "input_layer" : layer.stem(), n = stem;
        for (int i = 1; taken.contains(n); i++) n = stem + "_" + i;
        return n;
    }

    /** Builds the model for samples of this shape (as an {@code Input(shape)} first would). */
    public void build(int... sampleShape) {
        if (input != null) throw new JanusException(name() + ": the model is already built for inputs " + Layer.describe(inputShape()));
        Input in = new Input(sampleShape);
        in.name(uniqueName(in));
        input = in;
        try {
            chain();
        } catch (RuntimeException e) {
            input = null;
            throw e;
        }
        graphChanged();
    }

    /** The graph of the stack: the input, then each layer called on the one before (building each). */
    private void chain() {
        input.buildSelf(generator());
        KerasTensor t = input;
        for (Layer l : stack) {
            l.build(t.shape(), dtype(), generator());
            t = new LayerCall(l, List.of(t), l.outputShapes(), input.dtype()).outputs().get(0);
        }
        setGraph(List.of(input), List.of(t));
    }

    @Override
    synchronized void buildFor(List<Tensor> xs, String what) {
        if (input != null) return;
        if (xs == null || xs.size() != 1) throw new JanusException(what + ": a Sequential takes one input tensor, got " + (xs == null ? 0 : xs.size()));
        Tensor x = xs.get(0);
        if (x == null || x.rank() < 1) throw new JanusException(what + ": x must have a batch dimension");
        build(x.shape().sub(1, x.rank()).dims());
    }

    /** The layers after the input, in order. */
    @Override
    public List<Layer> layers() {
        return Collections.unmodifiableList(stack);
    }

    public Input input() {
        return input;
    }

    @Override
    public Sequential generator(Generator g) {
        super.generator(g);
        return this;
    }

    @Override
    public Sequential runEagerly(boolean on) {
        super.runEagerly(on);
        return this;
    }

    @Override
    public Sequential compileOptions(CompileOptions options) {
        super.compileOptions(options);
        return this;
    }

    @Override
    public Sequential output(PrintStream out) {
        super.output(out);
        return this;
    }

    @Override
    public Sequential output(PrintStream out, int columns) {
        super.output(out, columns);
        return this;
    }

    /** A Sequential from the bytes of a model file ({@link #toBytes}, or a file's content); {@code source} names them in errors. */
    public static Sequential fromBytes(byte[] bytes, String source) {
        Model m = ModelFile.decode(bytes, source);
        if (!(m instanceof Sequential)) throw new JanusException(source + " holds a " + m.typeName() + " model, not a Sequential (use Model.fromBytes)");
        return (Sequential) m;
    }

    /** Loads a Sequential saved by {@link #save}, compiled as it was, with its optimizer state. */
    public static Sequential load(Path path) {
        Model m = ModelFile.load(path);
        if (!(m instanceof Sequential)) throw new JanusException(path + " holds a " + m.typeName() + " model, not a Sequential (use Model.load)");
        return (Sequential) m;
    }
}
