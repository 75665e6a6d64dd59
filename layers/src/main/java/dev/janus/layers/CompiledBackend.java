package dev.janus.layers;

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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model through the graph compiler. The layers emit three graphs with a dynamic batch
 * dimension (checked when compiling): training (dropout on, loss, metric sums, then the compiler
 * adds backward and the optimizer update), evaluation (dropout off) and prediction. Plans are
 * made per batch size; a batch is gathered straight into the plan's input buffers. Evaluation and
 * prediction may run from many threads at once (each call on a plan of its own); training, which
 * writes the weights, runs alone.
 */
final class CompiledBackend implements Backend {
    private final TrainingStep step;
    private final Executable evaluation, prediction;
    private final Sequential model;
    private ExecContext ctx;
    private final Map<Integer, Plan> trainPlans = new HashMap<>();

    /** Training and evaluation need the model compiled; prediction alone does not. */
    CompiledBackend(Sequential model, CompileOptions options) {
        boolean compiled = model.optimizer() != null;
        Map<Integer, Integer> stateUpdates = new HashMap<>();
        step = compiled ? new TrainingStep(graph(model, "train", true, true, stateUpdates), model.optimizer(), options, stateUpdates) : null;
        evaluation = compiled ? new Executable(graph(model, "evaluate", false, true), options) : null;
        prediction = new Executable(graph(model, "predict", false, false), options);
        this.model = model;
        ctx = new ExecContext(model.generator());
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
    static Graph graph(Sequential model, String name, boolean training, boolean withLoss) {
        return graph(model, name, training, withLoss, new HashMap<>());
    }

    /**
     * The model as IR: x, (y), the layers' weights as parameters; outputs loss and metric sums, or the
     * prediction. With the loss in training, the frozen weights' updates follow as further outputs,
     * and {@code stateUpdates} is told which output replaces which parameter.
     */
    static Graph graph(Sequential model, String name, boolean training, boolean withLoss, Map<Integer, Integer> stateUpdates) {
        Graph g = new Graph(model.name() + "_" + name);
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", new TensorType(model.dtype(), model.inputShape()));
        Map<Layer, List<Value>> params = new HashMap<>();
        Map<Weight, Integer> index = new HashMap<>();
        for (Layer layer : model.layers()) {
            List<Value> ws = new ArrayList<>();
            for (Weight w : layer.weights()) {
                index.put(w, g.parameters().size());
                ws.add(g.parameter(w.name(), w.value(), w.trainable()));
            }
            params.put(layer, ws);
        }
        Forward<Value> f = Forward.run(model.layers(), e, x, params::get, training, e::label);
        if (!withLoss) {
            e.label(null);
            g.addOutput(f.output);
            return g;
        }
        TensorType out = f.output.type();
        Value y = g.input("y", model.loss().labelType(out));
        e.label(model.loss().name());
        g.addOutput(model.loss().emit(e, f.output, f.logits, f.last, y));
        for (Metric m : model.metrics()) {
            e.label(m.name());
            g.addOutput(m.emitSum(e, f.output, y));
        }
        for (Map.Entry<Weight, Value> u : f.updates.entrySet()) {
            stateUpdates.put(g.outputs().size(), index.get(u.getKey()));
            g.addOutput(u.getValue());
        }
        e.label(null);
        return g;
    }

    TrainingStep trainingStep() {
        return step;
    }

    Executable predictor() {
        return prediction;
    }

    @Override
    public void train(Tensor x, Tensor y, int[] order, int from, int to, double[] stats) {
        int n = to - from;
        Plan p = trainPlans.get(n);
        if (p == null) {
            p = step.plan(List.of(Rows.batch(x, n), Rows.batch(y, n)));
            trainPlans.put(n, p);
        }
        Rows.gather(x, order, from, to, p.input(0));
        Rows.gather(y, order, from, to, p.input(1));
        List<Tensor> r = step.run(p, context());
        for (int i = 0; i < stats.length; i++) stats[i] = r.get(i).item();
    }

    /** Thread-safe: each call runs on a plan of its own (see {@link Executable}). */
    @Override
    public void evaluate(Tensor x, Tensor y, int from, int to, double[] stats) {
        int n = to - from;
        evaluation.withPlan(List.of(Rows.batch(x, n), Rows.batch(y, n)), p -> {
            Rows.copy(x, from, to, p.input(0), 0);
            Rows.copy(y, from, to, p.input(1), 0);
            List<Tensor> r = p.run(new ExecContext(model.generator()));
            for (int i = 0; i < stats.length; i++) stats[i] = r.get(i).item();
            return null;
        });
    }

    /** Thread-safe: each call runs on a plan of its own (see {@link Executable}). */
    @Override
    public void predict(Tensor x, int from, int to, Tensor out) {
        int n = to - from;
        prediction.withPlan(List.of(Rows.batch(x, n)), p -> {
            Rows.copy(x, from, to, p.input(0), 0);
            Rows.copy(p.run(new ExecContext(model.generator())).get(0), 0, n, out, from);
            return null;
        });
    }

    @Override
    public void close() {
        if (step != null) step.close();
        if (evaluation != null) evaluation.close();
        prediction.close();
        trainPlans.clear();
    }

    @Override
    public long iterations() {
        return step == null ? 0 : step.iterations();
    }

    @Override
    public Map<String, Tensor> optimizerState() {
        return step.state();
    }

    @Override
    public void restoreOptimizerState(Map<String, Tensor> state, long iterations) {
        Map<String, Tensor> live = step.state();
        OptimizerState.check(OptimizerState.types(live), state, iterations);
        for (Map.Entry<String, Tensor> e : state.entrySet()) live.get(e.getKey()).copyFrom(e.getValue());
        step.setIterations(iterations);
    }
}
