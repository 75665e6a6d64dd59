package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RewriterTest {
    @Test
    void outputsKeepTheNamesTheyWereGiven() {
        Graph g = new Graph("named");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        g.addOutput("probabilities", e.tanh(x));
        g.addOutput(e.exp(x));
        g.addOutput(x);
        Graph spec = ShapeInference.specialize(g, List.of(TensorType.of(DType.FLOAT32, 2, 3)));
        Graph folded = new ConstantFolding().run(new DeadCodeElimination().run(spec));
        for (Graph r : List.of(spec, folded)) {
            assertEquals("probabilities", r.outputName(0));
            assertEquals(r.outputs().get(1).name(), r.outputName(1));   // no name given: the value's own
            assertEquals("x", r.outputName(2));
            assertEquals(r.inputs().get(0), r.outputs().get(2));
        }
    }
}
