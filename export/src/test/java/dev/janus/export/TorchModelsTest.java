package dev.janus.export;

import dev.janus.core.Tensor;
import dev.janus.core.io.Json;
import dev.janus.core.ir.Graph;
import dev.janus.core.testing.Close;
import dev.janus.core.optim.SGD;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Grad;
import dev.janus.layers.Input;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.Sequential;
import dev.janus.layers.Weight;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch's exports of nine small models with every exporter setting (TorchScript and dynamo;
 * opsets 17, 18 and the default; weights inline and external), written by
 * src/test/python/make_torch_models.py with PyTorch's outputs: each imports, matches PyTorch
 * within 1e-5 relative, runs at the batch size the export never saw where the export is dynamic,
 * and fine-tunes one step in both front ends with batch norm's statistics left where they were.
 */
class TorchModelsTest {
    static final double RTOL = 1e-5, ATOL = 1e-6;
    /**
     * The exports that import and match today, by folder-name prefix (model, then exporter); the
     * rest must be refused cleanly. The list may only grow.
     */
    static final List<String> IMPORTING = List.of("mlp_bn-", "resblock-", "embedding-", "cnn-", "dynamic_batch-", "static_mlp-",
            "lstm-", "gru-", "encoder_layer-", "transformer-", "depthwise-");

    static boolean imports(String folder) {
        return IMPORTING.stream().anyMatch(folder::startsWith);
    }

    static List<Path> folders() throws IOException {
        try (Stream<Path> s = Files.list(OnnxNodeTest.resource("torch-models"))) {
            return s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().collect(Collectors.toList());
        }
    }

    static Map<?, ?> meta(Path folder) throws IOException {
        return (Map<?, ?>) Json.parse(Files.readString(folder.resolve("meta.json"), StandardCharsets.UTF_8));
    }

    @Test
    void everyModelWithEverySettingIsThere() throws IOException {
        Set<String> models = new TreeSet<>();
        Map<String, Integer> settings = new HashMap<>();
        for (Path f : folders()) {
            Map<?, ?> m = meta(f);
            models.add((String) m.get("model"));
            settings.merge((String) m.get("model"), 1, Integer::sum);
        }
        assertEquals(Set.of("mlp_bn", "cnn", "resblock", "lstm", "gru", "embedding", "encoder_layer", "depthwise", "dynamic_batch",
                "static_mlp", "transformer"), models);
        for (String m : List.of("mlp_bn", "cnn", "resblock", "lstm", "gru", "embedding", "encoder_layer", "depthwise", "dynamic_batch")) {
            assertEquals(12, settings.get(m), m);
        }
    }

    /** Batch norm's running statistics are buffers in the eager module and non-trainable weights in the layer. */
    @Test
    void importedBatchNormKeepsItsStatisticsAsState() {
        Path folder = OnnxNodeTest.resource("torch-models/mlp_bn-torchscript-default-inline");
        OnnxModule module = OnnxModule.load(folder.resolve("model.onnx"));
        assertEquals(Set.of("bn.running_mean", "bn.running_var"), module.namedBuffers().keySet());
        assertEquals(Set.of("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"), module.namedParameters().keySet());
        Sequential model = new Sequential(new Input(6), OnnxLayer.load(folder.resolve("model.onnx")));
        Set<String> frozen = model.weights().stream().filter(w -> !w.trainable()).map(Weight::name).collect(Collectors.toSet());
        assertEquals(2, frozen.size(), frozen.toString());
        assertTrue(frozen.stream().allMatch(n -> n.endsWith("bn.running_mean") || n.endsWith("bn.running_var")), frozen.toString());
        fineTunesEagerly(folder);
        fineTunesCompiled(folder);
    }

    @TestFactory
    Stream<DynamicTest> eachExportImportsMatchesPyTorchAndFineTunes() throws IOException {
        List<OnnxTestRunner.Result> results = new ArrayList<>();
        for (Path f : folders()) results.add(OnnxTestRunner.run(f, RTOL, ATOL));
        List<DynamicTest> tests = new ArrayList<>();
        for (OnnxTestRunner.Result r : results) {
            Path folder = OnnxNodeTest.resource("torch-models/" + r.name);
            tests.add(DynamicTest.dynamicTest(r.name, () -> {
                if (!imports(r.name)) {
                    assertEquals(OnnxTestRunner.Status.UNSUPPORTED, r.status, r.detail);
                    return;
                }
                assertEquals(OnnxTestRunner.Status.PASS, r.status, r.detail);
                Map<?, ?> m = meta(folder);
                if (Boolean.TRUE.equals(m.get("dynamic_batch"))) assertEquals(List.of(2L, 5L), m.get("batches"));
                fineTunesEagerly(folder);
                fineTunesCompiled(folder);
            }));
        }
        return tests.stream();
    }

    /**
     * Each imported export written out again by Janus (opset 17, batch left dynamic) runs in ONNX
     * Runtime and gives PyTorch's outputs at every batch size the folder holds.
     */
    @TestFactory
    Stream<DynamicTest> eachImportExportsAgainAndRunsInOnnxRuntime() throws IOException {
        return folders().stream().filter(f -> imports(f.getFileName().toString())).map(folder -> DynamicTest.dynamicTest(
                folder.getFileName().toString(), () -> {
                    byte[] model = OnnxExporter.toBytes(OnnxImporter.load(folder.resolve("model.onnx")), ExportOptions.defaults());
                    try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model); Stream<Path> sets = Files.list(folder)) {
                        for (Path set : sets.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().collect(Collectors.toList())) {
                            List<Tensor> got = ort.run(OnnxTensors.load(set.resolve("input_0.pb")));
                            for (int k = 0; k < got.size(); k++) {
                                Tensor want = OnnxTensors.load(set.resolve("output_" + k + ".pb"));
                                Close.assertClose(want, got.get(k), RTOL, ATOL);
                            }
                        }
                    }
                }));
    }

    private static Tensor input(Path folder) {
        return OnnxTensors.load(folder.resolve("test_data_set_0").resolve("input_0.pb"));
    }

    /** One SGD step of OnnxModule on the sum of squared outputs: weights move, the loss falls, buffers stay. */
    @SuppressWarnings("try")
    static void fineTunesEagerly(Path folder) {
        OnnxModule model = OnnxModule.load(folder.resolve("model.onnx"));
        Tensor x = input(folder);
        Map<String, Tensor> buffers = new HashMap<>();
        model.namedBuffers().forEach((k, v) -> buffers.put(k, v.copy()));
        List<Tensor> before = model.parameters().stream().map(p -> p.copy()).collect(Collectors.toList());
        EagerOptimizer opt = new EagerOptimizer(new SGD(1e-3), model.parameters());
        Tensor out = model.forward(x), loss = out.mul(out).sum();
        loss.backward();
        opt.step();
        double after;
        try (Grad.Scope ignored = Grad.noGrad()) {
            Tensor o = model.forward(x);
            after = o.mul(o).sum().item();
        }
        assertTrue(after < loss.item(), folder.getFileName() + ": loss " + loss.item() + " -> " + after);
        boolean moved = false;
        for (int i = 0; i < before.size(); i++) moved |= !Arrays.equals(before.get(i).toDoubleArray(), model.parameters().get(i).toDoubleArray());
        assertTrue(moved, "the weights moved");
        model.namedBuffers().forEach((k, v) -> assertArrayEquals(buffers.get(k).toDoubleArray(), v.toDoubleArray(), k));
    }

    /** One compiled training step of an OnnxLayer in a Sequential: trainable weights move, the others stay. */
    static void fineTunesCompiled(Path folder) {
        Tensor x = input(folder);
        if (!x.dtype().isFloating()) return;   // a Keras Input takes float features; the eager step covers token inputs
        OnnxLayer layer = OnnxLayer.load(folder.resolve("model.onnx"));
        Graph g = layer.graph();
        Sequential model = new Sequential(new Input(x.shape().sub(1, x.rank()).dims()), layer);
        model.compile(new SGD(1e-3), Losses.meanSquaredError(), List.of());
        List<Tensor> before = model.weights().stream().map(w -> w.value().copy()).collect(Collectors.toList());
        Tensor target = Tensor.zeros(model.predict(x).shape().dims());
        model.trainOnBatch(x, target);
        boolean moved = false;
        List<Weight> weights = model.weights();
        for (int i = 0; i < weights.size(); i++) {
            boolean same = Arrays.equals(before.get(i).toDoubleArray(), weights.get(i).value().toDoubleArray());
            if (!weights.get(i).trainable()) assertTrue(same, weights.get(i).name() + " is state and must not move");
            else moved |= !same;
        }
        assertTrue(moved, "the trainable weights moved");
        assertFalse(g.parameters().isEmpty());
    }
}
