package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.Tanh;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Close.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An imported ONNX model as an eager Module: parameters under the ONNX names, outputs and gradients. */
class OnnxModuleTest {
    private static final Path TORCH_MLP = OnnxLayerTest.TORCH_MLP;
    private static final double H = 1e-6, RTOL = 1e-6, ATOL = 1e-8;

    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    private static Tensor noGrad(Supplier<Tensor> f) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            return f.get();
        }
    }

    @Test
    void theParametersAreTheInitializersAndTheOutputsPyTorchs() {
        OnnxModule model = OnnxModule.load(TORCH_MLP.resolve("model.onnx"));
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"), List.copyOf(model.namedParameters().keySet()));
        for (Tensor p : model.parameters()) assertTrue(p.requiresGrad() && p.isLeaf());
        assertEquals(List.of("0", "3", "6"), List.copyOf(model.namedChildren().keySet()));
        for (String set : List.of("test_data_set_0", "test_data_set_1")) {
            Tensor x = OnnxTensors.load(TORCH_MLP.resolve(set).resolve("input_0.pb"));
            Tensor want = OnnxTensors.load(TORCH_MLP.resolve(set).resolve("output_0.pb"));
            assertClose(want, noGrad(() -> model.forward(x)), 1e-5, 1e-6);
        }
    }

    /**
     * A float64 MLP exported and imported: backward through the imported module gives the source
     * module's gradients, and both agree with central finite differences of the loss.
     */
    @Test
    void backwardMatchesFiniteDifferencesAndTheSourceModule() {
        Generator.manualSeed(21);
        NNSequential source = new NNSequential(new Linear(3, 5, true, DType.FLOAT64), new Tanh(), new Linear(5, 2, true, DType.FLOAT64));
        byte[] onnx = OnnxExporter.toBytes(dev.janus.eager.Tracer.trace(source, Tensor.zeros(DType.FLOAT64, 2, 3)), ExportOptions.defaults());
        OrtJudge.assertSameOutputs(onnx, in -> List.of(noGrad(() -> source.forward(in.get(0)))),
                b -> List.of(Tensor.uniform(-2, 2, DType.FLOAT64, new Generator(b), b, 3)));
        OnnxModule imported = new OnnxModule(OnnxImporter.read(onnx));
        Tensor x = (Tensor.uniform(-2, 2, DType.FLOAT64, new Generator(4), 6, 3)).detach().requiresGrad(true);
        Tensor weights = Tensor.of(new double[] {1, -2, 0.5, 3, -1, 2, 1.5, -0.5, 1, 2, -3, 0.25}, 6, 2);
        Supplier<Tensor> objective = () -> imported.forward(x).tanh().mul(weights).sum();
        objective.get().backward();
        source.forward(x.detach()).tanh().mul(weights).sum().backward();
        Map<String, Tensor> expected = source.namedParameters();
        assertEquals(expected.keySet(), imported.namedParameters().keySet());
        List<Tensor> checked = new ArrayList<>();
        imported.namedParameters().forEach((name, p) -> {
            assertClose(expected.get(name).grad(), p.grad(), 1e-12, 1e-14);
            checked.add(p);
        });
        checked.add(x);
        for (Tensor p : checked) {
            double[] v = p.f64(), g = p.grad().f64();
            for (int j = 0; j < v.length; j++) {
                double keep = v[j];
                v[j] = keep + H;
                double plus = noGrad(objective).item();
                v[j] = keep - H;
                double minus = noGrad(objective).item();
                v[j] = keep;
                check((plus - minus) / (2 * H), g[j], RTOL, ATOL, "d/d " + p.shape() + " element " + j);
            }
        }
    }

    @Test
    void anEagerOptimizerFineTunesIt() {
        OnnxModule model = OnnxModule.load(TORCH_MLP.resolve("model.onnx"));
        Tensor first = model.parameters().get(0).copy();
        TensorDataset iris = OnnxLayerTest.iris();
        Tensor x = iris.tensor(0), y = iris.tensor(1);
        EagerOptimizer opt = new EagerOptimizer(new Adam(0.01), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        double before = noGrad(() -> lossFn.forward(model.forward(x), y)).item();
        for (int step = 0; step < 50; step++) {
            opt.zeroGrad();
            lossFn.forward(model.forward(x), y).backward();
            opt.step();
        }
        double after = noGrad(() -> lossFn.forward(model.forward(x), y)).item();
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        assertTrue(!java.util.Arrays.equals(first.f32(), model.parameters().get(0).f32()), "the weights moved");
        Graph graph = model.graph();
        assertArrayEquals(first.f32(), graph.parameterValue(graph.parameters().get(0)).f32(), "the imported graph is untouched");
    }

    @Test
    void frozenInitializersAreNotParameters() {
        OnnxModule model = new OnnxModule(OnnxImporter.load(TORCH_MLP.resolve("model.onnx"), ImportOptions.defaults().trainable(false)));
        assertEquals(List.of(), model.parameters());
        Tensor x = OnnxTensors.load(TORCH_MLP.resolve("test_data_set_0").resolve("input_0.pb"));
        assertClose(OnnxTensors.load(TORCH_MLP.resolve("test_data_set_0").resolve("output_0.pb")),
                noGrad(() -> model.forward(x)), 1e-5, 1e-6);
    }

    @Test
    void badNamesAndInputsAreClearErrors() {
        Graph clash = new Graph("clash");
        Value in = clash.input("x", TensorType.of(DType.FLOAT32, -1, 2));
        clash.parameter("fc", Tensor.ones(2));
        clash.parameter("fc.weight", Tensor.ones(2));
        clash.addOutput(in);
        JanusException e = assertThrows(JanusException.class, () -> new OnnxModule(clash));
        assertEquals("OnnxModule: the initializer 'fc.weight' cannot be a parameter of that name: OnnxModule: the name 'fc' is already taken",
                e.getMessage());
        OnnxModule model = OnnxModule.load(TORCH_MLP.resolve("model.onnx"));
        ShapeException shape = assertThrows(ShapeException.class, () -> model.forward(Tensor.zeros(2, 5)));
        assertEquals("OnnxModule: input 'x' expects float32[?, 4], got float32[2, 5]", shape.getMessage());
        assertThrows(JanusException.class, () -> model.forward(List.of()));
    }
}
