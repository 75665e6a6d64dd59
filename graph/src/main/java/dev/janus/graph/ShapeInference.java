package dev.janus.graph;

import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;

import java.util.List;

/**
 * Specialises a graph to concrete input types: the graph is rebuilt with the given input types and
 * every op's shape rule runs again, so unknown dimensions (the batch) become known. Errors name
 * the node's label (the layer) and the shapes seen. Gradient rules need these static shapes.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    public static Graph specialize(Graph graph, List<TensorType> inputTypes) {
        List<Value> inputs = graph.inputs();
        if (inputTypes.size() != inputs.size()) {
            throw new ShapeException("graph " + graph.name() + ": expected " + inputs.size() + " inputs, got " + inputTypes.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            TensorType want = inputs.get(i).type(), got = inputTypes.get(i);
            if (got.dtype() != want.dtype() || !want.shape().compatible(got.shape())) {
                throw new ShapeException("graph " + graph.name() + ": input " + inputs.get(i).name() + " expects " + want + ", got " + got);
            }
        }
        Rewriter r = new Rewriter(graph, inputTypes);
        for (Node n : graph.nodes()) r.copy(n);
        return r.finish();
    }
}
