package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.testing.Close;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static dev.janus.export.Models.floatAttr;
import static dev.janus.export.Models.floats;
import static dev.janus.export.Models.floatsAttr;
import static dev.janus.export.Models.intAttr;
import static dev.janus.export.Models.intsAttr;
import static dev.janus.export.Models.longs;
import static dev.janus.export.Models.model;
import static dev.janus.export.Models.node;
import static dev.janus.export.Models.raw;
import static dev.janus.export.Models.tensorAttr;
import static dev.janus.export.Models.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONNX files from elsewhere: both tensor encodings, Constant nodes, old-style inputs, a PyTorch export, mnist-8. */
class ImportTest {
    private static final ExecContext CTX = new ExecContext(new Generator(0));

    private static byte[] le(int bytesPerValue, int n, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytesPerValue * n).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    @Test
    void tensorsReadFromRawDataAndFromTheTypedFields() {
        float[] f = {1.5f, -2f, 3.25f, 0f, 1e-7f, -8e5f};
        Tensor fromTyped = OnnxTensors.read(floats("f", f, 2, 3), "f");
        Tensor fromRaw = OnnxTensors.read(raw("f", 1, le(4, 6, b -> { for (float x : f) b.putFloat(x); }), 2, 3), "f");
        assertEquals(TensorType.of(DType.FLOAT32, 2, 3), fromTyped.type());
        assertArrayEquals(f, fromTyped.f32());
        assertArrayEquals(f, fromRaw.f32());

        double[] d = {Math.PI, -1e300, 0.1};
        TensorProto typedD = TensorProto.newBuilder().setDataType(11).addDims(3).addDoubleData(d[0]).addDoubleData(d[1]).addDoubleData(d[2]).build();
        assertArrayEquals(d, OnnxTensors.read(typedD, "d").f64());
        assertArrayEquals(d, OnnxTensors.read(raw("d", 11, le(8, 3, b -> { for (double x : d) b.putDouble(x); }), 3), "d").f64());

        long[] l = {Long.MIN_VALUE, -1, 7, Long.MAX_VALUE};
        assertArrayEquals(l, OnnxTensors.read(longs("l", l, 4), "l").i64());
        assertArrayEquals(l, OnnxTensors.read(raw("l", 7, le(8, 4, b -> { for (long x : l) b.putLong(x); }), 4), "l").i64());

        TensorProto typedBool = TensorProto.newBuilder().setDataType(9).addDims(3).addInt32Data(1).addInt32Data(0).addInt32Data(1).build();
        assertArrayEquals(new boolean[] {true, false, true}, OnnxTensors.read(typedBool, "b").bool());
        assertArrayEquals(new boolean[] {false, true}, OnnxTensors.read(raw("b", 9, new byte[] {0, 1}, 2), "b").bool());

        TensorProto typedInt = TensorProto.newBuilder().setDataType(6).addDims(2).addInt32Data(-3).addInt32Data(5).build();
        assertArrayEquals(new int[] {-3, 5}, OnnxTensors.read(typedInt, "i").i32());
        assertArrayEquals(new int[] {-3, 5}, OnnxTensors.read(raw("i", 6, le(4, 2, b -> b.putInt(-3).putInt(5)), 2), "i").i32());
        // The smaller integers and the bits of float16 travel in int32_data; uint32/uint64 in uint64_data.
        TensorProto typedU8 = TensorProto.newBuilder().setDataType(2).addDims(2).addInt32Data(200).addInt32Data(7).build();
        assertArrayEquals(new double[] {200, 7}, OnnxTensors.read(typedU8, "u").toDoubleArray());
        TensorProto typedHalf = TensorProto.newBuilder().setDataType(10).addDims(2).addInt32Data(0x3c00).addInt32Data(0xc000).build();
        assertArrayEquals(new double[] {1, -2}, OnnxTensors.read(typedHalf, "h").toDoubleArray());
        TensorProto typedU64 = TensorProto.newBuilder().setDataType(13).addDims(1).addUint64Data(-1L).build();
        assertEquals(0x1p64, OnnxTensors.read(typedU64, "u64").readDouble(0));

        Tensor t = Tensor.randn(new Generator(1), 3, 2);
        assertArrayEquals(t.f32(), OnnxTensors.read(OnnxTensors.write(t, "t"), "t").f32());
        assertEquals(Tensor.scalar(2.5).type(), OnnxTensors.read(OnnxTensors.write(Tensor.scalar(2.5), null), "s").type());
    }

    @Test
    void tensorsWhoseDataDoesNotFitTheirShapeAreRefused() {
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxTensors.read(floats("w", new float[5], 2, 3), "initializer 'w'"));
        assertEquals("initializer 'w': shape [2, 3] needs 6 values, the tensor holds 5", e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxTensors.read(raw("w", 1, new byte[23], 2, 3), "initializer 'w'"));
        assertEquals("initializer 'w': shape [2, 3] needs 24 bytes of FLOAT data, raw_data has 23", e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxTensors.read(floats("w", new float[0], -1), "w"));
        assertTrue(e.getMessage().contains("do not describe a tensor"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxTensors.read(TensorProto.newBuilder().setDataType(17).addDims(1).build(), "h"));
        assertTrue(e.getMessage().startsWith("h: element type FLOAT8E4M3FN is not supported (Janus has [float32, float64, int64, bool, int8"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> OnnxTensors.read(TensorProto.newBuilder().setDataType(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).build(), "big"));
        assertEquals("big: external data without a location", e.getMessage());
    }

    /**
     * Old exporters list initializers among the graph inputs; only x is fed. W is in float_data,
     * b in raw_data; ONNX Runtime runs the same file as the judge.
     */
    @Test
    void anOldStyleModelFeedsOnlyItsTrueInputs() {
        float[] w = {1, 0, -1, 2, 0.5f, 0.5f, 0.5f, 0.5f, 0, -2, 0, 3};
        GraphProto.Builder g = GraphProto.newBuilder().setName("old")
                .addInput(value("x", 1, -1, 4)).addInput(value("W", 1, 3, 4)).addInput(value("b", 1, 3))
                .addInitializer(floats("W", w, 3, 4))
                .addInitializer(raw("b", 1, le(4, 3, bb -> bb.putFloat(0.5f).putFloat(-1).putFloat(0)), 3))
                .addNode(node("Gemm", List.of("x", "W", "b"), List.of("h"), intAttr("transB", 1)))
                .addNode(node("Relu", List.of("h"), List.of("y")))
                .addOutput(value("y", 1, -1, 3));
        byte[] bytes = model(11, g).toByteArray();
        Graph graph = OnnxImporter.read(bytes);
        assertEquals(List.of("x"), graph.inputs().stream().map(Value::name).collect(java.util.stream.Collectors.toList()));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 0}, 2, 4);
        Tensor y = Interpreter.run(graph, List.of(x), CTX).get(0);
        // Row 1: [1-3+8, (1+2+3+4)/2, -4+12] + b = [6.5, 4, 8]; row 2: [-1-1, 0, 0] + b -> relu [0, 0, 0]
        assertArrayEquals(new float[] {6.5f, 4f, 8f, 0f, 0f, 0f}, y.f32());
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(bytes)) {
            assertArrayEquals(y.f32(), ort.run(Map.of("x", x)).get("y").f32());
        }
    }

    /**
     * Before opset 13, Softmax and LogSoftmax flatten the input to 2-D at the axis, default 1, and
     * normalise over everything after it: over 12 numbers for [N, 3, 4], where opset 13's default
     * (the last axis) takes 4. Checked against ONNX Runtime running the same file.
     */
    @Test
    void softmaxBeforeOpset13NormalisesEverythingAfterItsDefaultAxis() {
        for (String op : List.of("Softmax", "LogSoftmax")) {
            GraphProto.Builder g = GraphProto.newBuilder().setName("old_" + op)
                    .addInput(value("x", 1, -1, 3, 4))
                    .addNode(node(op, List.of("x"), List.of("y")))
                    .addOutput(value("y", 1, -1, 3, 4));
            byte[] bytes = model(11, g).toByteArray();
            Graph graph = OnnxImporter.read(bytes);
            OrtJudge.assertSameOutputs(bytes, graph, b -> List.of(Tensor.randn(new Generator(b), b, 3, 4)));
            if (op.equals("Softmax")) {
                Tensor y = Interpreter.run(graph, List.of(Tensor.randn(new Generator(7), 2, 3, 4)), new ExecContext(new Generator(0))).get(0);
                for (int row = 0; row < 2; row++) {
                    double sum = 0;
                    for (int i = 0; i < 12; i++) sum += y.readDouble(row * 12 + i);
                    assertEquals(1.0, sum, 1e-6, "row " + row + " sums to one over all 12 numbers");
                }
            }
        }
    }

    @Test
    void outputsKeepTheirNamesAndExportUnderThemAgain() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("named")
                .addInput(value("x", 1, -1, 3))
                .addNode(node("Relu", List.of("x"), List.of("scores")))
                .addOutput(value("scores", 1, -1, 3)).addOutput(value("x", 1, -1, 3));
        Graph graph = OnnxImporter.read(model(17, g).toByteArray());
        assertEquals(List.of("scores", "x"), List.of(graph.outputName(0), graph.outputName(1)));
        ModelProto again = OnnxExporter.toModel(graph, ExportOptions.defaults());
        assertEquals(List.of("scores", "output_1"), again.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList(),
                "an input passed through is copied to a name of its own");
        OrtJudge.assertSameOutputs(again.toByteArray(), graph, b -> List.of(Tensor.randn(new Generator(b), b, 3)));
        OnnxException twice = assertThrows(OnnxException.class, () -> OnnxImporter.read(model(17, g.addOutput(value("scores", 1, -1, 3))).toByteArray()));
        assertEquals("graph output 'scores' is listed twice", twice.getMessage());
    }

    @Test
    void floatInitializersAreTrainableParametersUnlessFrozen() {
        Graph g = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        assertEquals(6, g.parameters().size(), "three Linear layers, weight and bias each");
        assertTrue(g.parameters().stream().allMatch(g::isTrainable));
        assertEquals(TensorType.of(DType.FLOAT32, 16, 4), g.parameters().get(0).type());
        Graph frozen = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"), ImportOptions.defaults().trainable(false));
        assertTrue(frozen.parameters().stream().noneMatch(frozen::isTrainable));
    }

    /** Constant nodes in each form ONNX has: a tensor (raw), value_float, value_floats, value_int, value_ints. */
    @Test
    void constantNodesInEveryForm() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("consts")
                .addInput(value("x", 1, -1, 4))
                .addNode(node("Constant", List.of(), List.of("t"), tensorAttr("value", raw("", 1, le(4, 4, b -> b.putFloat(1).putFloat(2).putFloat(3).putFloat(4)), 4))))
                .addNode(node("Constant", List.of(), List.of("f"), floatAttr("value_float", 0.5f)))
                .addNode(node("Constant", List.of(), List.of("fs"), floatsAttr("value_floats", -1, 0, 1, 2)))
                .addNode(node("Constant", List.of(), List.of("i"), intAttr("value_int", 3)))
                .addNode(node("Constant", List.of(), List.of("is"), intsAttr("value_ints", -1, 2)))
                .addNode(node("Add", List.of("x", "t"), List.of("a")))
                .addNode(node("Mul", List.of("a", "f"), List.of("m")))
                .addNode(node("Add", List.of("m", "fs"), List.of("s")))
                .addNode(node("Reshape", List.of("s", "is"), List.of("r")))
                .addNode(node("Gather", List.of("x", "i"), List.of("g"), intAttr("axis", 1)))
                .addOutput(value("r", 1, -1, 2)).addOutput(value("g", 1, -1));
        byte[] bytes = model(13, g).toByteArray();
        Graph graph = OnnxImporter.read(bytes);
        Tensor x = Tensor.of(new float[] {1, 1, 1, 1, 0, 2, 4, 6}, 2, 4);
        List<Tensor> out = Interpreter.run(graph, List.of(x), CTX);
        // ((x + [1,2,3,4]) * 0.5 + [-1,0,1,2]) as [4, 2]; x[:, 3]
        assertArrayEquals(new float[] {0, 1.5f, 3, 4.5f, -0.5f, 2, 4.5f, 7}, out.get(0).f32());
        assertEquals(TensorType.of(DType.FLOAT32, 4, 2), out.get(0).type());
        assertArrayEquals(new float[] {1, 6}, out.get(1).f32());
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(bytes)) {
            List<Tensor> judged = ort.run(x);
            assertArrayEquals(judged.get(0).f32(), out.get(0).f32());
            assertArrayEquals(judged.get(1).f32(), out.get(1).f32());
        }
    }

    @Test
    void aShapeThatIsAGraphInputIsReadAtRunTimeOrFixed() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("reshape")
                .addInput(value("x", 1, 2, 3)).addInput(value("shape", 7, 2))
                .addNode(node("Reshape", List.of("x", "shape"), List.of("y")))
                .addOutput(value("y", 1, 3, 2));
        byte[] bytes = model(13, g).toByteArray();
        Graph dynamic = OnnxImporter.read(bytes);
        assertEquals(2, dynamic.inputs().size());
        assertEquals(TensorType.of(DType.FLOAT32, -1, -1), dynamic.outputs().get(0).type());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = dev.janus.core.ir.Interpreter.run(dynamic, List.of(x, Tensor.of(new long[] {3, -1})), dev.janus.core.ops.ExecContext.global()).get(0);
        assertEquals(dev.janus.core.Shape.of(3, 2), y.shape());
        assertArrayEquals(x.f32(), y.f32());
        Graph fixed = OnnxImporter.read(bytes, ImportOptions.defaults().constants(Map.of("shape", Tensor.of(new long[] {3, -1}))));
        assertEquals(1, fixed.inputs().size());
        assertEquals(TensorType.of(DType.FLOAT32, 3, 2), fixed.outputs().get(0).type());
        assertThrows(OnnxException.class, () -> OnnxImporter.read(bytes, ImportOptions.defaults().constants(Map.of("shap", Tensor.of(new long[] {6})))));
    }

    /** A model from PyTorch's exporter (Gemm, the erf form of GELU from Constant nodes, Flatten, LogSoftmax) against PyTorch's outputs and ONNX Runtime. */
    @Test
    void aPyTorchExportRuns() {
        OnnxTestRunner.Result r = OnnxTestRunner.run(OnnxNodeTest.resource("onnx-models/torch-mlp"), 1e-5, 1e-6);
        assertEquals(OnnxTestRunner.Status.PASS, r.status, r.detail);
        Graph g = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        for (int batch : new int[] {1, 7}) {
            Tensor x = Tensor.randn(new Generator(batch), batch, 4);
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"))) {
                Tensor want = ort.run(x).get(0), got = Interpreter.run(g, List.of(x), CTX).get(0);
                assertTrue(Close.maxRelError(got, want, OrtJudge.FLOOR) <= OrtJudge.MAX_REL);
            }
        }
    }

    /**
     * From opset 15 BatchNormalization's statistics may have another float type than its input;
     * they are cast to the input's. ONNX Runtime has no kernel for the mix, so it judges the same
     * model with the statistics in float32.
     */
    @Test
    void batchNormStatisticsOfAnotherTypeAreCast() {
        double[][] stats = {{0.5, 1.5}, {-0.2, 0.3}, {0.1, -0.4}, {0.8, 2.0}};
        String[] names = {"scale", "bias", "mean", "var"};
        GraphProto.Builder mixed = GraphProto.newBuilder().setName("bn").addInput(value("x", 1, -1, 2, 3)), single = mixed.clone();
        for (int i = 0; i < 4; i++) {
            mixed.addInitializer(OnnxTensors.write(Tensor.of(stats[i]), names[i]));
            single.addInitializer(OnnxTensors.write(Tensor.of(new float[] {(float) stats[i][0], (float) stats[i][1]}), names[i]));
        }
        for (GraphProto.Builder g : List.of(mixed, single)) {
            g.addNode(node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), List.of("y"), floatAttr("epsilon", 1e-3f)))
                    .addOutput(value("y", 1, -1, 2, 3));
        }
        Graph imported = OnnxImporter.read(model(15, mixed).toByteArray());
        OrtJudge.assertSameOutputs(model(15, single).toByteArray(), imported, b -> List.of(Tensor.uniform(0.5, 1.5, DType.FLOAT32, new Generator(b), b, 2, 3)));
    }

    /** An LSTM with initial_c but no initial_h (zeros) and no B (zeros), against ONNX Runtime on the same file. */
    @Test
    void lstmOptionalInputsLeftOut() {
        Generator gen = new Generator(3);
        GraphProto.Builder g = GraphProto.newBuilder().setName("lstm").addInput(value("x", 1, 4, 2, 3)).addInput(value("c0", 1, 1, 2, 5))
                .addInitializer(OnnxTensors.write(Tensor.uniform(0.1, 1, DType.FLOAT32, gen, 1, 20, 3), "W"))
                .addInitializer(OnnxTensors.write(Tensor.uniform(0.1, 1, DType.FLOAT32, gen, 1, 20, 5), "R"))
                .addNode(node("LSTM", List.of("x", "W", "R", "", "", "", "c0"), List.of("y", "", "yc"), intAttr("hidden_size", 5)))
                .addOutput(value("y", 1, 4, 1, 2, 5)).addOutput(value("yc", 1, 1, 2, 5));
        byte[] bytes = model(14, g).toByteArray();
        OrtJudge.assertSameOutputs(bytes, OnnxImporter.read(bytes), b -> List.of(Tensor.uniform(0.1, 1, DType.FLOAT32, new Generator(b), 4, 2, 3),
                Tensor.uniform(0.1, 1, DType.FLOAT32, new Generator(b + 10), 1, 2, 5)));
    }

    /**
     * PyTorch exports of the layers of a CNN (at opset 13, with LayerNorm written out, and at 17) and
     * of a bidirectional LSTM into a GRU, against PyTorch's outputs (src/test/python/make_torch_layers.py).
     */
    @ParameterizedTest
    @ValueSource(strings = {"torch-cnn-opset13", "torch-cnn-opset17", "torch-rnn"})
    void pyTorchLayersRun(String name) {
        OnnxTestRunner.Result r = OnnxTestRunner.run(OnnxNodeTest.resource("onnx-models/" + name), 1e-5, 1e-6);
        assertEquals(OnnxTestRunner.Status.PASS, r.status, r.detail);
    }

    /**
     * mnist-8 (opset 8, IR 3, initializers listed as inputs): Conv, Add, Relu, MaxPool, Reshape,
     * MatMul on raw pixels. Logits reach ~6.6e3: a relative tolerance, with a small absolute one for
     * logits near 0.
     */
    @Test
    void mnist8() {
        OnnxTestRunner.Result r = OnnxTestRunner.run(OnnxNodeTest.resource("onnx-models/mnist-8"), 1e-5, 1e-3);
        assertEquals(OnnxTestRunner.Status.PASS, r.status, r.detail);
    }

    @Test
    void importedValuesKeepOnnxNames() {
        Graph g = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        assertEquals("x", g.inputs().get(0).name());
        assertFalse(g.parameters().isEmpty());
        assertTrue(g.parameters().get(0).name().startsWith("0."), g.parameters().get(0).name());
        assertTrue(g.nodes().stream().allMatch(n -> n.label() != null), "every node is labelled with its ONNX node");
        ModelProto again = OnnxExporter.toModel(g, ExportOptions.defaults());
        assertEquals("x", again.getGraph().getInput(0).getName());
    }
}
