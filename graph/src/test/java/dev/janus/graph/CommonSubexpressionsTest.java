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

class CommonSubexpressionsTest {
    @Test
    void mergesEqualNodesAndConstantsButNotRandomOps() {
        Graph g = new Graph("cse");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 3));
        Value a = e.mul(e.sigmoid(x), 0.5);
        Value b = e.mul(e.sigmoid(x), 0.5);
        Value c = e.mul(e.sigmoid(x), -0.0);
        Value d1 = e.apply(Ops.DROPOUT, Attrs.of("p", 0.5), List.of(x)).get(0);
        Value d2 = e.apply(Ops.DROPOUT, Attrs.of("p", 0.5), List.of(x)).get(0);
        g.addOutput(e.add(e.add(a, b), c));
        g.addOutput(e.sub(d1, d2));
        Graph merged = new CommonSubexpressions().run(g);
        assertEquals(lines(
                "graph cse {",
                "  input x: float32[3]",
                "  const %2: float32[] = tensor(0.5000)",
                "  const %4: float32[] = tensor(-0.)",
                "  %1: float32[3] = sigmoid(x)",
                "  %3: float32[3] = mul(%1, %2)",
                "  %5: float32[3] = mul(%1, %4)",
                "  %6: float32[3], %7: float32[3] = dropout(x) {p=0.5}",
                "  %8: float32[3], %9: float32[3] = dropout(x) {p=0.5}",
                "  %10: float32[3] = add(%3, %3)",
                "  %11: float32[3] = add(%10, %5)",
                "  %12: float32[3] = sub(%6, %8)",
                "  output %11, %12",
                "}"), merged.toString());
        PassTesting.sameResults(g, merged, Tensor.of(new float[] {-1, 0, 2}));
    }

    @Test
    void differentAttributesAreDifferentNodes() {
        Graph g = new Graph("attrs");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 2, 3));
        g.addOutput(e.sum(x, new int[] {0}, false));
        g.addOutput(e.sum(x, new int[] {1}, false));
        g.addOutput(e.sum(x, new int[] {0}, false));
        Graph merged = new CommonSubexpressions().run(g);
        assertEquals(2, merged.nodes().size());
        assertEquals(merged.outputs().get(0), merged.outputs().get(2));
    }
}
