package dev.janus.core.ir;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphTest {
    private static Graph mlp() {
        Generator g = new Generator(0);
        Graph graph = new Graph("mlp");
        Value x = graph.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        Value w = graph.parameter("fc1.weight", Tensor.randn(g, 8, 4));
        Value b = graph.parameter("fc1.bias", Tensor.zeros(8));
        Value h = graph.apply(Ops.LINEAR, Attrs.NONE, List.of(x, w, b), "fc1").get(0);
        Value r = graph.apply1(Ops.RELU, Attrs.NONE, h);
        List<Value> d = graph.apply(Ops.DROPOUT, Attrs.of("p", 0.3), r);
        graph.addOutput(d.get(0));
        return graph;
    }

    @Test
    void typesFlowThroughAndPrintReadably() {
        Graph graph = mlp();
        Value out = graph.outputs().get(0);
        assertEquals(TensorType.of(DType.FLOAT32, -1, 8), out.type());
        assertEquals(3, graph.nodes().size());
        assertEquals(String.join("\n",
                "graph mlp {",
                "  input x: float32[?, 4]",
                "  param fc1.weight: float32[8, 4]",
                "  param fc1.bias: float32[8]",
                "  %3: float32[?, 8] = linear(x, fc1.weight, fc1.bias)  # fc1",
                "  %4: float32[?, 8] = relu(%3)",
                "  %5: float32[?, 8], %6: float32[?, 8] = dropout(%4) {p=0.3}",
                "  output %5",
                "}"), graph.toString());
    }

    @Test
    void outputsMayBeNamed() {
        Graph graph = new Graph("g");
        Value x = graph.input("x", TensorType.of(DType.FLOAT32, 2));
        Value y = graph.apply1(Ops.RELU, Attrs.NONE, x);
        graph.addOutput("logits", y);
        graph.addOutput(x);
        assertEquals("logits", graph.outputName(0));
        assertEquals("x", graph.outputName(1));
        assertTrue(graph.toString().endsWith("  output %1 as logits, x\n}"), graph.toString());
        assertThrows(JanusException.class, () -> graph.addOutput("x", y), "names are unique");
    }

    @Test
    void shapeErrorsNameTheLabelAndShapes() {
        Graph graph = new Graph("bad");
        Value x = graph.input("x", TensorType.of(DType.FLOAT32, -1, 5));
        Value w = graph.parameter("w", Tensor.zeros(64, 4));
        ShapeException e = assertThrows(ShapeException.class, () -> graph.apply(Ops.LINEAR, Attrs.NONE, List.of(x, w), "dense_1"));
        assertEquals("dense_1: linear: input [?, 5] does not match weight [64, 4] (the input's last dimension must be in_features = 4)",
                e.getMessage());
        assertEquals(0, graph.nodes().size(), "nothing is added on error");
    }

    @Test
    void valuesBelongToOneGraph() {
        Graph a = new Graph("a"), b = new Graph("b");
        Value x = a.input("x", TensorType.of(DType.FLOAT32, 2));
        assertThrows(JanusException.class, () -> b.apply1(Ops.RELU, Attrs.NONE, x));
        assertThrows(JanusException.class, () -> a.input("x", TensorType.of(DType.FLOAT32, 2)));
    }

    @Test
    void parametersCanBeUpdatedOnlyWithTheirType() {
        Graph graph = mlp();
        Value w = graph.parameters().get(0);
        graph.setParameterValue(w, Tensor.ones(8, 4));
        assertEquals(1.0, graph.parameterValue(w).getDouble(0, 0));
        assertThrows(ShapeException.class, () -> graph.setParameterValue(w, Tensor.ones(4, 8)));
    }

    @Test
    void interpreterRunsTheGraphWithTheOpsKernels() {
        Graph graph = mlp();
        Tensor x = Tensor.randn(new Generator(5), 16, 4);
        Tensor out = Interpreter.run(graph, List.of(x), new dev.janus.core.ops.ExecContext(new Generator(1))).get(0);
        dev.janus.core.ops.Immediate now = new dev.janus.core.ops.Immediate(new dev.janus.core.ops.ExecContext(new Generator(1)));
        List<Value> params = graph.parameters();
        Tensor h = now.one(Ops.RELU, Attrs.NONE, List.of(now.one(Ops.LINEAR, Attrs.NONE,
                List.of(x, graph.parameterValue(params.get(0)), graph.parameterValue(params.get(1))))));
        Tensor expected = now.one(Ops.DROPOUT, Attrs.of("p", 0.3), List.of(h));
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.f32(), out.f32());
        ShapeException e = assertThrows(ShapeException.class,
                () -> Interpreter.run(graph, List.of(Tensor.zeros(16, 5)), dev.janus.core.ops.ExecContext.global()));
        assertEquals("graph mlp: input x expects float32[?, 4], got float32[16, 5]", e.getMessage());
    }

    @Test
    void emitterBuildsGradientNodes() {
        Graph graph = new Graph("g");
        GraphEmitter e = new GraphEmitter(graph);
        Value x = graph.input("x", TensorType.of(DType.FLOAT64, 3, 4));
        Value y = e.sigmoid(x);
        e.label("backward");
        Value g = e.scalar(1, DType.FLOAT64);
        List<Value> grad = Ops.SIGMOID.gradient(e, Attrs.NONE, List.of(x), List.of(y), List.of(g), new boolean[] {true});
        assertEquals(Shape.of(3, 4), grad.get(0).type().shape());
        assertEquals("backward", grad.get(0).producer().label());
    }
}
