package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.init.Initializers;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import dev.janus.layers.core.Activation;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.core.Flatten;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequentialTest {
    static Sequential iris() {
        return new Sequential(
                new Input(4),
                new Dense(64, "relu"),
                new Dropout(0.3),
                new Dense(32, "relu"),
                new Dense(3, "softmax"));
    }

    @Test
    void layersAreNamedAsKerasNamesThem() {
        Sequential model = iris();
        assertEquals(List.of("dense", "dropout", "dense_1", "dense_2"), model.layers().stream().map(Layer::name).toList());
        assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"),
                model.weights().stream().map(Weight::name).toList());
        assertEquals(Shape.of(4, 64), model.weights().get(0).value().shape(), "kernels are [in, out]");
        assertEquals(Shape.of(-1, 3), model.outputShape());
        assertEquals(2499, model.countParams());
        // Keras's get_layer(name): the layer, or an error listing the names there are.
        assertEquals(model.layers().get(2), model.layer("dense_1"));
        JanusException e = assertThrows(JanusException.class, () -> model.layer("dense_9"));
        assertEquals("sequential: no layer named 'dense_9'; layers: [dense, dropout, dense_1, dense_2]", e.getMessage());
    }

    @Test
    void theInferenceGraphIsWhatPredictRuns() {
        Sequential model = iris();
        Graph g = model.inferenceGraph();
        assertEquals(List.of("matmul", "add", "relu", "matmul", "add", "relu", "matmul", "add", "softmax"),
                g.nodes().stream().map(n -> n.op().name()).toList(), "no dropout");
        assertEquals(Shape.of(-1, 4), g.inputs().get(0).type().shape());
        for (int i = 0; i < model.weights().size(); i++) {
            assertSame(model.weights().get(i).value(), g.parameterValue(g.parameters().get(i)));
            assertEquals(model.weights().get(i).name(), g.parameters().get(i).name());
        }
        Tensor x = Tensor.randn(new Generator(5), 7, 4);
        assertArrayEquals(model.predict(x).f32(), Interpreter.run(g, List.of(x), new ExecContext(new Generator(0))).get(0).f32(), 1e-6f);
        assertThrows(JanusException.class, () -> new Sequential(new Dense(2)).inferenceGraph());
    }

    @Test
    void theSummaryIsAKerasTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sequential model = iris().output(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        model.summary();
        assertEquals(String.join("\n",
                "Model: \"sequential\"",
                "_________________________________________________________________",
                "Layer (type)                 Output Shape              Param #",
                "=================================================================",
                "dense (Dense)                (None, 64)                320",
                "dropout (Dropout)            (None, 64)                0",
                "dense_1 (Dense)              (None, 32)                2,080",
                "dense_2 (Dense)              (None, 3)                 99",
                "=================================================================",
                "Total params: 2,499 (9.76 KB)",
                "Trainable params: 2,499 (9.76 KB)",
                "Non-trainable params: 0 (0.00 B)",
                "_________________________________________________________________",
                ""), bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void denseStartsGlorotUniformWithZeroBias() {
        Generator.manualSeed(3);
        Sequential model = new Sequential(new Input(30), new Dense(50));
        float[] k = model.weights().get(0).value().f32();
        double limit = Math.sqrt(6.0 / (30 + 50)), max = 0;
        for (float v : k) max = Math.max(max, Math.abs(v));
        assertTrue(max <= limit && max > 0.9 * limit, "glorot_uniform limit " + limit + ", largest " + max);
        for (float v : model.weights().get(1).value().f32()) assertEquals(0f, v);
        Generator.manualSeed(3);
        Tensor same = Initializers.glorotUniform().create(Shape.of(30, 50), dev.janus.core.init.Fans.keras(Shape.of(30, 50)),
                DType.FLOAT32, Generator.global());
        org.junit.jupiter.api.Assertions.assertArrayEquals(same.f32(), k);
    }

    @Test
    void aModelWithoutInputIsBuiltByItsFirstData() {
        Sequential model = new Sequential(new Dense(5, "tanh"), new Dense(2));
        assertFalse(model.isBuilt());
        assertEquals("sequential is not built yet: start it with an Input(shape), call build(shape), or fit it on data",
                assertThrows(JanusException.class, model::inputShape).getMessage());
        Tensor out = model.predict(Tensor.ones(7, 3));
        assertTrue(model.isBuilt());
        assertEquals(Shape.of(7, 2), out.shape());
        assertEquals(Shape.of(-1, 3), model.inputShape());
    }

    @Test
    void aLayerThatDoesNotFitThePreviousOneFailsNamingIt() {
        Dense shared = new Dense(3).named("classifier");
        new Sequential(new Input(4), shared);
        Sequential other = new Sequential(new Input(4), new Dense(64, "relu"));
        ShapeException e = assertThrows(ShapeException.class, () -> other.add(shared));
        assertEquals("classifier: this Dense was built for inputs (None, 4), got (None, 64)", e.getMessage());
        assertEquals(1, other.layers().size(), "the model is unchanged");
        e = assertThrows(ShapeException.class, () -> new Sequential(new Input(), new Dense(2)));
        assertEquals("dense: Dense needs inputs with a known last dimension, got (None,)", e.getMessage());
    }

    @Test
    void aShapeTooLargeForATensorFailsNamingTheLayer() {
        // 2^64 elements per sample: once counted in a long that wrapped round to 0, giving a kernel of [0, 1].
        Sequential model = new Sequential(new Input(65536, 65536, 65536, 65536));
        ShapeException e = assertThrows(ShapeException.class, () -> model.add(new Flatten()));
        assertTrue(e.getMessage().startsWith("flatten: Flatten on input (None, 65536, 65536, 65536, 65536): "), e.getMessage());
        assertTrue(model.layers().isEmpty());
        e = assertThrows(ShapeException.class, () -> new Sequential(new Input(3), new Dense(Integer.MAX_VALUE)));
        assertTrue(e.getMessage().startsWith("dense: Dense on input (None, 3): shape [3, 2147483647] "), e.getMessage());
    }

    /** Keras 3's hard_sigmoid and hard_silu (relu6(x + 3) / 6 and x times it), values by hand. */
    @Test
    void hardActivationsAreKeras3s() {
        Tensor x = Tensor.of(new double[] {-4, -1, 0.5, 4}, 1, 4);
        Sequential sigmoid = new Sequential(new Input(DType.FLOAT64, 4), new Activation("hard_sigmoid"));
        assertArrayEquals(new double[] {0, 1 / 3.0, 3.5 / 6, 1}, sigmoid.predict(x).toDoubleArray(), 1e-15);
        Sequential silu = new Sequential(new Input(DType.FLOAT64, 4), new Activation("hard_swish"));
        assertArrayEquals(new double[] {0, -1 / 3.0, 0.5 * 3.5 / 6, 4}, silu.predict(x).toDoubleArray(), 1e-15);
    }

    @Test
    void namesAreChecked() {
        // Registered custom activations (other tests add some) follow the built-in ones.
        String activations = assertThrows(JanusException.class, () -> new Dense(3, "rleu")).getMessage();
        assertTrue(activations.startsWith("unknown activation 'rleu' (a custom one is registered with Activations.register); known activations: linear, relu, sigmoid, tanh, softmax, elu, "
                + "gelu, leaky_relu, softplus, exponential, silu, hard_sigmoid, hard_silu, swish, hard_swish"), activations);
        assertEquals("unknown initializer 'glorot'; known initializers: glorot_uniform, glorot_normal, he_uniform, he_normal, "
                        + "lecun_uniform, lecun_normal, zeros, ones, random_uniform, uniform, random_normal, truncated_normal, orthogonal",
                assertThrows(JanusException.class, () -> new Dense(3).kernelInitializer("glorot")).getMessage());
        Sequential model = iris();
        assertEquals("unknown optimizer 'adma'; known optimizers: adam, adamw, sgd, rmsprop, nadam, adamax, adagrad",
                assertThrows(JanusException.class, () -> model.compile("adma", "mse", List.of())).getMessage());
        assertEquals("unknown loss 'crossentropy' (a custom loss is registered with Serialization.registerLoss); known losses: "
                        + "sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mean_squared_error, mse, mean_absolute_error, "
                        + "mae, bce, mean_absolute_percentage_error, mape, mean_squared_logarithmic_error, msle, kl_divergence, kld, poisson, "
                        + "log_cosh, logcosh, huber, hinge, squared_hinge, categorical_hinge",
                assertThrows(JanusException.class, () -> model.compile("adam", "crossentropy", List.of())).getMessage());
        assertEquals("unknown metric 'f1' (a custom metric is registered with Serialization.registerMetric); known metrics: accuracy, acc, sparse_categorical_accuracy, categorical_accuracy, "
                        + "binary_accuracy, mean_squared_error, mse, mean_absolute_error, mae, auc, pr_auc, precision, recall, "
                        + "top_k_categorical_accuracy, sparse_top_k_categorical_accuracy",
                assertThrows(JanusException.class, () -> model.compile("adam", "mse", List.of("f1"))).getMessage());
        assertEquals(null, model.optimizer(), "a failed compile leaves the model uncompiled");
        JanusException dup = assertThrows(JanusException.class, () -> new Sequential(new Dense(2).named("a"), new Dense(3).named("a")));
        assertEquals("sequential: a layer named 'a' is already in this model", dup.getMessage());
    }

    @Test
    void aLossThatDoesNotFitTheOutputFailsAtCompile() {
        Sequential model = new Sequential(new Input(2, 5), new Dense(3, "softmax"));
        ShapeException e = assertThrows(ShapeException.class,
                () -> model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy")));
        assertEquals("sparse_categorical_crossentropy: expects model outputs (batch, classes), got (None, 2, 3)", e.getMessage());
        assertEquals(null, model.optimizer());
        model.compile("adam", "mse", List.of());
    }

    /** A user's layer whose op does not fit: the compile-time shape check names the layer. */
    private static final class Projection extends Layer {
        Projection() {
            super("projection");
        }

        @Override
        protected Shape create(Shape input, DType dtype, Generator rng) {
            addWeight("matrix", Tensor.ones(dtype, 5, 2), true);
            return input.with(input.rank() - 1, 2);
        }

        @Override
        public <V> V call(dev.janus.core.ops.Emitter<V> e, V x, List<V> weights, boolean training) {
            return e.matmul(x, weights.get(0), false, false);
        }
    }

    @Test
    void aShapeErrorInsideALayerNamesTheLayerAtCompile() {
        Sequential model = new Sequential(new Input(4), new Projection());
        ShapeException e = assertThrows(ShapeException.class, () -> model.compile("sgd", "mse", List.of()));
        assertEquals("projection: matmul: cannot multiply [?, 4] by [5, 2] (inner dimensions 4 and 5 differ)", e.getMessage());
    }

    @Test
    void weightsCanBeReadAndWrittenWithTheirShapesChecked() {
        Sequential model = iris();
        List<Tensor> w = model.getWeights();
        w.get(0).fill(0.5);
        assertTrue(model.weights().get(0).value().f32()[0] != 0.5f, "getWeights returns copies");
        model.setWeights(w);
        assertEquals(0.5f, model.weights().get(0).value().f32()[0]);
        List<Tensor> wrong = model.getWeights();
        wrong.set(3, Tensor.zeros(3));
        ShapeException e = assertThrows(ShapeException.class, () -> model.setWeights(wrong));
        assertEquals("sequential: weight dense_1/bias is float32[32], got float32[3]", e.getMessage());
        assertEquals(0.5f, model.weights().get(0).value().f32()[0], "nothing is written when one shape is wrong");
    }

    @Test
    void predictionsAreProbabilitiesWithDropoutOff() {
        Sequential model = iris();
        Tensor x = Tensor.randn(new Generator(1), 40, 4);
        Tensor p1 = model.predict(x), p2 = model.predict(x, 7);
        // OpenBLAS may sum in another order for another row count: equal to rounding, not bit for bit.
        dev.janus.core.testing.Close.assertClose(p1, p2, 1e-6, 1e-7);
        for (int i = 0; i < 40; i++) {
            double sum = 0;
            for (int j = 0; j < 3; j++) sum += p1.getDouble(i, j);
            assertEquals(1.0, sum, 1e-6);
        }
    }

    @Test
    void compileRefusesAnOptimizerMadeWithAnEagerModulesParameters() {
        Sequential model = new Sequential(new Input(4), new Dense(3));
        dev.janus.core.optim.Adam pytorchStyle = new dev.janus.core.optim.Adam(List.of(Tensor.zeros(3).requiresGrad(true)), 0.01);
        JanusException e = assertThrows(JanusException.class, () -> model.compile(pytorchStyle, "mse", List.of()));
        assertEquals("sequential.compile: the adam was made with an eager module's parameters (PyTorch style); the model trains its own"
                + " weights: give compile one made without, such as new Adam(0.01)", e.getMessage());
        assertEquals(null, model.optimizer(), "the model is not compiled");
        model.compile(new dev.janus.core.optim.Adam(0.01), "mse", List.of());
    }
}
