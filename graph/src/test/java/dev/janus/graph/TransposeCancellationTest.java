package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransposeCancellationTest {
    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(n -> n.op().name()).collect(Collectors.toList());
    }

    @Test
    void inversePairsVanishAndOtherPairsMerge() {
        Graph g = new Graph("layout");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 2, 3, 4, 5));
        // Channels last and back (a Keras conv followed by a pool), then two that compose to [0, 2, 1, 3].
        Value back = e.transpose(e.transpose(x, 0, 2, 3, 1), 0, 3, 1, 2);
        Value y = e.tanh(back);
        Value merged = e.transpose(e.transpose(y, 1, 0, 2, 3), 1, 2, 0, 3);
        g.addOutput(merged);
        Graph once = new TransposeCancellation().run(g);
        Graph clean = new DeadCodeElimination().run(once);
        assertEquals(List.of("tanh", "transpose"), ops(clean));
        Node t = clean.nodes().get(1);
        assertEquals("[0, 2, 1, 3]", java.util.Arrays.toString(t.attrs().getInts("perm")));
        PassTesting.sameResults(g, clean, Tensor.randn(new Generator(1), 2, 3, 4, 5));
    }

    @Test
    void aTransposeWithOtherReadersStays() {
        Graph g = new Graph("shared");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 2, 3));
        Value t = e.transpose(x, 1, 0);
        g.addOutput(e.add(e.transpose(t, 1, 0), x));
        g.addOutput(t);
        Graph clean = new DeadCodeElimination().run(new TransposeCancellation().run(g));
        assertEquals(List.of("transpose", "add"), ops(clean));
        PassTesting.sameResults(g, clean, Tensor.randn(new Generator(2), 2, 3));
    }
}
