package dev.janus.layers;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model through the graph compiler. The layers emit three graphs with a dynamic batch
 * dimension (checked when compiling): training (dropout on, losses, metric sums, then the compiler
 * adds backward and the optimizer update), evaluation (dropout off) and prediction. Plans are
 * made per batch size; a batch is gathered straight into the plan's input buffers. Evaluation and
 * prediction may run from many threads at once (each call on a plan of its own); training, which
 * writes the weights, runs alone.
 */
final class CompiledBackend implements Backend {
    private final TrainingStep step;
    private final Executable evaluation, prediction;
    private final Model model;
    private final CompileOptions options;
    private ExecContext ctx;
    private final Map<Integer, Plan> trainPlans = new HashMap<>(), weightedTrainPlans = new HashMap<>();
    /**
     * The graphs with sample weights as inputs, made on first use. The two training steps each hold
     * optimizer state, so a model fit with and without sample weights keeps two copies of it (for
     * Adam, twice the weights' size each); {@code active} has the current one, copied over when the
     * other is used.
     */
    private TrainingStep weightedStep, active;
    private Executable weightedEvaluation;

    /** Training and evaluation need the model compiled; prediction alone does not. */
    CompiledBackend(Model model, CompileOptions options) {
        boolean compiled = model.optimizer() != null;
        this.model = model;
        this.options = options;
        step = compiled ? newTrainingStep(false) : null;
        active = step;
        evaluation = compiled ? new Executable(graph(model, "evaluate", false, true), options) : null;
        prediction = new Executable(graph(model, "predict", false, false), options);
        ctx = new ExecContext(model.generator());
    }

    private TrainingStep newTrainingStep(boolean weighted) {
        Map<Integer, Integer> stateUpdates = new HashMap<>();
        return new TrainingStep(graph(model, weighted ? "train_weighted" : "train", true, true, stateUpdates, weighted), model.optimizer(),
                options, stateUpdates);
    }

    /** The training step for weighted or unweighted batches, holding the optimizer state from here on. */
    private TrainingStep step(boolean weighted) {
        if (weighted && weightedStep == null) weightedStep = newTrainingStep(true);
        TrainingStep s = weighted ? weightedStep : step;
        if (s != active) {
            Map<String, Tensor> to = s.state();
            active.state().forEach((k, v) -> to.get(k).copyFrom(v));
            s.setIterations(active.iterations());
            active = s;
        }
        return s;
    }

    private synchronized Executable weightedEvaluation() {
        if (weightedEvaluation == null) weightedEvaluation = new Executable(graph(model, "evaluate_weighted", false, true, new HashMap<>(), true), options);
        return weightedEvaluation;
    }

    /** The training step's context, following the model's generator if it was changed since. */
    private ExecContext context() {
        if (ctx.rng() != model.generator()) ctx = new ExecContext(model.generator());
        return ctx;
    }

    @Override
    public boolean canTrain() {
        return step != null;
    }

    /** The model as IR (see below) where no frozen weight moves: evaluation and prediction. */
    static Graph graph(Model model, String name, boolean training, boolean withLoss) {
        return graph(model, name, training, withLoss, new HashMap<>(), false);
    }

    /**
     * The model as IR: the inputs ("x" for a Sequential, else each Input's name), the labels of the
     * outputs that have a loss, the weights as parameters named by their paths; outputs the total
     * loss, each output's loss (several outputs), the metric sums, or the predictions. With the loss
     * in training, the frozen weights' updates follow as further outputs, and {@code stateUpdates}
     * is told which output replaces which parameter. {@code weighted}: after the labels, a weight
     * input [batch] per output that has a loss ("sample_weight", or "sample_weight_{output}"), and
     * each loss is the weighted mean of its per-sample losses.
     */
    static Graph graph(Model model, String name, boolean training, boolean withLoss, Map<Integer, Integer> stateUpdates, boolean weighted) {
        Graph g = new Graph(model.name() + "_" + name);
        GraphEmitter e = new GraphEmitter(g);
        boolean sequential = model instanceof Sequential;
        List<Value> xs = new ArrayList<>();
        for (Input in : model.inputs()) xs.add(g.input(sequential ? "x" : in.name(), new TensorType(in.dtype(), in.batchShape())));
        Map<Weight, Value> handles = new IdentityHashMap<>();
        Map<Weight, Integer> index = new IdentityHashMap<>();
        for (Map.Entry<String, Weight> w : model.namedWeights().entrySet()) {
            index.put(w.getValue(), g.parameters().size());
            handles.put(w.getValue(), g.parameter(w.getKey(), w.getValue().value(), w.getValue().trainable()));
        }
        Forward<Value> f = Forward.run(model, e, xs, handles::get, training, e::label);
        List<String> outNames = model.outputNames();
        if (!withLoss) {
            e.label(null);
            for (int i = 0; i < f.outputs.size(); i++) {
                if (sequential) g.addOutput(f.outputs.get(i));
                else g.addOutput(outNames.get(i), f.outputs.get(i));
            }
            return g;
        }
        int n = f.outputs.size();
        List<Value> ys = new ArrayList<>(), ws = new ArrayList<>(), perOutput = new ArrayList<>();
        Value total = null;
        for (int i = 0; i < n; i++) {
            Loss loss = model.losses().get(i);
            // Weighted, every label input comes first, then the weights: the inputs are x..., y..., w...
            ys.add(loss == null || !weighted ? null : g.input(n == 1 ? "y" : "y_" + outNames.get(i), loss.labelType(f.outputs.get(i).type())));
        }
        for (int i = 0; i < n; i++) {
            boolean w = weighted && model.losses().get(i) != null;
            ws.add(w ? g.input(n == 1 ? "sample_weight" : "sample_weight_" + outNames.get(i),
                    new TensorType(f.outputs.get(i).type().dtype(), Shape.of(Shape.DYNAMIC))) : null);
        }
        for (int i = 0; i < n; i++) {
            Loss loss = model.losses().get(i);
            if (loss == null) continue;
            Value out = f.outputs.get(i);
            Value y = weighted ? ys.get(i) : g.input(n == 1 ? "y" : "y_" + outNames.get(i), loss.labelType(out.type()));
            ys.set(i, y);
            e.label(loss.name());
            Value l = weighted ? Losses.weightedMean(e, loss.emitPerSample(e, out, f.logits.get(i), f.lasts.get(i), y), ws.get(i))
                    : loss.emit(e, out, f.logits.get(i), f.lasts.get(i), y);
            perOutput.add(l);
            double w = model.lossWeights().get(i);
            Value scaled = w == 1.0 ? l : e.mul(l, w);
            total = total == null ? scaled : e.add(total, scaled);
        }
        g.addOutput(total);
        if (n > 1) for (Value l : perOutput) g.addOutput(l);
        for (int i = 0; i < n; i++) {
            for (Metric m : model.outputMetrics().get(i)) {
                e.label(m.name());
                Value sums = m.emitSums(e, f.outputs.get(i), ys.get(i));
                Training.checkSums(m, sums.type().shape());
                g.addOutput(sums);
            }
        }
        for (Map.Entry<Weight, Value> u : f.updates.entrySet()) {
            stateUpdates.put(g.outputs().size(), index.get(u.getKey()));
            g.addOutput(u.getValue());
        }
        e.label(null);
        return g;
    }

    /** The unweighted training step (what fit without sample weights runs), holding the optimizer state. */
    TrainingStep trainingStep() {
        return step(false);
    }

    Executable predictor() {
        return prediction;
    }

    private static List<Shape> batchShapes(List<Tensor> xs, List<Tensor> ys, int n) {
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : xs) shapes.add(Rows.batch(t, n));
        for (Tensor t : ys) shapes.add(Rows.batch(t, n));
        return shapes;
    }

    @Override
    public void train(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int[] order, int from, int to, double[] stats) {
        int n = to - from;
        boolean weighted = !ws.isEmpty();
        TrainingStep s = step(weighted);
        List<Tensor> labels = labelsAndWeights(ys, ws);
        Map<Integer, Plan> plans = weighted ? weightedTrainPlans : trainPlans;
        Plan p = plans.get(n);
        if (p == null) {
            p = s.plan(batchShapes(xs, labels, n));
            plans.put(n, p);
        }
        int k = 0;
        for (Tensor t : xs) Rows.gather(t, order, from, to, p.input(k++));
        for (Tensor t : labels) Rows.gather(t, order, from, to, p.input(k++));
        Training.read(s.run(p, context()), stats);
    }

    /** The graph's inputs after x: the labels, then the weights (if any). */
    private static List<Tensor> labelsAndWeights(List<Tensor> ys, List<Tensor> ws) {
        if (ws.isEmpty()) return ys;
        List<Tensor> all = new ArrayList<>(ys);
        all.addAll(ws);
        return all;
    }

    /** Thread-safe: each call runs on a plan of its own (see {@link Executable}). */
    @Override
    public void evaluate(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int from, int to, double[] stats) {
        int n = to - from;
        List<Tensor> labels = labelsAndWeights(ys, ws);
        (ws.isEmpty() ? evaluation : weightedEvaluation()).withPlan(batchShapes(xs, labels, n), p -> {
            int k = 0;
            for (Tensor t : xs) Rows.copy(t, from, to, p.input(k++), 0);
            for (Tensor t : labels) Rows.copy(t, from, to, p.input(k++), 0);
            Training.read(p.run(new ExecContext(model.generator())), stats);
            return null;
        });
    }

    /** Thread-safe: each call runs on a plan of its own (see {@link Executable}). */
    @Override
    public void predict(List<Tensor> xs, int from, int to, List<Tensor> out) {
        int n = to - from;
        prediction.withPlan(batchShapes(xs, List.of(), n), p -> {
            for (int k = 0; k < xs.size(); k++) Rows.copy(xs.get(k), from, to, p.input(k), 0);
            List<Tensor> r = p.run(new ExecContext(model.generator()));
            for (int k = 0; k < out.size(); k++) Rows.copy(r.get(k), 0, n, out.get(k), from);
            return null;
        });
    }

    @Override
    public void close() {
        if (step != null) step.close();
        if (weightedStep != null) weightedStep.close();
        if (evaluation != null) evaluation.close();
        if (weightedEvaluation != null) weightedEvaluation.close();
        prediction.close();
        trainPlans.clear();
        weightedTrainPlans.clear();
    }

    @Override
    public long iterations() {
        return active == null ? 0 : active.iterations();
    }

    @Override
    public Map<String, Tensor> optimizerState() {
        return active.state();
    }

    @Override
    public void restoreOptimizerState(Map<String, Tensor> state, long iterations) {
        Map<String, Tensor> live = active.state();
        OptimizerState.check(OptimizerState.types(live), state, iterations);
        for (Map.Entry<String, Tensor> e : state.entrySet()) live.get(e.getKey()).copyFrom(e.getValue());
        active.setIterations(iterations);
    }
}
