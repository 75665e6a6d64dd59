package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Optimizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled training step: forward, loss, backward and the optimizer's update in one plan. The
 * model graph's first output is the (scalar) loss; further outputs (metric statistics) are
 * computed alongside. For each input signature the graph is specialised to those shapes,
 * differentiated with the core gradient rules, extended with the optimizer's update rule for every
 * trainable parameter, optimised and planned. The optimizer's host scalars (learning rate, bias
 * corrections) are inputs of the plan, fed each step, so a learning-rate schedule needs no
 * recompiling. Parameters and optimizer state are updated in place.
 */
public final class TrainingStep {
    private final Graph model;
    private final Optimizer optimizer;
    private final CompileOptions options;
    private final List<Integer> trainable = new ArrayList<>();
    private final Map<Integer, Integer> stateUpdates;
    private final List<Tensor[]> state = new ArrayList<>();
    private final Map<List<Shape>, Plan> plans = new HashMap<>();
    private final Map<Plan, Feed> feeds = new IdentityHashMap<>();
    private long iterations;

    /** Where a plan's scalar inputs are, and which of its outputs the caller sees. */
    private static final class Feed {
        final int[] scalarInput;
        final List<Tensor> results;

        Feed(int[] scalarInput, List<Tensor> results) {
            this.scalarInput = scalarInput;
            this.results = results;
        }
    }

    public TrainingStep(Graph model, Optimizer optimizer, CompileOptions options) {
        this(model, optimizer, options, Map.of());
    }

    /**
     * With state that a step moves besides the optimizer's (batch normalisation's moving averages):
     * {@code stateUpdates} maps a model output's index to the index in {@code model.parameters()} of
     * a non-trainable parameter that the output replaces after each step. Like the optimizer's
     * updates, each is computed from the values before the step.
     */
    public TrainingStep(Graph model, Optimizer optimizer, CompileOptions options, Map<Integer, Integer> stateUpdates) {
        trainable.addAll(GradientStep.trainableParameters(model));
        this.model = model;
        this.optimizer = optimizer;
        this.options = options;
        List<Value> params = model.parameters();
        for (Map.Entry<Integer, Integer> u : stateUpdates.entrySet()) {
            int out = u.getKey(), p = u.getValue();
            if (out < 1 || out >= model.outputs().size() || p < 0 || p >= params.size() || model.isTrainable(params.get(p))) {
                throw new JanusException("graph " + model.name() + ": state update " + out + " -> " + p
                        + " must map an output after the loss to a parameter that does not train");
            }
            if (!model.outputs().get(out).type().equals(params.get(p).type())) {
                throw new ShapeException("graph " + model.name() + ": state update " + model.outputs().get(out).type()
                        + " does not fit parameter " + params.get(p).name() + " " + params.get(p).type());
            }
        }
        this.stateUpdates = Map.copyOf(stateUpdates);
        for (int i : trainable) {
            Value p = params.get(i);
            Tensor[] s = new Tensor[optimizer.stateNames().size()];
            StorageKind kind = options.storage().kindFor(p.type().shape().size());
            for (int k = 0; k < s.length; k++) {
                s[k] = kind.empty(p.type().dtype(), p.type().shape(), options.device());
                if (optimizer.initialState(k) != 0) s[k].fill(optimizer.initialState(k));
            }
            state.add(s);
        }
    }

    public Graph model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Model output index -> index in {@code model().parameters()} of the non-trainable parameter it replaces after each step. */
    public Map<Integer, Integer> stateUpdates() {
        return stateUpdates;
    }

    /** Steps taken so far (the optimizer's t is this plus one on the next step). */
    public long iterations() {
        return iterations;
    }

    /** Sets the step count, when restoring a saved optimizer state. */
    public void setIterations(long t) {
        if (t < 0) throw new JanusException("iterations must be >= 0, got " + t);
        iterations = t;
    }

    /**
     * The optimizer state, live: "{parameter}/{state}" (for example "dense/kernel/exp_avg") to the
     * tensor the step updates in place.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        List<Value> params = model.parameters();
        for (int i = 0; i < trainable.size(); i++) {
            String p = params.get(trainable.get(i)).name();
            for (int k = 0; k < state.get(i).length; k++) m.put(p + "/" + optimizer.stateNames().get(k), state.get(i)[k]);
        }
        return m;
    }

    /** The plan for these data shapes (one per model input), built on first use. */
    public Plan plan(List<Shape> dataShapes) {
        Plan p = plans.get(dataShapes);
        if (p == null) {
            p = build(dataShapes);
            plans.put(List.copyOf(dataShapes), p);
        }
        return p;
    }

    public int planCount() {
        return plans.size();
    }

    /**
     * Releases every plan's buffers now ({@link Plan#close}); plans made after are new. The
     * optimizer state stays: it is read and saved like the parameters.
     */
    public void close() {
        for (Plan p : plans.values()) p.close();
        plans.clear();
        feeds.clear();
    }

    /**
     * One step on the data already written into the plan's first inputs: feeds the optimizer's
     * scalars, runs, and returns the model's outputs (loss first), valid until the next run.
     * Allocates nothing beyond the optimizer's scalar array.
     */
    public List<Tensor> run(Plan plan, ExecContext ctx) {
        Feed f = feeds.get(plan);
        if (f == null) throw new JanusException("this plan does not belong to this training step");
        double[] s = optimizer.scalars(iterations + 1);
        for (int i = 0; i < f.scalarInput.length; i++) plan.input(f.scalarInput[i]).setDouble(0, s[i % s.length]);
        plan.run(ctx);
        iterations++;
        return f.results;
    }

    /** One step on these inputs (copied into the plan). */
    public List<Tensor> run(ExecContext ctx, Tensor... data) {
        Plan p = plan(Executable.shapesOf(model, data));
        for (int i = 0; i < data.length; i++) p.input(i).copyFrom(data[i]);
        return run(p, ctx);
    }

    private Plan build(List<Shape> dataShapes) {
        IrListener listener = options.listener();
        GradientStep.Differentiated diff = GradientStep.differentiate(model, dataShapes, trainable, options);
        Graph spec = diff.spec;
        GraphEmitter e = diff.emitter;
        List<Value> wrt = diff.wrt, grads = diff.grads;
        Graph before = listener == null ? null : Rewriter.copy(spec);

        // One scalar input per (scalar, dtype) of the trainable parameters.
        List<String> names = optimizer.scalarNames();
        Map<DType, List<Value>> scalars = new LinkedHashMap<>();
        List<Integer> scalarInput = new ArrayList<>();
        for (Value p : wrt) {
            DType d = p.type().dtype();
            if (scalars.containsKey(d)) continue;
            List<Value> vs = new ArrayList<>();
            for (String n : names) {
                scalarInput.add(spec.inputs().size());
                vs.add(spec.input("optimizer/" + n + (d == DType.FLOAT32 ? "" : "/" + d), new TensorType(d, Shape.scalar())));
            }
            scalars.put(d, vs);
        }

        Map<Integer, Integer> updates = new HashMap<>(stateUpdates);
        for (int i = 0; i < wrt.size(); i++) {
            Value p = wrt.get(i), g = grads.get(i);
            if (g == null) continue;
            int next = UpdatePlan.emit(spec, e, optimizer, p.name(), p, g, state.get(i), scalars.get(p.type().dtype()), updates);
            updates.put(next, trainable.get(i));
        }
        if (listener != null) listener.afterPass("optimizer", before, spec);

        Plan plan = BufferPlanner.plan(Pipeline.of(options).run(spec), updates, options);
        int[] si = scalarInput.stream().mapToInt(Integer::intValue).toArray();
        feeds.put(plan, new Feed(si, plan.outputs().subList(0, model.outputs().size())));
        return plan;
    }

}
