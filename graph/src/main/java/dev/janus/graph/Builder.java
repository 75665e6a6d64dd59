package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;

import java.util.function.Supplier;

/**
 * Builds a symbolic graph: placeholders with a dynamic batch dimension, variables (trainable
 * parameters), constants, and op applications through {@link #ops()}, the same emitter vocabulary
 * gradient rules are written in. Nodes emitted inside {@link #scope} carry its label, which shape
 * errors and printed IR name.
 */
public final class Builder {
    private final Graph graph;
    private final GraphEmitter ops;

    public Builder(String name) {
        graph = new Graph(name);
        ops = new GraphEmitter(graph);
    }

    /** An input of shape [?, dims...]: the batch dimension is known only when the graph runs. */
    public Value placeholder(String name, DType dtype, int... dims) {
        return graph.input(name, new TensorType(dtype, Shape.of(Shape.DYNAMIC).concat(Shape.of(dims))));
    }

    /** An input of any declared type (-1 for unknown dimensions). */
    public Value input(String name, TensorType type) {
        return graph.input(name, type);
    }

    /** A trainable parameter starting at {@code initial} (the tensor itself is kept and updated in place). */
    public Value variable(String name, Tensor initial) {
        return graph.parameter(name, initial, true);
    }

    public Value constant(Tensor value) {
        return graph.constant(value);
    }

    /** The op vocabulary: ops.add(a, b), ops.matmul(...), ops.apply(Ops.RELU, ...). */
    public GraphEmitter ops() {
        return ops;
    }

    /** Emits {@code body} with every node labelled {@code label} (for example a layer name). */
    public <T> T scope(String label, Supplier<T> body) {
        ops.label(label);
        try {
            return body.get();
        } finally {
            ops.label(null);
        }
    }

    /** Marks the outputs and returns the graph. */
    public Graph build(Value... outputs) {
        for (Value o : outputs) graph.addOutput(o);
        return graph;
    }

    public Graph graph() {
        return graph;
    }
}
