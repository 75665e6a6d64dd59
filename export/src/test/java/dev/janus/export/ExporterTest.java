package dev.janus.export;

import dev.janus.core.JanusException;
import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.core.optim.SGD;
import dev.janus.core.testing.Close;
import dev.janus.core.testing.LongChains;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exporter as a whole: the inference form, opsets and IR versions, names, files. */
class ExporterTest {
    private static final Generator G = new Generator(7);
    private static final Tensor W1 = Tensor.randn(G, 8, 4), B1 = Tensor.randn(G, 8), W2 = Tensor.randn(G, 3, 8), B2 = Tensor.randn(G, 3);

    /** x -> linear -> relu -> dropout(p) -> linear: the logits, for a dynamic batch. */
    private static Value mlp(Graph g, double p) {
        return mlp(g, p, -1);
    }

    private static Value mlp(Graph g, double p, int batch) {
        Value x = g.input("x", TensorType.of(DType.FLOAT32, batch, 4));
        Value h = g.apply(Ops.LINEAR, Attrs.NONE, List.of(x, g.parameter("fc1.weight", W1), g.parameter("fc1.bias", B1)), "fc1").get(0);
        Value r = g.apply1(Ops.RELU, Attrs.NONE, h);
        Value d = g.apply(Ops.DROPOUT, Attrs.of("p", p), r).get(0);
        return g.apply(Ops.LINEAR, Attrs.NONE, List.of(d, g.parameter("fc2.weight", W2), g.parameter("fc2.bias", B2)), "fc2").get(0);
    }

    private static List<Tensor> batch(int n) {
        return List.of(Tensor.randn(new Generator(n), n, 4));
    }

    private static List<String> opTypes(ModelProto m) {
        return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toList());
    }

    /**
     * A training graph as the compiler builds one (for a static batch): the loss, the backward pass
     * (each op's gradient rule) and an SGD update. Exporting the logits leaves all of that out.
     */
    @Test
    void aTrainingGraphExportsOnlyThePrediction() {
        Graph g = new Graph("train");
        Value logits = mlp(g, 0.3, 4);
        Value labels = g.input("labels", TensorType.of(DType.INT64, 4));
        Value loss = g.apply1(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, logits, labels);
        GraphEmitter e = new GraphEmitter(g);
        e.label("backward");
        Value dLogits = Ops.SOFTMAX_CROSS_ENTROPY.gradient(e, Attrs.NONE, List.of(logits, labels), List.of(loss),
                List.of(e.scalar(1, DType.FLOAT32)), new boolean[] {true, false}).get(0);
        Value fc2 = logits.producer().inputs().get(1);
        Value dW2 = Ops.LINEAR.gradient(e, Attrs.NONE, logits.producer().inputs(), List.of(logits), List.of(dLogits),
                new boolean[] {false, true, false}).get(1);
        SGD sgd = new SGD(0.1);
        List<Value> scalars = new ArrayList<>();
        for (double s : sgd.scalars(1)) scalars.add(e.scalar(s, DType.FLOAT32));
        Value newW2 = sgd.update(e, fc2, dW2, List.of(), scalars).get(0);
        g.addOutput(loss);
        g.addOutput(newW2);

        ModelProto m = OnnxExporter.toModel(g, List.of(logits), ExportOptions.defaults());
        assertEquals(List.of("Gemm", "Relu", "Gemm"), opTypes(m), "no dropout, loss, gradient or update nodes");
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                m.getGraph().getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toList()));
        Graph reference = new Graph("reference");
        reference.addOutput(mlp(reference, 0, 4));
        Tensor x = batch(4).get(0), want = Interpreter.run(reference, List.of(x), new ExecContext(new Generator(0))).get(0);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(m.toByteArray())) {
            assertEquals(List.of("x"), List.copyOf(ort.inputs().keySet()), "the labels are left out");
            Tensor got = ort.run(x).get(0);
            assertTrue(Close.maxRelError(got, want, OrtJudge.FLOOR) <= OrtJudge.MAX_REL);
        }
    }

    @Test
    void linearIsGemmWhere2dAndMatMulAddOtherwise() {
        Graph g = new Graph("seq");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 5, 4));
        g.addOutput(g.apply1(Ops.LINEAR, Attrs.NONE, x, g.parameter("w", W1), g.parameter("b", B1)));
        assertEquals(List.of("Transpose", "MatMul", "Add"), opTypes(OnnxExporter.toModel(g, ExportOptions.defaults())));
    }

    @Test
    void aDropoutOutputAndItsInputCanBothBeOutputs() {
        Graph g = new Graph("both");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        Value r = g.apply1(Ops.RELU, Attrs.NONE, x);
        g.addOutput(g.apply(Ops.DROPOUT, Attrs.of("p", 0.5), r).get(0));
        g.addOutput(r);
        g.addOutput(x);
        ModelProto m = OnnxExporter.toModel(g, ExportOptions.defaults().outputNames("dropped", "relu", "same"));
        assertEquals(List.of("Relu", "Identity", "Identity"), opTypes(m));
        Graph reference = new Graph("reference");
        Value rx = reference.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        Value rr = reference.apply1(Ops.RELU, Attrs.NONE, rx);
        reference.addOutput(rr);
        reference.addOutput(rr);
        reference.addOutput(rx);
        OrtJudge.assertSameOutputs(m.toByteArray(), reference, b -> List.of(Tensor.randn(new Generator(b), b, 3)));
    }

    @Test
    void eachOpsetHasItsIrVersionAndLoadsInOnnxRuntime() {
        Map<Integer, Integer> ir = Map.of(13, 7, 14, 7, 15, 8, 16, 8, 17, 8, 18, 8, 19, 9, 20, 9, 21, 10);
        Graph g = new Graph("mlp");
        g.addOutput(mlp(g, 0));
        for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset++) {
            ModelProto m = OnnxExporter.toModel(g, ExportOptions.defaults().opset(opset));
            assertEquals(ir.get(opset).longValue(), m.getIrVersion(), "IR version for opset " + opset);
            assertEquals(opset, m.getOpsetImport(0).getVersion());
            OrtJudge.assertSameOutputs(g, ExportOptions.defaults().opset(opset), ExporterTest::batch);
        }
        ModelProto byDefault = OnnxExporter.toModel(g, ExportOptions.defaults());
        assertEquals(17, byDefault.getOpsetImport(0).getVersion());
        assertEquals(8, byDefault.getIrVersion());
    }

    @Test
    void opsetsOutsideTheRangeAreRefused() {
        OnnxException e = assertThrows(OnnxException.class, () -> ExportOptions.defaults().opset(12));
        assertEquals("opset 12 is not supported for export; choose 13 to 21", e.getMessage());
        assertThrows(OnnxException.class, () -> ExportOptions.defaults().opset(22));
    }

    @Test
    void inputsAndOutputsAreNamedWithADynamicBatch() {
        Graph g = new Graph("mlp");
        g.addOutput(mlp(g, 0));
        byte[] model = OnnxExporter.toBytes(g, ExportOptions.defaults().inputNames("features").outputNames("logits"));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            assertEquals(Map.of("features", TensorType.of(DType.FLOAT32, -1, 4)), ort.inputs());
            assertEquals(Map.of("logits", TensorType.of(DType.FLOAT32, -1, 3)), ort.outputs());
            assertEquals(List.of(7, 3), List.of(ort.run(Map.of("features", Tensor.zeros(7, 4))).get("logits").shape().dims()[0], 3));
        }
        assertThrows(OnnxException.class, () -> OnnxExporter.toBytes(g, ExportOptions.defaults().outputNames("a", "b")));
        assertThrows(OnnxException.class, () -> OnnxExporter.toBytes(g, ExportOptions.defaults().inputNames("x").outputNames("x")));
    }

    @Test
    void outputsKeepTheNamesTheGraphGaveThem() {
        Graph g = new Graph("named");
        Value logits = mlp(g, 0);
        g.addOutput("logits", logits);
        g.addOutput(g.apply1(Ops.SOFTMAX, Attrs.of("axis", -1), logits));
        g.addOutput(g.inputs().get(0));
        ModelProto m = OnnxExporter.toModel(g, ExportOptions.defaults());
        assertEquals(List.of("logits", "output_1", "output_2"), m.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
        ModelProto renamed = OnnxExporter.toModel(g, ExportOptions.defaults().outputNames("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), renamed.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
        OrtJudge.assertSameOutputs(m.toByteArray(), g, ExporterTest::batch);
    }

    @Test
    void aFixedBatchSpecialisesTheGraph() {
        Graph g = new Graph("mlp");
        g.addOutput(mlp(g, 0));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(OnnxExporter.toBytes(g, ExportOptions.defaults().batchSize(3)))) {
            assertEquals(Map.of("x", TensorType.of(DType.FLOAT32, 3, 4)), ort.inputs());
            assertEquals(Map.of("output", TensorType.of(DType.FLOAT32, 3, 3)), ort.outputs());
            Tensor x = batch(3).get(0);
            Tensor want = Interpreter.run(g, List.of(x), new ExecContext(new Generator(0))).get(0);
            assertTrue(Close.maxRelError(ort.run(x).get(0), want, OrtJudge.FLOOR) <= OrtJudge.MAX_REL);
        }
        Graph fixed = new Graph("fixed");
        fixed.addOutput(mlp(fixed, 0, 2));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxExporter.toBytes(fixed, ExportOptions.defaults().batchSize(3)));
        assertEquals("graph fixed: cannot fix the batch of input x (float32[2, 4]) to 3", e.getMessage());
        assertThrows(OnnxException.class, () -> ExportOptions.defaults().batchSize(0));
        assertTrue(ExportOptions.defaults().batchSize(3).dynamicBatch().isDynamicBatch());
    }

    @Test
    void savingWritesTheWholeFileOrNothing(@TempDir Path dir) throws IOException {
        Graph g = new Graph("mlp");
        g.addOutput(mlp(g, 0));
        Path file = dir.resolve("mlp.onnx");
        OnnxExporter.save(g, file, ExportOptions.defaults());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.collect(Collectors.toList()), "no temporary file left behind");
        }
        OrtJudge.assertSameOutputs(Files.readAllBytes(file), g, ExporterTest::batch);
        Path missing = dir.resolve("no/such/folder/mlp.onnx");
        JanusException e = assertThrows(JanusException.class, () -> OnnxExporter.save(g, missing, ExportOptions.defaults()));
        assertTrue(e.getMessage().startsWith("cannot write ONNX model to " + missing), e.getMessage());
        assertFalse(Files.exists(missing));
    }

    @Test
    void anOpWithoutMappingNamesItselfAndItsNode() {
        Op custom = new Op("my_op", 1, 1) {
            @Override
            protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
                return in;
            }

            @Override
            public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
                out[0].copyFrom(in[0]);
            }
        };
        Graph g = new Graph("custom");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        g.addOutput(g.apply(custom, Attrs.NONE, List.of(x), "block_2").get(0));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxExporter.toBytes(g, ExportOptions.defaults()));
        assertEquals("cannot export my_op (node block_2): no ONNX mapping is defined for this op", e.getMessage());
    }

    @Test
    void anOutputOfAnotherGraphIsRefused() {
        Graph g = new Graph("a"), other = new Graph("b");
        g.addOutput(mlp(g, 0));
        Value foreign = mlp(other, 0);
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxExporter.toModel(g, List.of(foreign), ExportOptions.defaults()));
        assertTrue(e.getMessage().contains("is not a value of graph a"), e.getMessage());
    }

    /** Node names are found in constant time: naming 30,000 Relu nodes once tried Relu, Relu_1, Relu_2 ... for each (80 times the time of 3,000). */
    @Test
    void aLongChainExportsInLinearTime() {
        // Linear, with room for the larger graph's cache misses (measured 10 to 16 times); quadratic was 80 times.
        double growth = LongChains.growth(3_000, 25, g -> OnnxExporter.toBytes(g, ExportOptions.defaults()));
        assertTrue(growth <= 25, String.format("30,000 nodes took %.1f times as long as 3,000", growth));
    }
}
