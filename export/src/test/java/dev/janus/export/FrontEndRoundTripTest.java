package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.Grad;
import dev.janus.eager.nn.NNModule;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Models leave either front end as ONNX and come back into either: the imported model gives the
 * source's outputs, and exporting it again gives the same ONNX graph (up to value names). Every
 * exported file is checked in ONNX Runtime against the model that wrote it.
 */
class FrontEndRoundTripTest {
    @TempDir
    Path dir;

    /** Each front end wrapping the imported model must give {@code source}'s outputs, at both batch sizes. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    private static void bothFrontEndsMatch(Path file, Function<Tensor, Tensor> source) {
        Graph imported = OnnxImporter.load(file);
        OnnxModule module = new OnnxModule(imported);
        Sequential compiled = new Sequential(new Input(4), new OnnxLayer(imported));
        for (int batch : OrtJudge.BATCHES) {
            Tensor x = ModelExportTest.features(batch).get(0), want = source.apply(x);
            try (Grad.Scope ignored = Grad.noGrad()) {
                assertClose(want, module.forward(x), 1e-6, 1e-7);
            }
            assertClose(want, compiled.predict(x), 1e-6, 1e-7);
        }
    }

    private static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    private static String canonical(Path file) throws IOException {
        return RoundTripTest.canonical(ModelProto.parseFrom(bytes(file)));
    }

    @Test
    void anEagerModelComesBackIntoBothFrontEnds() throws IOException {
        NNModule eager = ModelExportTest.eagerMlp();
        Function<Tensor, Tensor> forward = x -> ModelExportTest.eagerForward(eager, x);
        Path file = ModelExport.toOnnx(eager, Tensor.randn(new Generator(1), 3, 4), dir.resolve("eager.onnx"), ExportOptions.defaults());
        OrtJudge.assertSameOutputs(bytes(file), in -> List.of(forward.apply(in.get(0))), ModelExportTest::features);
        bothFrontEndsMatch(file, forward);
    }

    @Test
    void aCompiledModelComesBackIntoBothFrontEnds() throws IOException {
        Sequential keras = ModelExportTest.kerasMlp();
        Path file = ModelExport.toOnnx(keras, dir.resolve("keras.onnx"), ExportOptions.defaults());
        OrtJudge.assertSameOutputs(bytes(file), in -> List.of(keras.predict(in.get(0))), ModelExportTest::features);
        bothFrontEndsMatch(file, keras::predict);
    }

    /** Eager -> ONNX -> a Sequential holding the imported model -> ONNX: the second file is the first. */
    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {13, 17, 21})
    void eagerToOnnxToCompiledToOnnxIsStable(int opset) throws IOException {
        ExportOptions options = ExportOptions.defaults().opset(opset);
        NNModule eager = ModelExportTest.eagerMlp();
        Path first = ModelExport.toOnnx(eager, Tensor.randn(new Generator(1), 3, 4), dir.resolve("first.onnx"), options);
        Sequential compiled = new Sequential(new Input(4), OnnxLayer.load(first));
        Path second = ModelExport.toOnnx(compiled, dir.resolve("second.onnx"), options);
        assertEquals(canonical(first), canonical(second));
        OrtJudge.assertSameOutputs(bytes(second), in -> List.of(compiled.predict(in.get(0))), ModelExportTest::features);
        OrtJudge.assertSameOutputs(bytes(second), in -> List.of(ModelExportTest.eagerForward(eager, in.get(0))), ModelExportTest::features);

        // And back through the eager wrapper: traced again, the same file once more.
        OnnxModule module = OnnxModule.load(second);
        Path third = ModelExport.toOnnx(module, Tensor.randn(new Generator(2), 3, 4), dir.resolve("third.onnx"), options);
        assertEquals(canonical(first), canonical(third));
        OrtJudge.assertSameOutputs(bytes(third), in -> List.of(ModelExportTest.eagerForward(module, in.get(0))), ModelExportTest::features);
    }

    @Test
    void compiledToOnnxToCompiledToOnnxIsStable() throws IOException {
        Sequential keras = ModelExportTest.kerasMlp();
        Path first = ModelExport.toOnnx(keras, dir.resolve("first.onnx"), ExportOptions.defaults());
        Sequential again = new Sequential(new Input(4), OnnxLayer.load(first));
        Path second = ModelExport.toOnnx(again, dir.resolve("second.onnx"), ExportOptions.defaults());
        assertEquals(canonical(first), canonical(second));
        OrtJudge.assertSameOutputs(bytes(second), in -> List.of(again.predict(in.get(0))), ModelExportTest::features);
    }
}
