package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.janus.export.Models.intAttr;
import static dev.janus.export.Models.model;
import static dev.janus.export.Models.node;
import static dev.janus.export.Models.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of bad input gets a clear exception of the library's own, naming what was wrong. */
class BadInputTest {
    private static byte[] validModel() throws IOException {
        return Files.readAllBytes(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
    }

    private static GraphProto.Builder relu() {
        return GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3))
                .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", 1, -1, 3));
    }

    private static String message(byte[] bytes) {
        return assertThrows(OnnxException.class, () -> OnnxImporter.read(bytes)).getMessage();
    }

    @Test
    void aTruncatedFile() throws IOException {
        byte[] ok = validModel();
        String m = message(Arrays.copyOf(ok, ok.length / 2));
        assertTrue(m.startsWith("not an ONNX model, or a truncated or corrupt one: "), m);
    }

    @Test
    void aFileThatIsNotOnnx(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.onnx");
        Files.write(text, "just some text, not a model\n".getBytes(StandardCharsets.UTF_8));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.load(text));
        assertTrue(e.getMessage().startsWith(text + ": not an ONNX model"), e.getMessage());
        assertEquals("not an ONNX model: it has no graph or no IR version", message(new byte[0]));
        OnnxException missing = assertThrows(OnnxException.class, () -> OnnxImporter.load(dir.resolve("absent.onnx")));
        assertTrue(missing.getMessage().startsWith("cannot read " + dir.resolve("absent.onnx")), missing.getMessage());
    }

    @Test
    void anUnsupportedOpNamesTheOpTheNodeAndWhatIsSupported() {
        GraphProto.Builder g = relu().addNode(node("RoiAlign", List.of("y"), List.of("z")).toBuilder().setName("roi1").build());
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> OnnxImporter.read(model(13, g).toByteArray()));
        assertEquals("RoiAlign", e.opType());
        assertTrue(e.getMessage().startsWith("ONNX op RoiAlign (node 'roi1') is not supported; Janus imports Abs,"
                + " Acos, Acosh, Add, And, ArgMax, ArgMin,"),
                e.getMessage());
        GraphProto.Builder ml = relu().addNode(node("TreeEnsembleClassifier", List.of("y"), List.of("z")).toBuilder().setDomain("ai.onnx.ml").build());
        assertEquals("ai.onnx.ml.TreeEnsembleClassifier", assertThrows(UnsupportedOpException.class, () -> OnnxImporter.read(model(13, ml).toByteArray())).opType());
    }

    @Test
    void anOpsetOutsideTheSupportedRange() {
        assertEquals("opset 28 is newer than Janus supports (1 to 27)", message(model(28, relu()).toByteArray()));
        assertEquals("opset 0 is older than Janus supports (1 to 27)", message(model(0, relu()).toByteArray()));
        ModelProto noDefault = model(13, relu()).toBuilder().clearOpsetImport().build();
        assertEquals("the model imports no opset of the default ONNX domain", message(noDefault.toByteArray()));
        assertEquals("IR version 14 is not supported (3 to 13)", message(model(13, relu()).toBuilder().setIrVersion(14).build().toByteArray()));
    }

    @Test
    void anAttributeTheImportDoesNotKnow() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 2, 3))
                .addNode(node("ArgMax", List.of("x"), List.of("y"), intAttr("axis", 1), intAttr("fancy", 1)))
                .addOutput(value("y", 7, 2, 1));
        assertEquals("ONNX node 'argmax_y' (ArgMax): attribute(s) [fancy] are not supported", message(model(13, g).toByteArray()));
    }

    @Test
    void shapesThatDoNotFitNameTheNode() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("a", 1, -1, 3)).addInput(value("b", 1, -1, 4))
                .addNode(node("Add", List.of("a", "b"), List.of("y"))).addOutput(value("y", 1, -1, 4));
        assertEquals("ONNX node 'add_y' (Add): add: cannot broadcast [?, 3] with [?, 4] (dimension 1 of the result: 3 vs 4)",
                message(model(13, g).toByteArray()));
    }

    /** Forms of the layer nodes that Janus does not run say what is not supported. */
    @Test
    void unsupportedFormsOfLayerNodes() {
        GraphProto.Builder lstm = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 4, 2, 3))
                .addInitializer(Models.floats("W", new float[24], 1, 8, 3)).addInitializer(Models.floats("R", new float[16], 1, 8, 2))
                .addInitializer(Models.longs("lens", new long[] {4, 3}, 2))
                .addNode(node("LSTM", List.of("x", "W", "R", "", "lens"), List.of("y"), intAttr("hidden_size", 2)))
                .addOutput(value("y", 1, 4, 1, 2, 2));
        assertEquals("ONNX node 'lstm_y' (LSTM): sequence_lens[1] is 3; sequences shorter than the input's 4 steps are not supported",
                message(model(13, lstm).toByteArray()));
        GraphProto.Builder clip = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 4, 2, 3))
                .addInitializer(Models.floats("W", new float[24], 1, 8, 3)).addInitializer(Models.floats("R", new float[16], 1, 8, 2))
                .addNode(node("LSTM", List.of("x", "W", "R"), List.of("y"), intAttr("hidden_size", 2), Models.floatAttr("clip", 3)))
                .addOutput(value("y", 1, 4, 1, 2, 2));
        assertEquals("ONNX node 'lstm_y' (LSTM): attribute(s) [clip] are not supported", message(model(13, clip).toByteArray()));
        GraphProto.Builder convT = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 1, 1, 3))
                .addInitializer(Models.floats("w", new float[3], 1, 1, 3))
                .addNode(node("ConvTranspose", List.of("x", "w"), List.of("y"), Models.intsAttr("output_shape", 5), Models.intsAttr("pads", 0, 0)))
                .addOutput(value("y", 1, 1, 1, 5));
        assertEquals("ONNX node 'convtranspose_y' (ConvTranspose): give pads, or auto_pad NOTSET and output_shape, not both",
                message(model(13, convT).toByteArray()));
        GraphProto.Builder bn = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 2, 1))
                .addInitializer(Models.floats("p", new float[] {1}, 1))
                .addNode(node("BatchNormalization", List.of("x", "p", "p", "p", "p"), List.of("y", "mean", "var"), intAttr("training_mode", 1)))
                .addOutput(value("y", 1, 2, 1));
        assertEquals("ONNX node 'batchnormalization_y' (BatchNormalization): training mode (batch statistics) is not supported;"
                + " Janus imports the inference form", message(model(15, bn).toByteArray()));
    }

    @Test
    void valuesThatAreNotDefined() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 3))
                .addNode(node("Relu", List.of("nowhere"), List.of("y"))).addOutput(value("y", 1, 3));
        assertEquals("ONNX node 'relu_y' (Relu) uses the value 'nowhere', which is not defined before it (nodes must be in topological order)",
                message(model(13, g).toByteArray()));
        GraphProto.Builder noShape = GraphProto.newBuilder().setName("g")
                .addInput(value("x", 1, 3).toBuilder().setType(value("x", 1).getType().toBuilder().setTensorType(
                        value("x", 1).getType().getTensorType().toBuilder().clearShape())).build())
                .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", 1, 3));
        assertEquals("input 'x' has no shape; Janus needs at least its rank", message(model(13, noShape).toByteArray()));
        GraphProto.Builder float8 = GraphProto.newBuilder().setName("g").addInput(value("x", 17, 3))
                .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", 17, 3));
        assertTrue(message(model(13, float8).toByteArray()).startsWith("input 'x': element type FLOAT8E4M3FN is not supported (Janus has [float32,"));
    }

    @Test
    void aWrongInputAtRunTime() throws IOException {
        byte[] bytes = validModel();
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(bytes)) {
            OnnxException name = assertThrows(OnnxException.class, () -> ort.run(Map.of("X", Tensor.zeros(2, 4))));
            assertEquals("the model has no input named 'X'; its inputs are {x=float32[?, 4]}", name.getMessage());
            ShapeException shape = assertThrows(ShapeException.class, () -> ort.run(Tensor.zeros(2, 5)));
            assertEquals("the model: input 'x' expects float32[?, 4], got float32[2, 5]", shape.getMessage());
            assertThrows(ShapeException.class, () -> ort.run(Tensor.zeros(DType.FLOAT64, 2, 4)));
            assertThrows(OnnxException.class, () -> ort.run(Map.of()));
            assertThrows(OnnxException.class, () -> ort.run(Tensor.zeros(2, 4), Tensor.zeros(2, 4)));
            assertEquals(TensorType.of(DType.FLOAT32, 3, 3), ort.run(new float[12], 3, 4).get(0).type(), "a Java array runs too");
        }
        Graph g = OnnxImporter.read(bytes);
        ShapeException e = assertThrows(ShapeException.class,
                () -> Interpreter.run(g, List.of(Tensor.zeros(2, 5)), new ExecContext(new Generator(0))));
        assertEquals("graph main_graph: input x expects float32[?, 4], got float32[2, 5]", e.getMessage());
    }

    @Test
    void onnxRuntimeRefusesWhatItCannotLoad(@TempDir Path dir) throws IOException {
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxRuntimeModel.load("garbage".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("ONNX Runtime cannot load the model: "), e.getMessage());
        OnnxException missing = assertThrows(OnnxException.class, () -> OnnxRuntimeModel.load(dir.resolve("none.onnx")));
        assertEquals("no ONNX model at " + dir.resolve("none.onnx"), missing.getMessage());
    }
}
