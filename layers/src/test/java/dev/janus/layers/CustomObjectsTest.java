package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.core.Dense;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's layer, loss and metric, registered as Keras's register_keras_serializable does, save and load with the model. */
class CustomObjectsTest {
    /** x sigmoid(beta x) with a trainable beta per feature. */
    public static final class SwishLayer extends Layer {
        private final double initialBeta;

        public SwishLayer(double initialBeta) {
            super(null);
            this.initialBeta = initialBeta;
        }

        @Override
        protected Shape create(Shape input, DType dtype, Generator rng) {
            addWeight("beta", Tensor.full(initialBeta, dtype, input.dim(-1)), true);
            return input;
        }

        @Override
        public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
            return e.mul(x, e.sigmoid(e.mul(x, weights.get(0))));
        }

        @Override
        public Map<String, Object> config() {
            Map<String, Object> c = super.config();
            c.put("initial_beta", initialBeta);
            return c;
        }

        public static SwishLayer fromConfig(LayerConfig c) {
            return new SwishLayer(c.number("initial_beta"));
        }
    }

    /** Binary cross entropy on probabilities, written by hand: -mean(y log p + (1 - y) log(1 - p)). */
    static final class MyBce implements Loss {
        public String name() {
            return "my_bce";
        }

        public TensorType labelType(TensorType output) {
            return output;
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            return Losses.sameShapeLabels(name(), y, output);
        }

        public <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            V p = Losses.clipped(e, yPred);
            return e.neg(Losses.mean(e, e.add(e.mul(yTrue, e.log(p)), e.mul(e.rsub(1, yTrue), e.log(e.rsub(1, p))))));
        }
    }

    @Test
    void aCustomLayerAndLossSaveAndLoad(@TempDir Path dir) {
        Serialization.registerLayer(SwishLayer.class);
        Serialization.registerLoss("my_bce", MyBce::new);
        Generator.manualSeed(4);
        Sequential m = new Sequential(new Input(3), new Dense(4), new SwishLayer(0.5), new Dense(1, "sigmoid"));
        m.compile("adam", "my_bce", List.of("binary_accuracy"));
        Tensor x = Tensor.randn(new Generator(1), 32, 3);
        float[] labels = new float[32];
        for (int i = 0; i < 32; i++) labels[i] = x.getFloat(i, 0) > 0 ? 1 : 0;
        Tensor y = Tensor.of(labels, 32, 1);
        m.fit(x, y, new Fit().epochs(3).batchSize(8).verbose(0));
        Path file = dir.resolve("custom.janus");
        m.save(file);
        Sequential back = Sequential.load(file);
        assertTrue(back.layers().get(1) instanceof SwishLayer);
        assertEquals("my_bce", back.loss().name());
        float[] a = m.predict(x).toFloatArray(), b = back.predict(x).toFloatArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i]);
        assertEquals(m.evaluate(x, y, 32, 0), back.evaluate(x, y, 32, 0));
    }

    /** An unregistered custom layer cannot be saved; the message says how to fix it. */
    static final class Unregistered extends Layer {
        Unregistered() {
            super(null);
        }

        @Override
        protected Shape create(Shape input, DType dtype, Generator rng) {
            return input;
        }

        @Override
        public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
            return x;
        }
    }

    @Test
    void anUnregisteredLayerOrLossIsAClearError(@TempDir Path dir) {
        Sequential m = new Sequential(new Input(2), new Unregistered(), new Dense(1));
        JanusException e = assertThrows(JanusException.class, () -> m.save(dir.resolve("x.janus")));
        assertTrue(e.getMessage().contains("register it with Serialization.registerLayer (it needs a public static fromConfig(LayerConfig))"),
                e.getMessage());
        JanusException noFactory = assertThrows(JanusException.class, () -> Serialization.registerLayer(Unregistered.class));
        assertTrue(noFactory.getMessage().endsWith("needs a public static fromConfig(LayerConfig) returning it"), noFactory.getMessage());
        JanusException loss = assertThrows(JanusException.class, () -> Losses.get("not_registered_bce"));
        assertTrue(loss.getMessage().startsWith("unknown loss 'not_registered_bce' (a custom loss is registered with Serialization.registerLoss)"));
    }

    @Test
    void kerasNamesAreCaseInsensitive() {
        assertEquals("mean_squared_error", Losses.get("MeanSquaredError").name());
        assertEquals("mean_squared_error", Losses.get("MSE").name());
        assertEquals("binary_crossentropy", Losses.get("bce").name());
        assertEquals("adam", Optimizers.get("Adam").name());
        assertEquals("leaky_relu", Activations.get("LeakyReLU").name());
        assertEquals("rmsprop", Optimizers.get("RMSprop").name());
        assertEquals("binary_crossentropy:from_logits", Losses.get("BinaryCrossentropy:from_logits").id());
        assertEquals("accuracy", Metrics.get("Accuracy", Losses.get("mse"), new TensorType(DType.FLOAT32, Shape.of(-1, 3))).name());
    }
}
