package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.testing.Close;
import dev.janus.export.proto.Onnx.GraphProto;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.janus.export.Models.graphAttr;
import static dev.janus.export.Models.longs;
import static dev.janus.export.Models.model;
import static dev.janus.export.Models.node;
import static dev.janus.export.Models.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** If and Loop read at import (ControlFlow), each model checked against ONNX Runtime at two batch sizes. */
class ControlFlowTest {
    /**
     * y = 2x + 1 when x has 3 columns (a shape check, as exporters write them), through a nested If
     * whose branches use values of the enclosing scopes; the batch stays dynamic.
     */
    static byte[] ifOnAShape() {
        GraphProto.Builder innerThen = GraphProto.newBuilder().setName("inner_then")
                .addNode(node("Add", List.of("twice", "one"), List.of("inner_y"))).addOutput(value("inner_y", 1, -1, 3));
        GraphProto.Builder innerElse = GraphProto.newBuilder().setName("inner_else")
                .addNode(node("Sub", List.of("twice", "one"), List.of("inner_z"))).addOutput(value("inner_z", 1, -1, 3));
        GraphProto.Builder then = GraphProto.newBuilder().setName("then")
                .addInitializer(Models.floats("two", new float[] {2}))
                .addNode(node("Mul", List.of("x", "two"), List.of("twice")))
                .addNode(node("If", List.of("is3"), List.of("then_y"), graphAttr("then_branch", innerThen), graphAttr("else_branch", innerElse)))
                .addOutput(value("then_y", 1, -1, 3));
        GraphProto.Builder otherwise = GraphProto.newBuilder().setName("else")
                .addNode(node("Neg", List.of("x"), List.of("else_y"))).addOutput(value("else_y", 1, -1, 3));
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3))
                .addInitializer(longs("axis1", new long[] {1})).addInitializer(longs("three", new long[] {3}))
                .addInitializer(Models.floats("one", new float[] {1}))
                .addNode(node("Shape", List.of("x"), List.of("shape")))
                .addNode(node("Gather", List.of("shape", "axis1"), List.of("cols")))
                .addNode(node("Equal", List.of("cols", "three"), List.of("is3")))
                .addNode(node("If", List.of("is3"), List.of("y"), graphAttr("then_branch", then), graphAttr("else_branch", otherwise)))
                .addOutput(value("y", 1, -1, 3));
        return model(13, g).toByteArray();
    }

    /** Three iterations of acc += i x (x from the enclosing scope), each iteration's acc stacked as a scan output. */
    static byte[] loopOfThree(long trips) {
        GraphProto.Builder body = GraphProto.newBuilder().setName("body")
                .addInput(value("i", 7)).addInput(value("cond_in", 9)).addInput(value("acc_in", 1, -1, 4))
                .addNode(node("Identity", List.of("cond_in"), List.of("cond_out")))
                .addNode(node("Cast", List.of("i"), List.of("fi"), Models.intAttr("to", 1)))
                .addNode(node("Mul", List.of("x", "fi"), List.of("ix")))
                .addNode(node("Add", List.of("acc_in", "ix"), List.of("acc_out")))
                .addNode(node("Identity", List.of("acc_out"), List.of("scan")))
                .addOutput(value("cond_out", 9)).addOutput(value("acc_out", 1, -1, 4)).addOutput(value("scan", 1, -1, 4));
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 4))
                .addInitializer(longs("trips", new long[] {trips})).addInitializer(Models.raw("go", 9, new byte[] {1}))
                .addNode(node("Loop", List.of("trips", "go", "x"), List.of("acc", "all"), graphAttr("body", body)))
                .addOutput(value("acc", 1, -1, 4)).addOutput(value("all", 1, 3, -1, 4));
        return model(13, g).toByteArray();
    }

    /** A running sum over axis 1 of x, read back to front, each step's product stacked on axis 1 of the output. */
    static byte[] scanBackwards() {
        GraphProto.Builder body = GraphProto.newBuilder().setName("body")
                .addInput(value("s_in", 1, -1, 4)).addInput(value("xt", 1, -1, 4))
                .addNode(node("Add", List.of("s_in", "xt"), List.of("s_out")))
                .addNode(node("Mul", List.of("s_out", "xt"), List.of("p")))
                .addOutput(value("s_out", 1, -1, 4)).addOutput(value("p", 1, -1, 4));
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3, 4))
                .addNode(node("ReduceMean", List.of("x"), List.of("init"), Models.intsAttr("axes", 1), Models.intAttr("keepdims", 0)))
                .addNode(node("Scan", List.of("init", "x"), List.of("s", "ps"), graphAttr("body", body), Models.intAttr("num_scan_inputs", 1),
                        Models.intsAttr("scan_input_axes", 1), Models.intsAttr("scan_input_directions", 1), Models.intsAttr("scan_output_axes", -2)))
                .addOutput(value("s", 1, -1, 4)).addOutput(value("ps", 1, -1, 3, 4));
        return model(13, g).toByteArray();
    }

    private static void sameAsOnnxRuntime(byte[] model, int... columns) {
        Graph graph = OnnxImporter.read(model);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            for (int batch : new int[] {2, 5}) {
                int[] dims = new int[columns.length + 1];
                dims[0] = batch;
                System.arraycopy(columns, 0, dims, 1, columns.length);
                Tensor x = Tensor.randn(new Generator(batch), dims);
                List<Tensor> want = ort.run(x), got = Interpreter.run(graph, List.of(x), new ExecContext(new Generator(0)));
                assertEquals(want.size(), got.size());
                for (int k = 0; k < want.size(); k++) Close.assertClose(want.get(k), got.get(k), 1e-6, 1e-6);
            }
        }
    }

    @Test
    void anIfOnAShapeBecomesItsBranch() {
        byte[] model = ifOnAShape();
        sameAsOnnxRuntime(model, 3);
        Graph g = OnnxImporter.read(model);
        assertTrue(g.nodes().stream().noneMatch(n -> n.op().name().equals("neg")), "the else branch is not read: " + g);
        assertEquals(Shape.of(-1, 3), g.outputs().get(0).type().shape(), "the batch stays dynamic");
    }

    @Test
    void aLoopWithAKnownTripCountIsUnrolled() {
        sameAsOnnxRuntime(loopOfThree(3), 4);
        assertEquals(Shape.of(3, -1, 4), OnnxImporter.read(loopOfThree(3)).outputs().get(1).type().shape());
    }

    @Test
    void aScanOverAStaticAxisIsUnrolled() {
        sameAsOnnxRuntime(scanBackwards(), 3, 4);
    }

    @Test
    void controlFlowKnownOnlyAtRunTimeIsRefusedNamingTheNode() {
        // The condition depends on the data.
        GraphProto.Builder branch = GraphProto.newBuilder().setName("b").addNode(node("Identity", List.of("x"), List.of("b_y")))
                .addOutput(value("b_y", 1, -1, 3));
        GraphProto.Builder onData = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3))
                .addNode(node("ReduceMax", List.of("x"), List.of("m"), Models.intAttr("keepdims", 0)))
                .addInitializer(Models.floats("zero", new float[] {0}))
                .addNode(node("Greater", List.of("m", "zero"), List.of("positive")))
                .addNode(node("If", List.of("positive"), List.of("y"), graphAttr("then_branch", branch), graphAttr("else_branch", branch)))
                .addOutput(value("y", 1, -1, 3));
        String m = assertThrows(OnnxException.class, () -> OnnxImporter.read(model(13, onData).toByteArray())).getMessage();
        assertEquals("ONNX node 'if_y' (If): the condition (input 0, 'positive') is known only at run time; Janus reads If when the model is read,"
                + " so it must be known then (a constant or a shape); a graph input can be fixed with ImportOptions.constants", m);
        // A trip count of a billion would unroll into a graph of billions of nodes.
        m = assertThrows(OnnxException.class, () -> OnnxImporter.read(loopOfThree(1_000_000_000L))).getMessage();
        assertEquals("ONNX node 'loop_acc' (Loop): body, iteration 4096: the model's If and Loop subgraphs expand to more than 4096 copies", m);
    }
}
