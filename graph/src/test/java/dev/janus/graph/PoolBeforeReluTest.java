package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PoolBeforeReluTest {
    private static final Attrs HALVE = Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    private static final Attrs OVERLAP = Attrs.of("kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1});

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(n -> n.op().name()).collect(Collectors.toList());
    }

    /** Small integers: many ties, zeros and windows whose maximum is negative; a NaN in one window. */
    private static Tensor ties(long seed) {
        Tensor t = Tensor.empty(DType.FLOAT32, dev.janus.core.Shape.of(2, 3, 6, 6));
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, r.nextInt(5) - 3);
        t.setDouble(40, Double.NaN);
        return t;
    }

    /**
     * loss = sum(c * max_pool(relu(x * w))), with the gradient for w as a second output; the pass
     * applied to the forward graph (before autodiff) when {@code move}.
     */
    private static Graph model(Attrs pool, boolean move) {
        Graph g = new Graph("cnn");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 2, 3, 6, 6));
        Value w = g.parameter("w", Tensor.randn(new Generator(3), 2, 3, 6, 6), true);
        Value pooled = g.apply(Ops.MAX_POOL, pool, g.apply1(Ops.RELU, Attrs.NONE, e.mul(x, w))).get(0);
        Tensor c = Tensor.randn(new Generator(4), e.shape(pooled).dims());
        g.addOutput(e.sum(e.mul(pooled, e.constant(c)), new int[] {0, 1, 2, 3}, false));
        if (move) g = new PoolBeforeRelu().run(g);
        GraphEmitter after = new GraphEmitter(g);
        g.addOutput(Autodiff.gradients(after, g.outputs().get(0), List.of(g.parameters().get(0))).get(0));
        return g;
    }

    @Test
    void theReluMovesAfterThePoolAndNothingChangesBitForBit() {
        for (Attrs pool : List.of(HALVE, OVERLAP)) {
            Graph moved = model(pool, true);
            assertEquals(List.of("mul", "max_pool", "relu"), ops(moved).subList(0, 3), ops(moved).toString());
            // The loss and the gradient (relu's mask on the pooled tensor, then max_pool_grad) agree exactly.
            PassTesting.sameResults(model(pool, false), moved, ties(1));
            PassTesting.sameResults(model(pool, false), moved, Tensor.randn(new Generator(5), 2, 3, 6, 6));
        }
    }

    @Test
    void aReluWithOtherReadersOrUsedIndicesStay() {
        Graph g = new Graph("shared");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 1, 2, 4, 4));
        Value r = g.apply1(Ops.RELU, Attrs.NONE, x);
        g.addOutput(g.apply(Ops.MAX_POOL, HALVE, r).get(0));
        g.addOutput(e.exp(r));
        assertSame(g, new PoolBeforeRelu().run(g));

        Graph h = new Graph("indices");
        Value y = h.input("x", TensorType.of(DType.FLOAT32, 1, 2, 4, 4));
        List<Value> p = h.apply(Ops.MAX_POOL, HALVE, h.apply1(Ops.RELU, Attrs.NONE, y));
        h.addOutput(p.get(0));
        h.addOutput(p.get(1));
        assertSame(h, new PoolBeforeRelu().run(h));
    }
}
