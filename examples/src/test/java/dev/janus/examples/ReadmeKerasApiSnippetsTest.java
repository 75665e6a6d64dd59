package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Emitter;
import dev.janus.core.optim.Adam;
import dev.janus.core.testing.FunctionalData;
import dev.janus.layers.ActivationFunction;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.KerasTensor;
import dev.janus.layers.Layer;
import dev.janus.layers.LayerConfig;
import dev.janus.layers.Model;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.merge.Concatenate;
import dev.janus.layers.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Keras-style blocks for the Functional API and a user's own layer and loss, run here. */
class ReadmeKerasApiSnippetsTest {
    private static final IrisData DATA = IrisData.load();

    @Test
    void aFunctionalModelOfTwoInputsAndTwoOutputsTrains() {
        Generator.manualSeed(0);
        Tensor x = FunctionalData.columns(DATA.xTrain, 0, 4), xExtra = FunctionalData.columns(DATA.xTrain, 2, 4);
        Tensor y = DATA.yTrain, ySize = FunctionalData.rowMeans(xExtra);
        // README: functional
        Input features = new Input(4).named("features"), extra = new Input(2).named("extra");
        Dense shared = new Dense(16, "relu");                                  // one layer, called twice: one set of weights
        KerasTensor h = new Concatenate().apply(shared.apply(features), new Dense(8, "relu").apply(extra));
        KerasTensor species = new Dense(3, "softmax").named("species").apply(h);
        KerasTensor size = new Dense(1).named("size").apply(new Sequential(new Input(24), new Dense(8, "tanh")).apply(h));
        Model model = new Model(List.of(features, extra), List.of(species, size));
        model.compile(new Adam(1e-2), List.of(Losses.get("sparse_categorical_crossentropy"), Losses.get("mse")),
                List.of(1.0, 0.5), List.of(List.of("accuracy"), List.of("mae")));
        model.fit(Map.of("features", x, "extra", xExtra), Map.of("species", y, "size", ySize), new Fit().epochs(20).verbose(0));
        List<Tensor> predictions = model.predict(List.of(x, xExtra), 32);      // [species (n, 3), size (n, 1)]
        // README: end
        assertEquals(Shape.of(x.dim(0), 3), predictions.get(0).shape());
        assertTrue(model.evaluate(List.of(x, xExtra), List.of(y, ySize), 32, 0).get("species_accuracy") > 0.8);
    }

    // README: custom-layer
    /** x sigmoid(beta x), beta learned per feature; saved and loaded once registered. */
    public static final class Swish extends Layer {
        private final double initialBeta;

        public Swish(double initialBeta) {
            super(null);
            this.initialBeta = initialBeta;
        }

        @Override
        protected Shape create(Shape input, DType dtype, Generator rng) {      // the weights, for this input shape
            addWeight("beta", Tensor.full(initialBeta, dtype, input.dim(-1)), true);
            return input;
        }

        @Override
        public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {   // compiled and eager alike
            return e.mul(x, e.sigmoid(e.mul(x, weights.get(0))));
        }

        @Override
        public Map<String, Object> config() {
            Map<String, Object> c = super.config();
            c.put("initial_beta", initialBeta);
            return c;
        }

        public static Swish fromConfig(LayerConfig c) {                         // what load calls
            return new Swish(c.number("initial_beta"));
        }
    }
    // README: end

    // README: custom-loss
    /** Mean absolute error, weighted twice where the label is above its threshold. */
    static final class WeightedMae implements Loss {
        public String name() {
            return "weighted_mae";
        }

        public TensorType labelType(TensorType output) {
            return output;
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            return Losses.get("mae").prepareLabels(y, output);                 // the same checks as Keras's mae
        }

        public <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            V error = e.one(dev.janus.core.ops.Ops.ABS, dev.janus.core.ops.Attrs.NONE, List.of(e.sub(yPred, yTrue)));
            V weight = e.add(e.cast(e.greater(yTrue, e.scalar(0.5, e.dtype(yTrue))), e.dtype(yTrue)), 1);
            return e.mean(e.mul(error, weight), new int[] {0, 1}, false);
        }
    }
    // README: end

    @Test
    void aCustomLayerAndLossTrainSaveAndLoad(@TempDir Path dir) {
        Generator.manualSeed(1);
        Tensor x = FunctionalData.columns(DATA.xTrain, 0, 3), y = FunctionalData.rowMeans(FunctionalData.columns(DATA.xTrain, 2, 4));
        Path file = dir.resolve("custom.janus");
        // README: custom-register
        Serialization.registerLayer(Swish.class);                   // saved as "Custom>Swish"
        Serialization.registerLoss("weighted_mae", WeightedMae::new);
        Sequential model = new Sequential(new Input(3), new Dense(8), new Swish(1.0), new Dense(1));
        model.compile("adam", "weighted_mae", List.of("mae"));
        model.fit(x, y, new Fit().epochs(5).verbose(0));
        model.save(file);
        Sequential back = Sequential.load(file);
        // README: end
        assertEquals(model.evaluate(x, y, 32, 0), back.evaluate(x, y, 32, 0));
        assertTrue(back.layers().get(1) instanceof Swish);
    }
}
