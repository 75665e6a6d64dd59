package dev.janus.core.ir;

import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;

import java.util.List;

/** The emitter that appends nodes to a graph, labelled (for example "backward of dense_1"). */
public final class GraphEmitter implements Emitter<Value> {
    private final Graph graph;
    private String label;

    public GraphEmitter(Graph graph) {
        this.graph = graph;
    }

    public Graph graph() {
        return graph;
    }

    /** Label for the nodes emitted from now on; null for none. */
    public void label(String newLabel) {
        this.label = newLabel;
    }

    @Override
    public List<Value> apply(Op op, Attrs attrs, List<Value> inputs) {
        return graph.apply(op, attrs, inputs, label);
    }

    @Override
    public TensorType type(Value value) {
        return value.type();
    }

    @Override
    public Value constant(Tensor value) {
        return graph.constant(value);
    }
}
