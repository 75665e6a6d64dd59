package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.AdamW;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.janus.graph.PassTesting.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElementwiseFusionTest {
    private static Tensor random(long seed, int... shape) {
        return Tensor.normal(0, 1, DType.FLOAT32, new Generator(seed), shape);
    }

    @Test
    void biasAndActivationBecomeOneKernel() {
        Builder b = new Builder("dense");
        Value x = b.input("x", TensorType.of(DType.FLOAT32, 4, 8));
        Value w = b.variable("kernel", random(1, 8, 16)), bias = b.variable("bias", random(2, 16));
        GraphEmitter e = b.ops();
        Graph g = b.scope("dense", () -> b.build(e.one(Ops.RELU, Attrs.NONE, List.of(e.add(e.matmul(x, w, false, false), bias)))));
        Graph fused = new ElementwiseFusion().run(g);
        assertEquals(lines(
                "graph dense {",
                "  input x: float32[4, 8]",
                "  param kernel: float32[8, 16]",
                "  param bias: float32[16]",
                "  %3: float32[4, 16] = matmul(x, kernel) {transA=false, transB=false}  # dense",
                "  %4: float32[4, 16] = fused(%3, bias) {ops=\"add, relu\"}  # dense",
                "  output %4",
                "}"), fused.toString());
        PassTesting.sameResults(g, fused, random(3, 4, 8));
    }

    /** The Adam update of one parameter, as the training step emits it, with its inputs. */
    private static Graph adamUpdate(int size, boolean decoupled) {
        return adamUpdate(size, decoupled ? new AdamW(0.01) : new Adam(0.01, 0.9, 0.999, 1e-8, 0.1));
    }

    /** The update of one parameter by {@code adam} (Adam or AdamW), as the training step emits it. */
    static Graph adamUpdate(int size, Adam adam) {
        Graph g = new Graph("adam");
        GraphEmitter e = new GraphEmitter(g);
        Value p = g.input("p", TensorType.of(DType.FLOAT32, size));
        Value grad = g.input("g", TensorType.of(DType.FLOAT32, size));
        Value m = g.input("m", TensorType.of(DType.FLOAT32, size));
        Value v = g.input("v", TensorType.of(DType.FLOAT32, size));
        List<Value> scalars = new ArrayList<>();
        for (String n : adam.scalarNames()) scalars.add(g.input(n, TensorType.of(DType.FLOAT32)));
        for (Value o : adam.update(e, p, grad, List.of(m, v), scalars)) g.addOutput(o);
        return g;
    }

    private static Tensor[] adamInputs(int size) {
        Tensor v = random(13, size);
        for (int i = 0; i < size; i++) v.f32()[i] = Math.abs(v.f32()[i]);
        return new Tensor[] {random(10, size), random(11, size), random(12, size), v,
                Tensor.scalar(0.031), Tensor.scalar(0.0447), Tensor.scalar(0.9999)};
    }

    @Test
    void theAdamChainFusesIntoOneNodeWithTheSameBits() {
        for (boolean decoupled : new boolean[] {false, true}) {
            for (int size : new int[] {7, FusedElementwise.TILE * 2 + 3}) {
                Graph g = adamUpdate(size, decoupled);
                Graph fused = new ElementwiseFusion().run(new CommonSubexpressions().run(g));
                long kernels = fused.nodes().stream().filter(n -> n.op() instanceof FusedElementwise).count();
                assertEquals(1, kernels, fused.toString());
                // Only the scalar neg(step_size) stays outside: it has another shape.
                assertEquals(2, fused.nodes().size(), fused.toString());
                PassTesting.sameResults(g, fused, adamInputs(size));
            }
        }
    }

    @Test
    void aGroupConsumedOutsideStopsGrowing() {
        Graph g = new Graph("sealed");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 6));
        Value a = e.exp(e.neg(x));
        Value s = e.sum(a, new int[] {0}, true);
        Value y = e.tanh(e.mul(a, s));
        g.addOutput(y);
        Graph fused = new ElementwiseFusion().run(g);
        assertEquals(lines(
                "graph sealed {",
                "  input x: float32[6]",
                "  %1: float32[6] = fused(x) {ops=\"neg, exp\"}",
                "  %2: float32[1] = sum(%1) {axes=[0], keepdims=true}",
                "  %3: float32[6] = fused(%1, %2) {ops=\"mul, tanh\"}",
                "  output %3",
                "}"), fused.toString());
        PassTesting.sameResults(g, fused, random(4, 6));
    }

    @Test
    void operandsThatDoNotRepeatPeriodicallyStayOutside() {
        Graph g = new Graph("column");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 4, 8));
        Value col = g.input("col", TensorType.of(DType.FLOAT32, 4, 1));
        g.addOutput(e.sigmoid(e.tanh(e.add(x, col))));
        Graph fused = new ElementwiseFusion().run(g);
        List<Node> nodes = fused.nodes();
        assertEquals(2, nodes.size(), fused.toString());
        assertEquals(Ops.ADD, nodes.get(0).op());
        assertEquals("tanh, sigmoid", nodes.get(1).attrs().getString("ops", ""));
        PassTesting.sameResults(g, fused, random(5, 4, 8), random(6, 4, 1));
    }

    @Test
    void repeatingOperandsAreRefilledWhenTheyChange() {
        int rows = FusedElementwise.TILE * 3 / 8;
        Graph g = new Graph("scale");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, rows, 8));
        Value s = g.input("s", TensorType.of(DType.FLOAT32));
        Value row = g.input("row", TensorType.of(DType.FLOAT32, 8));
        g.addOutput(e.add(e.mul(e.add(x, row), s), 0.25));
        Graph fused = new ElementwiseFusion().run(g);
        assertEquals(1, fused.nodes().size(), fused.toString());
        for (double scale : new double[] {2, -3, 0.5}) {
            PassTesting.sameResults(g, fused, random(11, rows, 8), Tensor.scalar(scale), random((long) (scale * 10), 8));
        }
    }

    @Test
    void mixedDtypesAndLargeTensorsRunTileByTile() {
        int rows = 300, cols = 40;   // 12000 elements: three tiles, the last one partial
        Graph g = new Graph("relu_grad");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, rows, cols));
        Value grad = g.input("g", TensorType.of(DType.FLOAT32, rows, cols));
        Value bias = g.input("b", TensorType.of(DType.FLOAT32, cols));
        Value z = e.add(x, bias);
        g.addOutput(e.maskOr0(e.greater(z, e.scalar(0, DType.FLOAT32)), e.mul(grad, z)));
        g.addOutput(z);
        Graph fused = new ElementwiseFusion().run(g);
        assertEquals(1, fused.nodes().size(), fused.toString());
        assertEquals(2, fused.nodes().get(0).outputs().size());
        assertTrue(rows * cols > 2 * FusedElementwise.TILE);
        PassTesting.sameResults(g, fused, random(7, rows, cols), random(8, rows, cols), random(9, cols));
    }
}
