package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.janus.graph.PassTesting.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DeadCodeEliminationTest {
    @Test
    void dropsWhatNoOutputNeedsButKeepsRandomOps() {
        Graph g = new Graph("dce");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 3));
        e.exp(e.tanh(x));
        e.apply(Ops.DROPOUT, Attrs.of("p", 0.5), List.of(x));
        Value y = e.apply(Ops.DROPOUT, Attrs.of("p", 0.5), List.of(x)).get(0);
        g.addOutput(e.mul(y, 2));
        Graph live = new DeadCodeElimination().run(g);
        assertEquals(lines(
                "graph dce {",
                "  input x: float32[3]",
                "  const %5: float32[] = tensor(2.)",
                "  %1: float32[3], %2: float32[3] = dropout(x) {p=0.5}",
                "  %3: float32[3], %4: float32[3] = dropout(x) {p=0.5}",
                "  %6: float32[3] = mul(%3, %5)",
                "  output %6",
                "}"), live.toString());
        // The unused dropout still draws its mask first, so the second mask is the same as before.
        PassTesting.sameResults(g, live, Tensor.of(new float[] {1, 2, 3}));
    }
}
