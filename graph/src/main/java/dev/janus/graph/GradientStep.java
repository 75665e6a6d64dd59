package dev.janus.graph;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first half of a {@link TrainingStep}: forward, loss and backward compiled into one plan, and
 * nothing updated. A plan's outputs are the model graph's outputs (loss first), then the gradient
 * of the loss with respect to each trainable parameter, in {@link #trainable()} order (zeros where
 * the loss does not depend on one). The caller combines the gradients (data-parallel training
 * averages them across workers) and applies the optimizer's update itself.
 */
public final class GradientStep {
    private final Graph model;
    private final CompileOptions options;
    private final List<Integer> trainable;
    private final Map<List<Shape>, Plan> plans = new HashMap<>();

    public GradientStep(Graph model, CompileOptions options) {
        this.model = model;
        this.options = options;
        this.trainable = Collections.unmodifiableList(trainableParameters(model));
    }

    public Graph model() {
        return model;
    }

    /** Indices in {@code model().parameters()} of the parameters whose gradients the plans output. */
    public List<Integer> trainable() {
        return trainable;
    }

    /** The plan for these data shapes (one per model input), built on first use. */
    public Plan plan(List<Shape> dataShapes) {
        Plan p = plans.get(dataShapes);
        if (p == null) {
            Differentiated d = differentiate(model, dataShapes, trainable, options);
            for (int i = 0; i < d.grads.size(); i++) {
                Value g = d.grads.get(i);
                TensorType t = d.wrt.get(i).type();
                d.spec.addOutput(g != null ? g : d.emitter.constant(Tensor.zeros(t.dtype(), t.shape().dims())));
            }
            p = BufferPlanner.plan(Pipeline.of(options).run(d.spec), Map.of(), options);
            plans.put(List.copyOf(dataShapes), p);
        }
        return p;
    }

    /** Runs on the data already written into the plan's inputs; the outputs are valid until the next run. */
    public List<Tensor> run(Plan plan, ExecContext ctx) {
        return plan.run(ctx);
    }

    /** The model graph's trainable parameters (named, as optimizer state is kept by name); checks the loss. */
    static List<Integer> trainableParameters(Graph model) {
        if (model.outputs().isEmpty()) throw new JanusException("graph " + model.name() + ": a training step needs the loss as first output");
        TensorType loss = model.outputs().get(0).type();
        if (!loss.dtype().isFloating() || loss.rank() != 0) {
            throw new ShapeException("graph " + model.name() + ": the loss must be a floating-point scalar, got " + loss);
        }
        List<Integer> out = new ArrayList<>();
        List<Value> params = model.parameters();
        for (int i = 0; i < params.size(); i++) {
            Value p = params.get(i);
            if (!model.isTrainable(p)) continue;
            if (!p.hasName()) throw new JanusException("graph " + model.name() + ": trainable parameter " + p + " needs a name");
            out.add(i);
        }
        return out;
    }

    /**
     * The model graph with each max_pool of a relu turned into a relu of the max_pool
     * ({@link PoolBeforeRelu}) before autodiff, so that the relu's gradient runs on the pooled
     * tensor too. Keras's channels-last layers put a pair of transposes between the two, so those
     * that cancel go first; a graph without the pattern is left exactly as it was.
     */
    static Graph poolBeforeRelu(Graph spec, CompileOptions options) {
        if (!options.fusion() || !options.transposes() || !options.dce()) return spec;
        Graph tidy = new DeadCodeElimination().run(new TransposeCancellation().run(spec));
        Graph moved = new PoolBeforeRelu().run(tidy);
        if (moved == tidy) return spec;
        if (options.listener() != null) options.listener().afterPass("pool-before-relu", spec, moved);
        return moved;
    }

    /** A model graph specialised to data shapes, with the loss's gradients appended (not yet outputs). */
    static final class Differentiated {
        final Graph spec;
        final GraphEmitter emitter;
        final List<Value> wrt, grads;

        Differentiated(Graph spec, GraphEmitter emitter, List<Value> wrt, List<Value> grads) {
            this.spec = spec;
            this.emitter = emitter;
            this.wrt = wrt;
            this.grads = grads;
        }
    }

    static Differentiated differentiate(Graph model, List<Shape> dataShapes, List<Integer> trainable, CompileOptions options) {
        IrListener listener = options.listener();
        Graph spec = ShapeInference.specialize(model, Executable.types(model, dataShapes));
        if (listener != null) listener.afterPass("shape-inference", model, spec);
        spec = poolBeforeRelu(spec, options);
        Graph before = listener == null ? null : Rewriter.copy(spec);
        GraphEmitter e = new GraphEmitter(spec);
        List<Value> params = spec.parameters();
        List<Value> wrt = new ArrayList<>();
        for (int i : trainable) wrt.add(params.get(i));
        List<Value> grads = Autodiff.gradients(e, spec.outputs().get(0), wrt);
        if (listener != null) listener.afterPass("autodiff", before, spec);
        return new Differentiated(spec, e, wrt, grads);
    }
}
