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

class ConstantFoldingTest {
    @Test
    void foldsConstantSubgraphsButNotRandomOps() {
        Graph g = new Graph("fold");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT64, 3));
        Value scale = e.mul(e.scalar(2, DType.FLOAT64), e.exp(e.scalar(0, DType.FLOAT64)));
        Value y = e.mul(x, scale);
        Value noise = e.apply(Ops.DROPOUT, Attrs.of("p", 0.5), List.of(e.constant(Tensor.ones(DType.FLOAT64, 3)))).get(0);
        g.addOutput(e.add(y, noise));
        assertEquals(lines(
                "graph fold {",
                "  input x: float64[3]",
                "  const %1: float64[] = tensor(2., dtype=float64)",
                "  const %2: float64[] = tensor(0., dtype=float64)",
                "  const %6: float64[3] = tensor([1., 1., 1.], dtype=float64)",
                "  %3: float64[] = exp(%2)",
                "  %4: float64[] = mul(%1, %3)",
                "  %5: float64[3] = mul(x, %4)",
                "  %7: float64[3], %8: float64[3] = dropout(%6) {p=0.5}",
                "  %9: float64[3] = add(%5, %7)",
                "  output %9",
                "}"), g.toString());
        Graph folded = new ConstantFolding().run(g);
        assertEquals(lines(
                "graph fold {",
                "  input x: float64[3]",
                "  const %1: float64[] = tensor(2., dtype=float64)",
                "  const %3: float64[3] = tensor([1., 1., 1.], dtype=float64)",
                "  %2: float64[3] = mul(x, %1)",
                "  %4: float64[3], %5: float64[3] = dropout(%3) {p=0.5}",
                "  %6: float64[3] = add(%2, %4)",
                "  output %6",
                "}"), folded.toString());
        PassTesting.sameResults(g, folded, Tensor.of(new double[] {1, 2, 3}));
    }

    @Test
    void largeResultsAreLeftToRunTime() {
        Graph g = new Graph("big");
        GraphEmitter e = new GraphEmitter(g);
        int n = ConstantFolding.MAX_ELEMENTS + 1;
        g.addOutput(e.expand(e.scalar(1, DType.FLOAT32), dev.janus.core.Shape.of(n)));
        assertEquals(1, new ConstantFolding().run(g).nodes().size());
    }
}
