package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ops.Emitter;
import dev.janus.core.optim.Optimizer;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metric;
import dev.janus.layers.metrics.Metrics;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model, as Keras's {@code keras.Model}: the graph of layer calls between {@link Input}s and
 * outputs (the Functional API), compiled with an optimizer, a loss per output and metrics, then
 * trained with {@link #fit}. Training runs through the graph compiler; with {@link #runEagerly}
 * the same ops run eagerly. A model is itself a layer: calling it on symbolic tensors nests it in
 * another model, sharing its weights. {@link Sequential} is the model of a stack of layers.
 *
 * <pre>{@code
 * Input a = new Input(4).named("a"), b = new Input(2).named("b");
 * KerasTensor h = new Concatenate().apply(new Dense(8, "relu").apply(a), b);
 * Model model = new Model(List.of(a, b), List.of(new Dense(3, "softmax").named("species").apply(h),
 *                                                 new Dense(1).named("size").apply(h)));
 * model.compile(new Adam(1e-3), List.of(Losses.get("sparse_categorical_crossentropy"), Losses.get("mse")),
 *               List.of(1.0, 0.5), List.of(List.of("accuracy"), List.of()));
 * model.fit(List.of(xa, xb), List.of(species, size), new Fit().epochs(10));
 * }</pre>
 *
 * <p>Weights draw from {@link Generator#global()} when a layer is first called (or, in a
 * Sequential, from its generator); shuffling and dropout draw from {@link #generator()}.
 */
public class Model extends Layer {
    private List<Input> inputs = List.of();
    private List<KerasTensor> outputs = List.of();
    private List<LayerCall> calls = List.of();
    private List<Layer> layers = List.of();
    private Generator rng = Generator.global();
    private Optimizer optimizer;
    private List<Loss> losses = List.of();
    private List<Double> lossWeights = List.of();
    private List<List<String>> metricNames = List.of();
    private List<List<Metric>> metrics = List.of();
    private Backend backend;
    private boolean runEagerly, stopTraining, quantizationAware;
    private int startEpoch;
    private CompileOptions compileOptions = CompileOptions.defaults();
    private Map<String, Tensor> carried;
    private long carriedIterations;
    private PrintStream output = System.out;
    private int terminalColumns = -1;

    /** The model of the layer calls that lead from {@code inputs} to {@code outputs}. */
    public Model(List<? extends KerasTensor> inputs, List<? extends KerasTensor> outputs) {
        super(null);
        setGraph(inputList(inputs), List.copyOf(outputs));
    }

    /** A model of one input and one output. */
    public Model(KerasTensor input, KerasTensor output) {
        this(List.of(input), List.of(output));
    }

    /** For {@link Sequential}: the graph comes later. */
    Model() {
        super(null);
    }

    private static List<Input> inputList(List<? extends KerasTensor> given) {
        if (given.isEmpty()) throw new JanusException("Model: needs at least one input");
        List<Input> out = new ArrayList<>();
        for (KerasTensor t : given) {
            if (!(t instanceof Input)) {
                throw new JanusException("Model: inputs must be Input tensors (keras.Input), got " + t);
            }
            if (out.contains(t)) throw new JanusException("Model: input " + ((Input) t).name() + " is listed twice");
            out.add((Input) t);
        }
        return out;
    }

    /** The Keras class name: "Functional" for a model made from inputs and outputs. */
    @Override
    public String typeName() {
        return "Functional";
    }

    /** The name given, or Keras's default ("functional", "sequential"). */
    @Override
    public String name() {
        String n = super.name();
        return n != null ? n : stem();
    }

    /** Sets the model's name. */
    public Model named(String n) {
        name(Objects.requireNonNull(n, "name"));
        return this;
    }

    /**
     * Takes the graph from {@code ins} to {@code outs}: the calls that lead to the outputs, in an
     * order where each call comes after those it depends on; names the layers that have none
     * (Keras's input_layer, dense, dense_1 ...). A tensor that needs an input not in {@code ins}
     * is an error naming it.
     */
    final void setGraph(List<Input> ins, List<KerasTensor> outs) {
        if (outs.isEmpty()) throw new JanusException(name() + ": needs at least one output");
        List<LayerCall> order = new ArrayList<>();
        Set<LayerCall> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (KerasTensor t : outs) {
            if (t == null) throw new JanusException(name() + ": an output is null");
            visit(t, ins, order, done, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        List<Layer> distinct = new ArrayList<>();
        for (LayerCall c : order) if (!distinct.contains(c.layer)) distinct.add(c.layer);
        for (Layer l : distinct) {
            if (l == this) throw new JanusException(name() + ": a model cannot contain itself");
        }
        nameLayers(ins, distinct);
        for (Input in : ins) in.buildSelf(rng);
        inputs = List.copyOf(ins);
        outputs = List.copyOf(outs);
        calls = List.copyOf(order);
        layers = List.copyOf(distinct);
        dropBackend();
    }

    private void visit(KerasTensor t, List<Input> ins, List<LayerCall> order, Set<LayerCall> done, Set<LayerCall> path) {
        if (t instanceof Input) {
            if (!ins.contains(t)) {
                throw new JanusException(name() + ": graph disconnected: an output needs input " + ((Input) t).displayName()
                        + " " + Layer.describe(t.shape()) + ", which is not among the model's inputs");
            }
            return;
        }
        LayerCall c = ((LayerCall.Output) t).call;
        if (done.contains(c)) return;
        if (!path.add(c)) throw new JanusException(name() + ": the layer graph has a cycle through " + c.layer.displayName());
        for (KerasTensor in : c.inputs) visit(in, ins, order, done, path);
        path.remove(c);
        done.add(c);
        order.add(c);
    }

    /** Gives each unnamed layer Keras's next free default name; two layers of one name are an error. */
    private void nameLayers(List<Input> ins, List<Layer> distinct) {
        Set<String> taken = new HashSet<>();
        List<Layer> all = new ArrayList<>(ins);
        all.addAll(distinct);
        for (Layer l : all) {
            String n = l.givenName();
            if (n != null && !taken.add(n)) throw new JanusException(name() + ": two layers are named '" + n + "'");
        }
        for (Layer l : all) {
            if (l.givenName() != null) continue;
            String stem = l instanceof Input ? "input_layer" : l.stem(), n = stem;
            for (int i = 1; taken.contains(n); i++) n = stem + "_" + i;
            taken.add(n);
            l.name(n);
        }
    }

    // ---------------------------------------------------------------- the graph

    public boolean isBuilt() {
        return !inputs.isEmpty();
    }

    /** The model's inputs, in order. */
    public List<Input> inputs() {
        return inputs;
    }

    /** The model's outputs, in order. */
    public List<KerasTensor> outputs() {
        return outputs;
    }

    /** The layers after the inputs, each once, in the order they are first called. */
    public List<Layer> layers() {
        return layers;
    }

    List<LayerCall> calls() {
        return calls;
    }

    /** The layer of that name; the error lists the names there are. */
    public Layer layer(String layerName) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers()) {
            if (l.name().equals(layerName)) return l;
            names.add(l.name());
        }
        throw new JanusException(name() + ": no layer named '" + layerName + "'; layers: " + names);
    }

    /** The names of the outputs: the layers that give them ("dense_2"), as Keras names them. */
    public List<String> outputNames() {
        List<String> names = new ArrayList<>();
        for (KerasTensor t : outputs) names.add(t.layer().name());
        return names;
    }

    /** The names of the inputs, the keys of fit's and predict's maps. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>();
        for (Input in : inputs) names.add(in.name());
        return names;
    }

    /** [?, features...] of the first input. */
    public Shape inputShape() {
        requireBuilt();
        return inputs.get(0).batchShape();
    }

    /** The shape of the first output. */
    public Shape outputShape() {
        requireBuilt();
        return outputs.get(0).shape();
    }

    /** The dtype of the first input (float32 before the model is built). */
    @Override
    public DType dtype() {
        return inputs.isEmpty() ? DType.FLOAT32 : inputs.get(0).dtype();
    }

    void requireBuilt() {
        if (!isBuilt()) {
            throw new JanusException(name() + " is not built yet: start it with an Input(shape), call build(shape), or fit it on data");
        }
    }

    /** The generator for shuffling and dropout (and a Sequential's weights); set it before building to seed those. */
    public Model generator(Generator g) {
        rng = Objects.requireNonNull(g, "generator");
        return this;
    }

    public Generator generator() {
        return rng;
    }

    // ---------------------------------------------------------------- as a layer of another model

    @Override
    protected Shape create(Shape input, DType dtype, Generator g) {
        return create(List.of(input), dtype, g).get(0);
    }

    @Override
    protected List<Shape> create(List<Shape> given, DType dtype, Generator g) {
        requireBuilt();
        if (given.size() != inputs.size()) {
            throw new ShapeException(displayName() + " takes " + inputs.size() + " inputs, got " + given.size());
        }
        for (int i = 0; i < given.size(); i++) {
            if (!given.get(i).compatible(inputs.get(i).batchShape())) {
                throw new ShapeException(displayName() + ": input " + inputs.get(i).name() + " is " + Layer.describe(inputs.get(i).batchShape())
                        + ", got " + Layer.describe(given.get(i)));
            }
        }
        List<Shape> out = new ArrayList<>();
        for (KerasTensor t : outputs) out.add(t.shape());
        return out;
    }

    /** Every weight of every layer, each once, in layer order (a nested model's included). */
    @Override
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>();
        Set<Weight> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Layer l : layers()) for (Weight w : l.weights()) if (seen.add(w)) all.add(w);
        return all;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return call(e, List.of(x), weights, training).get(0);
    }

    @Override
    public <V> List<V> call(Emitter<V> e, List<V> xs, List<V> weights, boolean training) {
        Map<Weight, V> handles = new IdentityHashMap<>();
        List<Weight> ws = weights();
        for (int i = 0; i < ws.size(); i++) handles.put(ws.get(i), weights.get(i));
        return Forward.run(this, e, xs, handles::get, training, label -> { }).outputs;
    }

    // ---------------------------------------------------------------- compile

    /** Compiles with an optimizer, a loss and metrics by Keras name: ("adam", "sparse_categorical_crossentropy", ["accuracy"]). */
    public void compile(String optimizer, String loss, List<String> metrics) {
        compile(Optimizers.get(optimizer), Losses.get(loss), metrics);
    }

    public void compile(Optimizer optimizer, String loss, List<String> metrics) {
        compile(optimizer, Losses.get(loss), metrics);
    }

    /** One loss and one list of metrics for every output (as Keras does with a single loss). */
    public void compile(Optimizer optimizer, Loss loss, List<String> metrics) {
        Objects.requireNonNull(loss, "loss");
        int n = Math.max(1, outputs.size());
        List<String> ms = List.copyOf(metrics == null ? List.of() : metrics);
        compile(optimizer, Collections.nCopies(n, loss), Collections.nCopies(n, 1.0), Collections.nCopies(n, ms));
    }

    /**
     * Compiles with a loss, a loss weight and metrics per output, in the order of
     * {@link #outputs()} (a null loss leaves that output out of training). The loss trained is the
     * weighted sum; fit logs it as "loss", each output's as "{output}_loss" and its metrics as
     * "{output}_{metric}".
     */
    public void compile(Optimizer optimizer, List<Loss> losses, List<Double> lossWeights, List<List<String>> metrics) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(losses, "losses");
        if (optimizer.hasParameters()) {
            throw new JanusException(name() + ".compile: the " + optimizer.name() + " was made with an eager module's parameters (PyTorch"
                    + " style); the model trains its own weights: give compile one made without, such as new "
                    + optimizer.getClass().getSimpleName() + "(" + optimizer.lr() + ")");
        }
        int n = Math.max(1, outputs.size());
        if (isBuilt() && losses.size() != n) throw new JanusException(name() + ": " + n + " outputs but " + losses.size() + " losses");
        List<Double> weights = lossWeights == null ? Collections.nCopies(losses.size(), 1.0) : List.copyOf(lossWeights);
        List<List<String>> names = metrics == null ? Collections.nCopies(losses.size(), List.of()) : List.copyOf(metrics);
        if (weights.size() != losses.size() || names.size() != losses.size()) {
            throw new JanusException(name() + ": " + losses.size() + " losses, " + weights.size() + " loss weights and " + names.size()
                    + " metric lists: give one of each per output");
        }
        boolean any = false;
        for (int i = 0; i < losses.size(); i++) {
            if (losses.get(i) != null) any = true;
            if (!(weights.get(i) >= 0) || Double.isInfinite(weights.get(i))) {
                throw new JanusException(name() + ": loss weight " + weights.get(i) + " must be a finite number >= 0");
            }
            for (String m : names.get(i)) Metrics.get(m, losses.get(i), new TensorType(DType.FLOAT32, Shape.of(-1, 2)));
        }
        if (!any) throw new JanusException(name() + ": every loss is null; nothing would train");
        Optimizer oldOptimizer = this.optimizer;
        List<Loss> oldLosses = this.losses;
        List<Double> oldWeights = this.lossWeights;
        List<List<String>> oldNames = metricNames;
        List<List<Metric>> oldMetrics = this.metrics;
        this.optimizer = optimizer;
        this.losses = Collections.unmodifiableList(new ArrayList<>(losses));
        this.lossWeights = weights;
        List<List<String>> copied = new ArrayList<>();
        for (List<String> l : names) copied.add(List.copyOf(l));
        this.metricNames = List.copyOf(copied);
        dropBackend();
        this.carried = null;
        if (isBuilt()) {
            try {
                backend();
            } catch (RuntimeException e) {
                this.optimizer = oldOptimizer;
                this.losses = oldLosses;
                this.lossWeights = oldWeights;
                this.metricNames = oldNames;
                this.metrics = oldMetrics;
                this.backend = null;
                throw e;
            }
        }
    }

    /** As {@link #compile(Optimizer, List, List, List)}, with the losses, weights and metrics by output name (missing: none). */
    public void compile(Optimizer optimizer, Map<String, Loss> losses, Map<String, Double> lossWeights, Map<String, List<String>> metrics) {
        requireBuilt();
        List<String> names = outputNames();
        for (Map<String, ?> m : java.util.Arrays.asList(losses, lossWeights, metrics)) {
            if (m == null) continue;
            for (String k : m.keySet()) {
                if (!names.contains(k)) throw new JanusException(name() + ": no output named '" + k + "'; outputs: " + names);
            }
        }
        List<Loss> ls = new ArrayList<>();
        List<Double> ws = new ArrayList<>();
        List<List<String>> ms = new ArrayList<>();
        for (String k : names) {
            ls.add(losses.get(k));
            ws.add(lossWeights == null || !lossWeights.containsKey(k) ? 1.0 : lossWeights.get(k));
            ms.add(metrics == null || !metrics.containsKey(k) ? List.of() : metrics.get(k));
        }
        compile(optimizer, ls, ws, ms);
    }

    /**
     * Trains (and predicts) through the eager engine instead of the compiler, as Keras's
     * run_eagerly: the same layers, loss, metrics and update rule run op by op, in the same order,
     * so the losses and weights are the compiled ones; for debugging and comparison. The optimizer
     * state goes along when switching.
     */
    public Model runEagerly(boolean on) {
        if (on != runEagerly) {
            runEagerly = on;
            replaceBackend();
        }
        return this;
    }

    public boolean runEagerly() {
        return runEagerly;
    }

    /**
     * Quantization-aware training (TensorFlow Model Optimization's {@code quantize_model}): fit's
     * steps run the layers with their int8 quantization simulated by fake_quantize (straight-through
     * gradient): Dense and Conv2D kernels per output channel and their inputs per tensor, the
     * recurrent kernels per gate row, with the scales static quantization gives them
     * ({@code core.quant.FakeQuantization}). evaluate, predict and the exported graph stay the float
     * model; its int8 form is what {@code OnnxQuantizer} (or {@code ModelExport}'s quantize option)
     * writes of it. The optimizer state carries over, as with {@link #runEagerly}.
     */
    public Model quantizationAware(boolean on) {
        if (on != quantizationAware) {
            quantizationAware = on;
            replaceBackend();
        }
        return this;
    }

    public boolean quantizationAware() {
        return quantizationAware;
    }

    /** Which compiler passes run, and who sees the IR between them (for example IrListener.printingTo(System.out)). */
    public Model compileOptions(CompileOptions options) {
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
            Map<String, Tensor> state = new LinkedHashMap<>();
            backend.optimizerState().forEach((k, v) -> state.put(k, v.copy()));
            carried = state;
            carriedIterations = backend.iterations();
        }
        dropBackend();
    }

    /** The graph changed (a layer was added): nothing compiled for the old one is valid. */
    final void graphChanged() {
        dropBackend();
    }

    /** Releases the backend's plans (their native buffers) now; the next use builds another. */
    private void dropBackend() {
        if (backend != null) backend.close();
        backend = null;
    }

    public CompileOptions compileOptions() {
        return compileOptions;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loss of the first output (the model's loss, for a model of one output). */
    public Loss loss() {
        return losses.isEmpty() ? null : losses.get(0);
    }

    /** The loss of each output (null where an output has none). */
    public List<Loss> losses() {
        return losses;
    }

    public List<Double> lossWeights() {
        return lossWeights;
    }

    /** The compiled metrics of the first output, resolved for it (for example "accuracy" as sparse categorical accuracy). */
    public List<Metric> metrics() {
        return metrics.isEmpty() ? List.of() : metrics.get(0);
    }

    /** The compiled metrics of each output. */
    public List<List<Metric>> outputMetrics() {
        return metrics;
    }

    /** The metric names of the first output, as compiled. */
    public List<String> metricNames() {
        return metricNames.isEmpty() ? List.of() : metricNames.get(0);
    }

    List<List<String>> allMetricNames() {
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
        if (runEagerly) throw new JanusException(name() + " runs eagerly (runEagerly(true)): it has no compiled step");
        return (CompiledBackend) inference();
    }

    /** The backend for predict: the training one when compiled, else one that only predicts. */
    synchronized Backend inference() {
        requireBuilt();
        if (optimizer != null) return backend();
        if (backend == null) backend = newBackend();
        return backend;
    }

    /** A backend on the compile options' device, the weights moved there first. */
    private Backend newBackend() {
        for (Weight w : weights()) w.moveTo(compileOptions.device(), compileOptions.storage());
        return runEagerly ? new EagerBackend(this) : new CompiledBackend(this, compileOptions);
    }

    synchronized Backend backend() {
        if (optimizer == null) {
            throw new JanusException(name() + " is not compiled: call compile(optimizer, loss, metrics) before fit or evaluate");
        }
        requireBuilt();
        if (losses.size() != outputs.size()) {
            throw new JanusException(name() + ": compiled with " + losses.size() + " losses for " + outputs.size() + " outputs; compile again");
        }
        if (backend == null || !backend.canTrain()) {
            List<List<Metric>> ms = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
                List<Metric> per = new ArrayList<>();
                Loss loss = losses.get(i);
                if (loss != null) {
                    TensorType out = new TensorType(outputs.get(i).dtype(), outputs.get(i).shape());
                    loss.labelType(out);
                    for (String m : metricNames.get(i)) per.add(Metrics.get(m, loss, out));
                }
                ms.add(List.copyOf(per));
            }
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
     * compiles, before the compiler's passes. Its inputs have an unknown batch dimension; the
     * layers' weights are its parameters, holding the live weight tensors (not copies); dropout is
     * left out.
     */
    public Graph inferenceGraph() {
        requireBuilt();
        return CompiledBackend.graph(this, "predict", false, false);
    }

    // ---------------------------------------------------------------- training

    /** Builds the model from data when it has no input yet (a Sequential without an Input). */
    void buildFor(List<Tensor> xs, String what) {
        requireBuilt();
    }

    /** Trains with the default settings (1 epoch, batches of 32, progress bar). */
    public History fit(Tensor x, Tensor y) {
        return fit(x, y, new Fit());
    }

    /**
     * Trains as Keras's fit: x and y are checked first (sample counts, shapes, label range, finite
     * values), so bad data fails before any weight changes.
     */
    public History fit(Tensor x, Tensor y, Fit options) {
        return fit(List.of(x), List.of(y), options);
    }

    /** Trains a model of several inputs or outputs: one tensor per input and per output, in order. */
    public History fit(List<Tensor> xs, List<Tensor> ys, Fit options) {
        buildFor(xs, "fit");
        return Training.fit(this, backend(), xs, ys, options);
    }

    /** As {@link #fit(List, List, Fit)}, the tensors by input and output name. */
    public History fit(Map<String, Tensor> xs, Map<String, Tensor> ys, Fit options) {
        requireBuilt();
        return fit(byName("fit: x", inputNames(), xs), byName("fit: y", outputNames(), ys), options);
    }

    /** The tensors in {@code names} order; every name must be there, and nothing else. */
    static List<Tensor> byName(String what, List<String> names, Map<String, Tensor> given) {
        if (given == null) throw new JanusException(what + " is missing");
        for (String k : given.keySet()) {
            if (!names.contains(k)) throw new JanusException(what + ": unknown name '" + k + "'; expected " + names);
        }
        List<Tensor> out = new ArrayList<>();
        for (String n : names) {
            if (!given.containsKey(n)) throw new JanusException(what + ": no tensor for '" + n + "'; expected " + names);
            out.add(given.get(n));
        }
        return out;
    }

    /**
     * One training step on this batch (Keras's train_on_batch), through the compiler or eagerly;
     * returns the batch's loss and metrics. The data is checked first, as in {@link #fit}.
     */
    public Map<String, Double> trainOnBatch(Tensor x, Tensor y) {
        return trainOnBatch(List.of(x), List.of(y));
    }

    public Map<String, Double> trainOnBatch(List<Tensor> xs, List<Tensor> ys) {
        return trainOnBatch(xs, ys, null);
    }

    /** One training step with a weight per sample (Keras's train_on_batch(..., sample_weight)), as fit weights them. */
    public Map<String, Double> trainOnBatch(Tensor x, Tensor y, Tensor sampleWeight) {
        return trainOnBatch(List.of(x), List.of(y), sampleWeight);
    }

    public Map<String, Double> trainOnBatch(List<Tensor> xs, List<Tensor> ys, Tensor sampleWeight) {
        buildFor(xs, "trainOnBatch");
        return Training.trainOnBatch(this, backend(), xs, ys, sampleWeight);
    }

    /** Loss and metrics on (x, y), with batches of 32 and a progress bar, as Keras prints it. */
    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluate(x, y, 32, 1);
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize, int verbose) {
        return evaluate(List.of(x), List.of(y), batchSize, verbose);
    }

    public Map<String, Double> evaluate(List<Tensor> xs, List<Tensor> ys, int batchSize, int verbose) {
        return evaluate(xs, ys, null, batchSize, verbose);
    }

    /**
     * Loss and metrics with a weight per sample [n], as Keras's evaluate(..., sample_weight): each
     * loss is the mean of the weighted per-sample losses; the metrics are not weighted.
     */
    public Map<String, Double> evaluate(Tensor x, Tensor y, Tensor sampleWeight, int batchSize, int verbose) {
        return evaluate(List.of(x), List.of(y), sampleWeight, batchSize, verbose);
    }

    public Map<String, Double> evaluate(List<Tensor> xs, List<Tensor> ys, Tensor sampleWeight, int batchSize, int verbose) {
        if (verbose < 0 || verbose > 2) throw new JanusException("evaluate: verbose must be 0, 1 or 2, got " + verbose);
        buildFor(xs, "evaluate");
        return Training.evaluate(this, backend(), xs, ys, sampleWeight, batchSize, verbose);
    }

    public Map<String, Double> evaluate(Map<String, Tensor> xs, Map<String, Tensor> ys, int batchSize, int verbose) {
        requireBuilt();
        return evaluate(byName("evaluate: x", inputNames(), xs), byName("evaluate: y", outputNames(), ys), batchSize, verbose);
    }

    /** The model's output for x, computed in batches of 32 (inference: dropout off); the model must have one input and one output. */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
    }

    public Tensor predict(Tensor x, int batchSize) {
        List<Tensor> out = predict(List.of(x), batchSize);
        if (out.size() != 1) throw new JanusException(name() + " has " + out.size() + " outputs: use predict(List) or predict(Map)");
        return out.get(0);
    }

    /** Every output for the inputs (one tensor per input, in order), in batches. */
    public List<Tensor> predict(List<Tensor> xs, int batchSize) {
        buildFor(xs, "predict");
        return Training.predict(this, inference(), xs, batchSize);
    }

    /** Every output by name, for the inputs by name. */
    public Map<String, Tensor> predict(Map<String, Tensor> xs, int batchSize) {
        requireBuilt();
        List<Tensor> out = predict(byName("predict: x", inputNames(), xs), batchSize);
        Map<String, Tensor> named = new LinkedHashMap<>();
        List<String> names = outputNames();
        for (int i = 0; i < out.size(); i++) named.put(names.get(i), out.get(i));
        return named;
    }

    /** Stops fit after the current epoch (for callbacks). */
    public void stopTraining(boolean stop) {
        stopTraining = stop;
    }

    public boolean stopTraining() {
        return stopTraining;
    }

    /**
     * Makes the fit that is starting begin at this epoch (counted from 0), for a callback's
     * onTrainBegin that restores a backup, as Keras's BackupAndRestore sets the initial epoch.
     */
    public void startAtEpoch(int epoch) {
        if (epoch < 0) throw new JanusException(name() + ": the epoch to start at must be >= 0, got " + epoch);
        startEpoch = epoch;
    }

    /** The epoch set by {@link #startAtEpoch}, then 0 again: fit reads it once, after onTrainBegin. */
    int takeStartEpoch() {
        int e = startEpoch;
        startEpoch = 0;
        return e;
    }

    /**
     * Where fit and evaluate print their progress (System.out unless set). Another stream is taken
     * for a file or a pipe: verbose 1 prints one plain line per epoch there, as verbose 2 does.
     */
    public Model output(PrintStream out) {
        output = Objects.requireNonNull(out, "output");
        terminalColumns = -1;
        return this;
    }

    /** As {@link #output(PrintStream)}, for a terminal of that many columns: verbose 1 draws a bar that fits it. */
    public Model output(PrintStream out, int columns) {
        if (columns < 20) throw new JanusException(name() + ": a terminal of " + columns + " columns is too narrow for a progress bar");
        output = Objects.requireNonNull(out, "output");
        terminalColumns = columns;
        return this;
    }

    public PrintStream output() {
        return output;
    }

    /** The width of the terminal the progress goes to, or 0 when it is not a terminal. */
    int terminalColumns() {
        return terminalColumns >= 0 ? terminalColumns : ProgressBar.terminalColumns(output);
    }

    // ---------------------------------------------------------------- weights

    /** Copies of the weights' values, in {@link #weights()} order (Keras's get_weights). */
    public List<Tensor> getWeights() {
        List<Tensor> out = new ArrayList<>();
        for (Weight w : weights()) out.add(w.value().copy());
        return out;
    }

    /** Overwrites the weights' values in place; all shapes are checked before any is written. */
    public void setWeights(List<Tensor> values) {
        List<Weight> ws = weights();
        if (values.size() != ws.size()) throw new ShapeException(name() + ": expected " + ws.size() + " weights, got " + values.size());
        for (int i = 0; i < ws.size(); i++) {
            if (!values.get(i).type().equals(ws.get(i).value().type())) {
                throw new ShapeException(name() + ": weight " + ws.get(i).name() + " is " + ws.get(i).value().type()
                        + ", got " + values.get(i).type());
            }
        }
        for (int i = 0; i < ws.size(); i++) ws.get(i).value().copyFrom(values.get(i));
    }

    /**
     * Each weight by its path: "dense/kernel", and for a layer of a nested model
     * "{model}/dense/kernel"; these name the graph's parameters and the weights in a saved file.
     */
    public Map<String, Weight> namedWeights() {
        Map<String, Weight> out = new LinkedHashMap<>();
        Set<Weight> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collectWeights("", out, seen);
        return out;
    }

    private void collectWeights(String prefix, Map<String, Weight> out, Set<Weight> seen) {
        for (Layer l : layers()) {
            if (l instanceof Model) {
                ((Model) l).collectWeights(prefix + l.name() + "/", out, seen);
                continue;
            }
            for (Weight w : l.weights()) {
                if (!seen.add(w)) continue;
                String path = prefix + w.name();
                if (out.containsKey(path)) throw new JanusException(name() + ": two weights are named " + path);
                out.put(path, w);
            }
        }
    }

    public long countParams() {
        long n = 0;
        for (Weight w : weights()) n += w.value().numel();
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

    /** The bytes {@link #save} writes: the whole model in the model-file format (to send it elsewhere). */
    public byte[] toBytes() {
        return ModelFile.encode(this);
    }

    /** A model from the bytes of a model file ({@link #toBytes}, or a file's content); {@code source} names them in errors. */
    public static Model fromBytes(byte[] bytes, String source) {
        return ModelFile.decode(bytes, source);
    }

    /**
     * Loads the weights, and the optimizer state and learning rate when both this model and the file
     * are compiled with the same optimizer, from a model file of the same architecture (Keras's
     * load_weights). Every weight's name and type and the optimizer state are checked before
     * anything is written.
     */
    public void loadWeights(Path path) {
        Model saved = load(path);
        Map<String, Weight> mine = namedWeights(), theirs = saved.namedWeights();
        if (!mine.keySet().equals(theirs.keySet())) {
            throw new JanusException(name() + ": " + path + " holds the weights " + theirs.keySet() + "; this model has " + mine.keySet());
        }
        for (Map.Entry<String, Weight> w : mine.entrySet()) {
            TensorType want = w.getValue().value().type(), got = theirs.get(w.getKey()).value().type();
            if (!want.equals(got)) throw new JanusException(name() + ": weight " + w.getKey() + " is " + want + " here but " + got + " in " + path);
        }
        if (optimizer != null && saved.optimizer() != null && saved.iterations() > 0) {
            if (!optimizer.name().equals(saved.optimizer().name())) {
                throw new JanusException(name() + ": compiled with " + optimizer.name() + " but " + path + " holds the state of " + saved.optimizer().name());
            }
            restoreOptimizerState(saved.optimizerState(), saved.iterations());   // checks every name and type first
            optimizer.setLr(saved.optimizer().lr());
        }
        for (Map.Entry<String, Weight> w : mine.entrySet()) w.getValue().value().copyFrom(theirs.get(w.getKey()).value());
    }

    /** Loads a model saved by {@link #save}, compiled as it was, with its optimizer state. */
    public static Model load(Path path) {
        return ModelFile.load(path);
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
