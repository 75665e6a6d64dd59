package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.Grad;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.layers.Input;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both front ends exported with ModelExport; ONNX Runtime must give the front end's own outputs. */
class ModelExportTest {
    @TempDir
    Path dir;

    /** An eager MLP with dropout, its weights drawn from a fixed seed. */
    static dev.janus.eager.nn.NNSequential eagerMlp() {
        Generator.manualSeed(11);
        return new dev.janus.eager.nn.NNSequential(new Linear(4, 16), new ReLU(), new NNDropout(0.5), new Linear(16, 3));
    }

    /** The iris model as the Keras example writes it, seeded. */
    static dev.janus.layers.Sequential kerasMlp() {
        dev.janus.layers.Sequential model = new dev.janus.layers.Sequential().generator(new Generator(12));
        model.add(new Input(4));
        model.add(new Dense(16, "relu"));
        model.add(new dev.janus.layers.core.Dropout(0.3));
        model.add(new Dense(8, "relu"));
        model.add(new Dense(3, "softmax"));
        return model;
    }

    static List<Tensor> features(int batch) {
        return List.of(Tensor.randn(new Generator(100 + batch), batch, 4));
    }

    /** The eager forward in eval mode, without recording. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    static Tensor eagerForward(NNModule m, Tensor x) {
        boolean training = m.isTraining();
        m.eval();
        try (Grad.Scope ignored = Grad.noGrad()) {
            return m.forward(x);
        } finally {
            m.train(training);
        }
    }

    static List<String> opTypes(Path file) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    @Test
    void anEagerModuleIsTracedInEvalModeWithNamedInputAndOutputAndADynamicBatch() throws IOException {
        dev.janus.eager.nn.NNSequential model = eagerMlp();
        model.train();
        model.get(3).eval();
        Path file = dir.resolve("eager.onnx");
        assertSame(file, ModelExport.toOnnx(model, Tensor.randn(new Generator(1), 16, 4), file, ExportOptions.defaults()));
        assertTrue(model.isTraining() && model.get(2).isTraining(), "the modes are restored");
        assertFalse(model.get(3).isTraining(), "a submodule's own mode is restored");
        assertEquals(List.of("Gemm", "Relu", "Gemm"), opTypes(file));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
            assertEquals(Map.of("input", TensorType.of(DType.FLOAT32, -1, 4)), ort.inputs());
            assertEquals(Map.of("output", TensorType.of(DType.FLOAT32, -1, 3)), ort.outputs());
        }
        OrtJudge.assertSameOutputs(Files.readAllBytes(file), in -> List.of(eagerForward(model, in.get(0))), ModelExportTest::features);
        assertEquals(List.of(file), list(dir), "no temporary file left behind");
    }

    @Test
    void aSequentialExportsItsPredictionGraph() throws IOException {
        dev.janus.layers.Sequential model = kerasMlp();
        Path file = ModelExport.toOnnx(model, dir.resolve("keras.onnx"), ExportOptions.defaults());
        assertEquals(List.of("MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax"), opTypes(file));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(Set.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"),
                m.getGraph().getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toSet()));
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
            assertEquals(Map.of("input", TensorType.of(DType.FLOAT32, -1, 4)), ort.inputs());
            assertEquals(Map.of("output", TensorType.of(DType.FLOAT32, -1, 3)), ort.outputs());
        }
        OrtJudge.assertSameOutputs(Files.readAllBytes(file), in -> List.of(model.predict(in.get(0))), ModelExportTest::features);
    }

    @Test
    void namesAndAFixedBatchAreOptions() throws IOException {
        ExportOptions options = ExportOptions.defaults().opset(13).inputNames("features").outputNames("scores").batchSize(5);
        Path eager = ModelExport.toOnnx(eagerMlp(), features(5).get(0), dir.resolve("eager.onnx"), options);
        Path keras = ModelExport.toOnnx(kerasMlp(), dir.resolve("keras.onnx"), options);
        for (Path file : List.of(eager, keras)) {
            assertEquals(13, ModelProto.parseFrom(Files.readAllBytes(file)).getOpsetImport(0).getVersion());
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
                assertEquals(Map.of("features", TensorType.of(DType.FLOAT32, 5, 4)), ort.inputs());
                assertEquals(Map.of("scores", TensorType.of(DType.FLOAT32, 5, 3)), ort.outputs());
            }
        }
        JanusException e = assertThrows(JanusException.class,
                () -> ModelExport.toOnnx(eagerMlp(), features(2).get(0), dir.resolve("bad.onnx"), options));
        assertEquals("export of Sequential: the options fix the batch to 5, but the example input is float32[2, 4];"
                + " give an example of that batch size", e.getMessage());
        assertFalse(Files.exists(dir.resolve("bad.onnx")));
    }

    @Test
    void failuresLeaveNoFile() throws IOException {
        JanusException e = assertThrows(JanusException.class,
                () -> ModelExport.toOnnx(new dev.janus.layers.Sequential(new Dense(3)), dir.resolve("unbuilt.onnx"), ExportOptions.defaults()));
        assertTrue(e.getMessage().contains("is not built yet"), e.getMessage());
        Path missing = dir.resolve("no-such-folder").resolve("m.onnx");
        JanusException io = assertThrows(JanusException.class, () -> ModelExport.toOnnx(kerasMlp(), missing, ExportOptions.defaults()));
        assertTrue(io.getMessage().startsWith("cannot write ONNX model to " + missing), io.getMessage());
        NNModule failing = new NNModule() {
            @Override
            public Tensor forward(Tensor input) {
                throw new JanusException("forward failed in " + (isTraining() ? "train" : "eval") + " mode");
            }
        };
        JanusException trace = assertThrows(JanusException.class,
                () -> ModelExport.toOnnx(failing, Tensor.zeros(2, 4), dir.resolve("failing.onnx"), ExportOptions.defaults()));
        assertEquals("forward failed in eval mode", trace.getMessage());
        assertTrue(failing.isTraining(), "the mode is restored after a failed trace");
        assertEquals(List.of(), list(dir));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }
}
