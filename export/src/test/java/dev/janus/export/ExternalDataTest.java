package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.StringStringEntryProto;
import dev.janus.export.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights in a file beside the model (ONNX's external data): written by the exporter, read back,
 * run by ONNX Runtime, and refused with a clear error when a location leaves the model's folder or
 * the file does not hold what the model says.
 */
class ExternalDataTest {
    @TempDir
    Path dir;

    /** 4 -> 64 -> 3: the first kernel (1 KiB) and bias go outside, the 768-byte second kernel stays in. */
    private static dev.janus.layers.Sequential mlp() {
        dev.janus.layers.Sequential model = new dev.janus.layers.Sequential().generator(new Generator(12));
        model.add(new dev.janus.layers.Input(4));
        model.add(new dev.janus.layers.core.Dense(64, "relu"));
        model.add(new dev.janus.layers.core.Dense(3));
        return model;
    }

    private Path exportMlp(String name) {
        return ModelExport.toOnnx(mlp(), dir.resolve(name), ExportOptions.defaults().externalData(true));
    }

    @Test
    void theExporterWritesLargeWeightsBesideTheModelAndEverythingReadsThemBack() throws IOException {
        dev.janus.layers.Sequential keras = mlp();
        Path model = ModelExport.toOnnx(keras, dir.resolve("mlp.onnx"), ExportOptions.defaults().externalData(true));
        Path data = dir.resolve("mlp.onnx.data");
        assertTrue(Files.isRegularFile(data));
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(model));
        long external = proto.getGraph().getInitializerList().stream().filter(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL).count();
        // Only tensors of 1 KiB or more move.
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            boolean big = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) * 4 >= ExternalData.THRESHOLD;
            assertEquals(big, t.getDataLocation() == TensorProto.DataLocation.EXTERNAL, t.getName());
        }
        assertEquals(Files.size(data), proto.getGraph().getInitializerList().stream().filter(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)
                .mapToLong(t -> t.getDimsList().stream().mapToLong(Long::longValue).reduce(4, (a, b) -> a * b)).sum());
        assertEquals(1, external);

        Graph imported = OnnxImporter.load(model);
        Tensor x = ModelExportTest.features(5).get(0);
        Tensor want = keras.predict(x);
        assertArrayEquals(want.f32(), Interpreter.run(imported, List.of(x), new ExecContext(new Generator(0))).get(0).f32(), 1e-6f);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            assertArrayEquals(want.f32(), ort.run(x).get(0).f32(), 1e-5f);
        }
        // A model read from bytes has no folder to find its data in.
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.read(Files.readAllBytes(model)));
        assertTrue(e.getMessage().contains("is stored in the external file 'mlp.onnx.data', but the model was read from bytes"), e.getMessage());
    }

    @Test
    void theDefaultKeepsEverythingInOneFile() throws IOException {
        Path model = ModelExport.toOnnx(mlp(), dir.resolve("one.onnx"), ExportOptions.defaults());
        assertFalse(Files.exists(dir.resolve("one.onnx.data")));
        assertTrue(ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getInitializerList().stream()
                .noneMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL));
    }

    /** Rewrites every external location of the model at {@code model} and saves it as {@code to}. */
    private Path relocate(Path model, Path to, UnaryOperator<TensorProto.Builder> change) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(model));
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                g.setInitializer(i, change.apply(g.getInitializer(i).toBuilder()).build());
            }
        }
        Files.createDirectories(to.getParent());
        Files.write(to, m.toBuilder().setGraph(g).build().toByteArray());
        return to;
    }

    private static UnaryOperator<TensorProto.Builder> set(String key, String value) {
        return t -> {
            for (int i = 0; i < t.getExternalDataCount(); i++) {
                if (t.getExternalData(i).getKey().equals(key)) {
                    t.setExternalData(i, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
                    return t;
                }
            }
            return t.addExternalData(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        };
    }

    private static String error(Path model) {
        return assertThrows(OnnxException.class, () -> OnnxImporter.load(model)).getMessage();
    }

    @Test
    void locationsThatLeaveTheModelsFolderAreRefused() throws IOException {
        Path model = exportMlp("mlp.onnx");
        Path inner = dir.resolve("inner");
        Files.createDirectories(inner);
        Path up = relocate(model, inner.resolve("up.onnx"), set("location", "../mlp.onnx.data"));
        assertTrue(error(up).contains("the external data location '../mlp.onnx.data' contains '..'; it must be a path inside the model's folder"), error(up));
        Path abs = relocate(model, inner.resolve("abs.onnx"), set("location", dir.resolve("mlp.onnx.data").toString()));
        assertTrue(error(abs).contains("is an absolute path"), error(abs));
        Files.createSymbolicLink(inner.resolve("link.data"), dir.resolve("mlp.onnx.data"));
        Path link = relocate(model, inner.resolve("link.onnx"), set("location", "link.data"));
        assertTrue(error(link).contains("the external data location 'link.data' is a link to " + dir.resolve("mlp.onnx.data").toRealPath()
                + ", outside the model's folder"), error(link));
        // A link that stays inside the folder is fine.
        Files.createSymbolicLink(dir.resolve("same.data"), dir.resolve("mlp.onnx.data"));
        OnnxImporter.load(relocate(model, dir.resolve("same.onnx"), set("location", "same.data")));
        Path missing = relocate(model, dir.resolve("missing.onnx"), set("location", "nothing.data"));
        assertTrue(error(missing).contains("the external data file 'nothing.data' does not exist in " + dir), error(missing));
    }

    @Test
    void dataThatDoesNotFitTheTensorIsRefusedBeforeAnythingIsRead() throws IOException {
        Path model = exportMlp("mlp.onnx");
        long size = Files.size(dir.resolve("mlp.onnx.data"));
        Path beyond = relocate(model, dir.resolve("beyond.onnx"), set("offset", Long.toString(size)));
        assertTrue(error(beyond).contains("lies beyond the end of 'mlp.onnx.data' (" + size + " bytes)"), error(beyond));
        Path wrongLength = relocate(model, dir.resolve("short.onnx"), set("length", "4"));
        assertTrue(error(wrongLength).contains("external data in 'mlp.onnx.data' has 4 bytes, the tensor's type and shape need"), error(wrongLength));
        Path badOffset = relocate(model, dir.resolve("bad.onnx"), set("offset", "-8"));
        assertTrue(error(badOffset).contains("external data offset '-8' is not a non-negative integer"), error(badOffset));
        Path unknownKey = relocate(model, dir.resolve("key.onnx"), set("basepath", "x"));
        assertTrue(error(unknownKey).contains("external data key 'basepath' is not supported"), error(unknownKey));
        // A data file cut short: the last tensor no longer fits.
        Files.write(dir.resolve("mlp.onnx.data"), java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("mlp.onnx.data")), (int) size - 1));
        assertTrue(error(model).contains("lies beyond the end of 'mlp.onnx.data'"), error(model));
    }
}
