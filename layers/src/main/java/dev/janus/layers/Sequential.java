package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.optim.Optimizer;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.graph.TrainingStep;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A stack of layers, as Keras's {@code Sequential}: built when it has an {@link Input} (or on the
 * first data it sees), compiled with an optimizer, a loss and metrics, then trained with
 * {@link #fit}. Training runs through the graph compiler; with {@link #runEagerly} it runs the
 * same ops eagerly. Weights draw from {@link Generator#global()} unless another generator is set
 * before the model is built; shuffling and dropout draw from the same generator.
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
public class Sequential {
    private String name = "sequential";
    private final List<Layer> layers = new ArrayList<>();
    private Input input;
    private Shape outputShape;
    private Generator rng = Generator.global();
    private Optimizer optimizer;
    private Loss loss;
    private List<String> metricNames = List.of();
    private List<Metric> metrics = List.of();
    private Backend backend;
    private boolean runEagerly, stopTraining;
    private CompileOptions compileOptions = CompileOptions.defaults();
    private Map<String, Tensor> carried;
    private long carriedIterations;
    private PrintStream output = System.out;
    /** While a saved model is rebuilt: the file's weights, which its layers take instead of drawing initial values. */
    private Map<String, Tensor> saved;

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    /** Sets the model's name (Keras's default: "sequential"). */
    public Sequential named(String n) {
        name = Objects.requireNonNull(n, "name");
        return this;
    }

    public String name() {
        return name;
    }

    /**
     * Adds a layer on top. An {@link Input} may only come first; once the model has an input, each
     * added layer is built at once, so a shape that does not fit fails here, naming the layer.
     */
    public final void add(Layer layer) {
        Objects.requireNonNull(layer, "layer");
        if (layers.contains(layer) || layer == input) throw new JanusException(name + ": layer " + layer.name() + " is already in this model");
        if (layer instanceof Input && (input != null || !layers.isEmpty())) {
            throw new JanusException(name + ": an Input can only be the first layer");
        }
        String given = layer.name();
        layer.name(uniqueName(layer));
        try {
            if (layer instanceof Input) {
                input = (Input) layer;
                build();
                return;
            }
            if (input != null) outputShape = layer.build(outputShape, dtype(), rng, saved);
        } catch (RuntimeException e) {
            layer.name(given);
            if (layer == input) input = null;
            throw e;
        }
        layers.add(layer);
        dropBackend();
    }

    /** The layer's own name if it is free, else Keras's next default: dense, dense_1, dense_2 ... */
    private String uniqueName(Layer layer) {
        Set<String> taken = new HashSet<>();
        if (input != null) taken.add(input.name());
        for (Layer l : layers) taken.add(l.name());
        if (layer.name() != null) {
            if (taken.contains(layer.name())) throw new JanusException(name + ": a layer named '" + layer.name() + "' is already in this model");
            return layer.name();
        }
        String stem = layer instanceof Input ? "input_layer" : layer.stem(), n = stem;
        for (int i = 1; taken.contains(n); i++) n = stem + "_" + i;
        return n;
    }

    /** Builds the model for samples of this shape (as an {@code Input(shape)} first would). */
    public void build(int... sampleShape) {
        if (input != null) throw new JanusException(name + ": the model is already built for inputs " + Layer.describe(inputShape()));
        Input in = new Input(sampleShape);
        in.name(uniqueName(in));
        input = in;
        try {
            build();
        } catch (RuntimeException e) {
            input = null;
            throw e;
        }
        dropBackend();
    }

    private void build() {
        Shape s = input.build(input.batchShape(), input.dtype(), rng);
        for (Layer l : layers) s = l.build(s, dtype(), rng, saved);
        outputShape = s;
    }

    private synchronized void buildFor(Tensor x, String what) {
        if (input != null) return;
        if (x == null || x.rank() < 1) throw new JanusException(what + ": x must have a batch dimension");
        int[] sample = x.shape().sub(1, x.rank()).dims();
        build(sample);
    }

    public boolean isBuilt() {
        return input != null;
    }

    /** The layers after the input, in order. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** The layer of that name; the error lists the names there are. */
    public Layer layer(String layerName) {
        for (Layer l : layers) if (l.name().equals(layerName)) return l;
        List<String> names = new ArrayList<>();
        for (Layer l : layers) names.add(l.name());
        throw new JanusException(name + ": no layer named '" + layerName + "'; layers: " + names);
    }

    public Input input() {
        return input;
    }

    /** [?, features...]. */
    public Shape inputShape() {
        requireBuilt();
        return input.batchShape();
    }

    public Shape outputShape() {
        requireBuilt();
        return outputShape;
    }

    public DType dtype() {
        return input == null ? DType.FLOAT32 : input.dtype();
    }

    private void requireBuilt() {
        if (input == null) {
            throw new JanusException(name + " is not built yet: start it with an Input(shape), call build(shape), or fit it on data");
        }
    }

    /** The generator for weights, shuffling and dropout; set it before the model is built to seed the weights. */
    public Sequential generator(Generator g) {
        rng = Objects.requireNonNull(g, "generator");
        return this;
    }

    public Generator generator() {
        return rng;
    }

    // ---------------------------------------------------------------- compile

    /** Compiles with an optimizer, a loss and metrics by Keras name: ("adam", "sparse_categorical_crossentropy", ["accuracy"]). */
    public void compile(String optimizer, String loss, List<String> metrics) {
        compile(Optimizers.get(optimizer), Losses.get(loss), metrics);
    }

    public void compile(Optimizer optimizer, String loss, List<String> metrics) {
        compile(optimizer, Losses.get(loss), metrics);
    }

    /**
     * Compiles: with the model built, the training, evaluation and prediction graphs are built and
     * shape-checked now, so a loss that does not fit the output fails here.
     */
    public void compile(Optimizer optimizer, Loss loss, List<String> metrics) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(loss, "loss");
        List<String> names = List.copyOf(metrics == null ? List.of() : metrics);
        for (String m : names) Metrics.get(m, loss, new TensorType(DType.FLOAT32, Shape.of(-1, 2)));
        Optimizer oldOptimizer = this.optimizer;
        Loss oldLoss = this.loss;
        List<String> oldNames = metricNames;
        List<Metric> oldMetrics = this.metrics;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metricNames = names;
        dropBackend();
        this.carried = null;
        if (isBuilt()) {
            try {
                backend();
            } catch (RuntimeException e) {
                this.optimizer = oldOptimizer;
                this.loss = oldLoss;
                this.metricNames = oldNames;
                this.metrics = oldMetrics;
                this.backend = null;
                throw e;
            }
        }
    }

    /**
     * Trains (and predicts) through the eager engine instead of the compiler, as Keras's
     * run_eagerly: the same layers, loss, metrics and update rule run op by op, in the same order,
     * so the losses and weights are the compiled ones; for debugging and comparison. The optimizer
     * state goes along when switching.
     */
    public Sequential runEagerly(boolean on) {
        if (on != runEagerly) {
            runEagerly = on;
            replaceBackend();
        }
        return this;
    }

    public boolean runEagerly() {
        return runEagerly;
    }

    /** Which compiler passes run, and who sees the IR between them (for example IrListener.printingTo(System.out)). */
    public Sequential compileOptions(CompileOptions options) {
        compileOptions = Objects.requireNonNull(options, "options");
        replaceBackend();
        return this;
    }

    /**
     * Drops the backend so that the next use builds another (other passes, or eager), carrying the
     * optimizer's state over: training goes on where it was.
     */
    private void replaceBackend() {
        if (backend != null && backend.canTrain() && backend.iterations() > 0) {
            Map<String, Tensor> state = new java.util.LinkedHashMap<>();
            backend.optimizerState().forEach((k, v) -> state.put(k, v.copy()));
            carried = state;
            carriedIterations = backend.iterations();
        }
        dropBackend();
    }

    public CompileOptions compileOptions() {
        return compileOptions;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    /** The compiled metrics, resolved for the model's output (for example "accuracy" as sparse categorical accuracy). */
    public List<Metric> metrics() {
        return metrics;
    }

    public List<String> metricNames() {
        return metricNames;
    }

    /**
     * The compiled training step behind fit: its plans show the optimised IR and buffers
     * ({@code plan(shapes).layout()}), and it can be driven directly.
     */
    public TrainingStep compiledTrainingStep() {
        return compiled().trainingStep();
    }

    /** The compiled prediction function behind predict (plans per batch size). */
    public Executable compiledPredictor() {
        return compiled().predictor();
    }

    private CompiledBackend compiled() {
        if (runEagerly) throw new JanusException(name + " runs eagerly (runEagerly(true)): it has no compiled step");
        return (CompiledBackend) inference();
    }

    /** Releases the backend's plans (their native buffers) now; the next use builds another. */
    private void dropBackend() {
        if (backend != null) backend.close();
        backend = null;
    }

    /** The backend for predict: the training one when compiled, else one that only predicts. */
    private synchronized Backend inference() {
        requireBuilt();
        if (optimizer != null) return backend();
        if (backend == null) backend = newBackend();
        return backend;
    }

    /** A backend on the compile options' device, the weights moved there first. */
    private Backend newBackend() {
        for (Layer layer : layers()) for (Weight w : layer.weights()) w.moveTo(compileOptions.device(), compileOptions.storage());
        return runEagerly ? new EagerBackend(this) : new CompiledBackend(this, compileOptions);
    }

    synchronized Backend backend() {
        if (optimizer == null) {
            throw new JanusException(name + " is not compiled: call compile(optimizer, loss, metrics) before fit or evaluate");
        }
        requireBuilt();
        if (backend == null || !backend.canTrain()) {
            TensorType out = new TensorType(dtype(), outputShape);
            loss.labelType(out);
            List<Metric> ms = new ArrayList<>();
            for (String m : metricNames) ms.add(Metrics.get(m, loss, out));
            metrics = List.copyOf(ms);
            backend = newBackend();
            if (carried != null) {
                backend.restoreOptimizerState(carried, carriedIterations);
                carried = null;
            }
        }
        return backend;
    }

    /**
     * The model's prediction as core IR, for export (and to read): the graph that {@link #predict}
     * compiles, before the compiler's passes. Its input "x" has an unknown batch dimension; the
     * layers' weights are its parameters, holding the live weight tensors (not copies); dropout is
     * left out; the output is the last layer's, its activation included.
     */
    public Graph inferenceGraph() {
        requireBuilt();
        return CompiledBackend.graph(this, "predict", false, false);
    }

    // ---------------------------------------------------------------- training

    /** Trains with the default settings (1 epoch, batches of 32, progress bar). */
    public History fit(Tensor x, Tensor y) {
        return fit(x, y, new Fit());
    }

    /**
     * Trains as Keras's fit: x and y are checked first (sample counts, shapes, label range, finite
     * values), so bad data fails before any weight changes.
     */
    public History fit(Tensor x, Tensor y, Fit options) {
        buildFor(x, "fit");
        return Training.fit(this, backend(), x, y, options);
    }

    /**
     * One training step on this batch (Keras's train_on_batch), through the compiler or eagerly;
     * returns the batch's loss and metrics. The data is checked first, as in {@link #fit}.
     */
    public Map<String, Double> trainOnBatch(Tensor x, Tensor y) {
        buildFor(x, "trainOnBatch");
        return Training.trainOnBatch(this, backend(), x, y);
    }

    /** Loss and metrics on (x, y), with batches of 32 and a progress bar, as Keras prints it. */
    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluate(x, y, 32, 1);
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize, int verbose) {
        if (verbose < 0 || verbose > 2) throw new JanusException("evaluate: verbose must be 0, 1 or 2, got " + verbose);
        buildFor(x, "evaluate");
        return Training.evaluate(this, backend(), x, y, batchSize, verbose);
    }

    /** The model's outputs for x, computed in batches of 32 (inference: dropout off). */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
    }

    public Tensor predict(Tensor x, int batchSize) {
        buildFor(x, "predict");
        return Training.predict(this, inference(), x, batchSize);
    }

    /** Stops fit after the current epoch (for callbacks). */
    public void stopTraining(boolean stop) {
        stopTraining = stop;
    }

    public boolean stopTraining() {
        return stopTraining;
    }

    /** Where fit and evaluate print their progress (System.out unless set). */
    public Sequential output(PrintStream out) {
        output = Objects.requireNonNull(out, "output");
        return this;
    }

    public PrintStream output() {
        return output;
    }

    // ---------------------------------------------------------------- weights

    /** Every weight of every layer, in order. */
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.weights());
        return all;
    }

    /** Copies of the weights' values, in {@link #weights()} order (Keras's get_weights). */
    public List<Tensor> getWeights() {
        List<Tensor> out = new ArrayList<>();
        for (Weight w : weights()) out.add(w.value().copy());
        return out;
    }

    /** Overwrites the weights' values in place; all shapes are checked before any is written. */
    public void setWeights(List<Tensor> values) {
        List<Weight> ws = weights();
        if (values.size() != ws.size()) throw new ShapeException(name + ": expected " + ws.size() + " weights, got " + values.size());
        for (int i = 0; i < ws.size(); i++) {
            if (!values.get(i).type().equals(ws.get(i).value().type())) {
                throw new ShapeException(name + ": weight " + ws.get(i).name() + " is " + ws.get(i).value().type()
                        + ", got " + values.get(i).type());
            }
        }
        for (int i = 0; i < ws.size(); i++) ws.get(i).value().copyFrom(values.get(i));
    }

    public long countParams() {
        long n = 0;
        for (Layer l : layers) n += l.paramCount();
        return n;
    }

    /** Prints the Keras-style summary table to {@link #output()}. */
    public void summary() {
        output.println(Summary.of(this));
    }

    // ---------------------------------------------------------------- files

    /**
     * Saves the whole model (architecture, weights, compile settings and optimizer state) to one
     * file, written to a temporary file and renamed, so a crash never leaves half a file. The format
     * holds only data: loading it never runs code.
     */
    public void save(Path path) {
        ModelFile.save(this, path);
    }

    /** Loads a model saved by {@link #save}, compiled as it was, with its optimizer state. */
    public static Sequential load(Path path) {
        return ModelFile.load(path);
    }

    /** The bytes {@link #save} writes: the whole model in the model-file format (to send it elsewhere). */
    public byte[] toBytes() {
        return ModelFile.encode(this);
    }

    /** A model from the bytes of a model file ({@link #toBytes}, or a file's content); {@code source} names them in errors. */
    public static Sequential fromBytes(byte[] bytes, String source) {
        return ModelFile.decode(bytes, source);
    }

    /**
     * Rebuilds a saved model from its layers (the first an {@link Input}): each weight is the file's
     * value, checked against the shape its layer makes before any weight of that size exists.
     */
    static Sequential rebuild(String name, List<Layer> layers, Map<String, Tensor> weights) {
        Sequential model = new Sequential().named(name);
        model.saved = weights;
        try {
            for (Layer l : layers) model.add(l);
        } finally {
            model.saved = null;
        }
        return model;
    }

    /** The optimizer's state by "{weight}/{state}" (for saving). */
    Map<String, Tensor> optimizerState() {
        return backend().optimizerState();
    }

    void restoreOptimizerState(Map<String, Tensor> state, long iterations) {
        backend().restoreOptimizerState(state, iterations);
    }

    /** Optimizer steps taken since compile. */
    long iterations() {
        if (backend != null) return backend.iterations();
        return carried != null ? carriedIterations : 0;
    }

    @Override
    public String toString() {
        return Summary.of(this);
    }
}
