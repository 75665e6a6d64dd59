package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.optim.Adam;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.Weight;
import dev.janus.layers.losses.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An imported ONNX model as a Keras-style layer: predict through the compiler, fine-tune with fit. */
class OnnxLayerTest {
    static final Path TORCH_MLP = OnnxNodeTest.resource("onnx-models/torch-mlp");

    /** The PyTorch MLP (outputs log-probabilities) in a Sequential, compiled to fine-tune on class labels. */
    static Sequential fineTunable(Graph imported) {
        Sequential model = new Sequential(new Input(4), new OnnxLayer(imported)).output(new PrintStream(OutputStream.nullOutputStream()));
        model.generator(new Generator(3));
        model.compile(new Adam(0.01), Losses.sparseCategoricalCrossentropy(true), List.of("accuracy"));
        return model;
    }

    static TensorDataset iris() {
        TensorDataset data = Iris.load();
        return new TensorDataset(new StandardScaler().fitTransform(data.tensor(0)), data.tensor(1));
    }

    @Test
    void predictGivesPyTorchsOutputs() {
        OnnxLayer layer = OnnxLayer.load(TORCH_MLP.resolve("model.onnx"));
        Sequential model = new Sequential(new Input(4), layer);
        assertEquals(List.of("onnx_layer/0.weight", "onnx_layer/0.bias", "onnx_layer/3.weight", "onnx_layer/3.bias",
                "onnx_layer/6.weight", "onnx_layer/6.bias"), model.weights().stream().map(Weight::name).toList());
        assertEquals(Shape.of(-1, 3), layer.outputShape());
        for (String set : List.of("test_data_set_0", "test_data_set_1")) {
            Tensor x = OnnxTensors.load(TORCH_MLP.resolve(set).resolve("input_0.pb"));
            Tensor want = OnnxTensors.load(TORCH_MLP.resolve(set).resolve("output_0.pb"));
            assertClose(want, model.predict(x), 1e-5, 1e-6);
            assertClose(want, model.runEagerly(true).predict(x), 1e-5, 1e-6);
            model.runEagerly(false);
        }
    }

    @Test
    void fineTuningLowersTheLossAndChangesOnlyTheLayersCopyOfTheWeights() {
        Graph imported = OnnxImporter.load(TORCH_MLP.resolve("model.onnx"));
        Tensor original = imported.parameterValue(imported.parameters().get(0)).copy();
        Sequential model = fineTunable(imported);
        TensorDataset data = iris();
        double before = model.evaluate(data.tensor(0), data.tensor(1), 32, 0).get("loss");
        History h = model.fit(data.tensor(0), data.tensor(1), new Fit().epochs(20).batchSize(16).verbose(0));
        double after = model.evaluate(data.tensor(0), data.tensor(1), 32, 0).get("loss");
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        assertTrue(h.get("loss").get(19) < h.get("loss").get(0));
        assertTrue(model.evaluate(data.tensor(0), data.tensor(1), 32, 0).get("accuracy") > 0.9);
        for (Weight w : model.weights()) assertTrue(w.trainable(), w.name());
        assertFalse(java.util.Arrays.equals(original.f32(), model.weights().get(0).value().f32()), "the weights moved");
        assertArrayEquals(original.f32(), imported.parameterValue(imported.parameters().get(0)).f32(), "the imported graph is untouched");
    }

    @Test
    void compiledAndEagerFineTuningAgreeBitForBit() {
        Graph imported = OnnxImporter.load(TORCH_MLP.resolve("model.onnx"));
        Sequential compiled = fineTunable(imported), eager = fineTunable(imported).runEagerly(true);
        TensorDataset data = iris();
        Tensor x = data.tensor(0), y = data.tensor(1);
        for (int step = 0; step < 5; step++) {
            Map<String, Double> a = compiled.trainOnBatch(x, y), b = eager.trainOnBatch(x, y);
            assertEquals(a.get("loss"), b.get("loss"), "loss at step " + step);
        }
        for (int i = 0; i < compiled.weights().size(); i++) {
            assertArrayEquals(compiled.weights().get(i).value().f32(), eager.weights().get(i).value().f32());
        }
    }

    @Test
    void frozenInitializersStayAsTheyAre() {
        Graph imported = OnnxImporter.load(TORCH_MLP.resolve("model.onnx"), ImportOptions.defaults().trainable(false));
        Sequential model = fineTunable(imported);
        List<Tensor> before = model.getWeights();
        for (Weight w : model.weights()) assertFalse(w.trainable(), w.name());
        TensorDataset data = iris();
        model.fit(data.tensor(0), data.tensor(1), new Fit().epochs(1).batchSize(50).verbose(0));
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).f32(), model.weights().get(i).value().f32());
    }

    @Test
    void anInputThatDoesNotFitNamesTheLayer(@TempDir Path dir) {
        Graph imported = OnnxImporter.load(TORCH_MLP.resolve("model.onnx"));
        ShapeException e = assertThrows(ShapeException.class, () -> new Sequential(new Input(5), new OnnxLayer(imported)));
        assertEquals("onnx_layer: the imported model takes float32[?, 4], got inputs float32[?, 5]", e.getMessage());
        Graph two = new Graph("two");
        Value a = two.input("a", imported.inputs().get(0).type());
        two.addOutput(a);
        two.addOutput(two.input("b", imported.inputs().get(0).type()));
        JanusException multi = assertThrows(JanusException.class, () -> new OnnxLayer(two));
        assertEquals("OnnxLayer: a layer takes one input and gives one output; the model two has 2 inputs and 2 outputs", multi.getMessage());
        Sequential model = new Sequential(new Input(4), new OnnxLayer(imported));
        JanusException save = assertThrows(JanusException.class, () -> model.save(dir.resolve("m.janus")));
        assertEquals("cannot save sequential: layer onnx_layer (OnnxLayer): layer onnx_layer is a dev.janus.export.OnnxLayer, which a saved model"
                + " cannot rebuild: register it with Serialization.registerLayer (it needs a public static fromConfig(LayerConfig))", save.getMessage());
    }
}
