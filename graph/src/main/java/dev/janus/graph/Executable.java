package dev.janus.graph;

import dev.janus.core.ShapeException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for running (inference): for each input signature it is specialised to those
 * shapes, optimised and planned once; the plans are cached, so a last, smaller batch costs one more
 * plan and later runs cost nothing.
 */
public final class Executable {
    private final Graph graph;
    private final CompileOptions options;
    private final Map<List<Shape>, Plan> plans = new HashMap<>();

    public Executable(Graph graph, CompileOptions options) {
        this.graph = graph;
        this.options = options;
    }

    public Graph graph() {
        return graph;
    }

    /** The plan for these input shapes, built on first use. */
    public Plan plan(List<Shape> inputShapes) {
        Plan p = plans.get(inputShapes);
        if (p == null) {
            Graph spec = ShapeInference.specialize(graph, types(graph, inputShapes));
            if (options.listener() != null) options.listener().afterPass("shape-inference", graph, spec);
            p = BufferPlanner.plan(Pipeline.of(options).run(spec), Map.of(), options);
            plans.put(List.copyOf(inputShapes), p);
        }
        return p;
    }

    public int planCount() {
        return plans.size();
    }

    /** Releases every plan's buffers now ({@link Plan#close}); plans made after are new. */
    public void close() {
        for (Plan p : plans.values()) p.close();
        plans.clear();
    }

    /** Runs on these inputs (copied into the plan); the outputs are valid until the next run. */
    public List<Tensor> run(ExecContext ctx, Tensor... inputs) {
        Plan p = plan(shapesOf(graph, inputs));
        for (int i = 0; i < inputs.length; i++) p.input(i).copyFrom(inputs[i]);
        return p.run(ctx);
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
