package dev.janus.graph;

import dev.janus.core.ShapeException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * A graph compiled for running (inference): for each input signature it is specialised to those
 * shapes and optimised once; the plans are cached, so a last, smaller batch costs one more
 * compilation and later runs cost nothing.
 *
 * <p>Thread-safe, as ONNX Runtime's {@code InferenceSession.run}: any number of threads may call
 * {@link #run} and {@link #withPlan} at once. A {@link Plan} keeps its buffers between runs, so it
 * serves one caller at a time: each concurrent call borrows a plan of its own (the compiled graph,
 * the parameters and constants shared; inputs and intermediate buffers its own), made on first
 * need and kept for the next call, so there are as many plans per signature as calls ever ran
 * at once. The parameters are read, never written, by these plans: changing the weights (training)
 * while other threads run is the caller's to order.
 */
public final class Executable {
    private final Graph graph;
    private final CompileOptions options;
    private final Map<List<Shape>, Compiled> compiled = new ConcurrentHashMap<>();

    /** One input signature: the optimised graph, the plan {@link #plan} hands out, and the plans lent to calls. */
    private final class Compiled {
        final Graph optimised;
        private Plan exposed;
        private final Deque<Plan> idle = new ConcurrentLinkedDeque<>();
        private final List<Plan> made = java.util.Collections.synchronizedList(new ArrayList<>());

        Compiled(List<Shape> inputShapes) {
            Graph spec = ShapeInference.specialize(graph, types(graph, inputShapes));
            if (options.listener() != null) options.listener().afterPass("shape-inference", graph, spec);
            optimised = Pipeline.of(options).run(spec);
        }

        synchronized Plan exposed() {
            if (exposed == null) exposed = make();
            return exposed;
        }

        Plan borrow() {
            Plan p = idle.poll();
            return p != null ? p : make();
        }

        private Plan make() {
            Plan p = BufferPlanner.plan(optimised, Map.of(), options);
            made.add(p);
            return p;
        }

        void close() {
            synchronized (made) {
                for (Plan p : made) p.close();
                made.clear();
            }
            idle.clear();
        }

        void giveBack(Plan p) {
            idle.push(p);
        }
    }

    public Executable(Graph graph, CompileOptions options) {
        this.graph = graph;
        this.options = options;
    }

    public Graph graph() {
        return graph;
    }

    private Compiled compiled(List<Shape> inputShapes) {
        Compiled c = compiled.get(inputShapes);
        return c != null ? c : compiled.computeIfAbsent(List.copyOf(inputShapes), Compiled::new);
    }

    /**
     * The plan for these input shapes, built on first use, for one caller that drives it directly
     * (or reads its layout): the same plan each time, never lent to {@link #run} or
     * {@link #withPlan}. Like every plan, it is not safe to run from two threads at once.
     */
    public Plan plan(List<Shape> inputShapes) {
        return compiled(inputShapes).exposed();
    }

    /** Input signatures compiled so far. */
    public int planCount() {
        return compiled.size();
    }

    /**
     * Lends {@code work} a plan for these input shapes, this caller's alone until {@code work}
     * returns: it writes the inputs into the plan, runs it and reads the outputs it needs (they
     * are overwritten once the plan is lent again). Thread-safe.
     */
    public <T> T withPlan(List<Shape> inputShapes, Function<Plan, T> work) {
        Compiled c = compiled(inputShapes);
        Plan p = c.borrow();
        try {
            return work.apply(p);
        } finally {
            c.giveBack(p);
        }
    }

    /**
     * Releases every plan's buffers now ({@link Plan#close}), those of {@link #plan} and the lent
     * ones: call it when no run is in flight. Plans made after are new.
     */
    public void close() {
        for (Compiled c : compiled.values()) c.close();
        compiled.clear();
    }

    /** Runs on these inputs (copied into a plan of this call's own); the outputs are new tensors. Thread-safe. */
    public List<Tensor> run(ExecContext ctx, Tensor... inputs) {
        return withPlan(shapesOf(graph, inputs), p -> {
            for (int i = 0; i < inputs.length; i++) p.input(i).copyFrom(inputs[i]);
            List<Tensor> out = new ArrayList<>();
            for (Tensor t : p.run(ctx)) out.add(t.copy());
            return out;
        });
    }

    /** The shapes of the given inputs (their count and dtypes checked; shapes are checked on specialising). */
    static List<Shape> shapesOf(Graph graph, Tensor[] inputs) {
        List<Value> declared = graph.inputs();
        if (inputs.length != declared.size()) {
            throw new ShapeException("graph " + graph.name() + ": expected " + declared.size() + " inputs, got " + inputs.length);
        }
        List<Shape> shapes = new ArrayList<>(inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != declared.get(i).type().dtype()) {
                throw new ShapeException("graph " + graph.name() + ": input " + declared.get(i).name() + " expects "
                        + declared.get(i).type() + ", got " + inputs[i].type());
            }
            shapes.add(inputs[i].shape());
        }
        return shapes;
    }

    /** The declared input types with these shapes ({@link ShapeInference} checks that they fit). */
    static List<TensorType> types(Graph graph, List<Shape> shapes) {
        List<Value> declared = graph.inputs();
        if (shapes.size() != declared.size()) {
            throw new ShapeException("graph " + graph.name() + ": expected " + declared.size() + " inputs, got " + shapes.size());
        }
        List<TensorType> types = new ArrayList<>(shapes.size());
        for (int i = 0; i < shapes.size(); i++) types.add(declared.get(i).type().withShape(shapes.get(i)));
        return types;
    }
}
