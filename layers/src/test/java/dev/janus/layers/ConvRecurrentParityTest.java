package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.Digits;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.testing.Close;
import dev.janus.layers.conv.AveragePooling2D;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.core.Flatten;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.normalization.LayerNormalization;
import dev.janus.layers.recurrent.GRU;
import dev.janus.layers.recurrent.LSTM;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CNN (with batch normalisation and dropout) and a recurrent model trained compiled and with
 * runEagerly from the same seed: the same losses and weights, moving averages included, because
 * both run the same ops in the same order.
 */
class ConvRecurrentParityTest {
    private static final double TOL = 1e-6;

    /** The first 192 digits scaled to [0, 1], as images (192, 8, 8, 1) or as sequences of rows (192, 8, 8). */
    private static Tensor[] digits(boolean images) {
        TensorDataset d = Digits.load();
        int[] rows = new int[192];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        Tensor[] b = d.batch(rows);
        Tensor x = dev.janus.core.ops.Immediate.global().mul(b[0], 1.0 / 16);
        return new Tensor[] {x.view(images ? dev.janus.core.Shape.of(192, 8, 8, 1) : dev.janus.core.Shape.of(192, 8, 8)), b[1]};
    }

    private static Sequential cnn() {
        return new Sequential(new Input(8, 8, 1),
                new Conv2D(6, 3, "relu").padding("same"), new BatchNormalization(), new MaxPooling2D(),
                new Conv2D(8, 3, "relu").padding("same"), new AveragePooling2D(), new Dropout(0.2),
                new Flatten(), new Dense(10, "softmax"));
    }

    private static Sequential recurrent() {
        return new Sequential(new Input(8, 8), new LSTM(12).returnSequences(true), new LayerNormalization(),
                new GRU(10), new Dense(10, "softmax"));
    }

    private static void sameNumbers(Supplier<Sequential> make, Tensor[] data) {
        Sequential[] models = new Sequential[2];
        History[] histories = new History[2];
        for (int k = 0; k < 2; k++) {
            Generator.manualSeed(11);
            models[k] = make.get().runEagerly(k == 1);
            models[k].compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
            histories[k] = models[k].fit(data[0], data[1], new Fit().epochs(3).batchSize(32).validationSplit(0.25).verbose(0));
        }
        for (String key : List.of("loss", "val_loss", "val_accuracy")) {
            for (int e = 0; e < 3; e++) {
                double c = histories[0].get(key).get(e), g = histories[1].get(key).get(e);
                assertTrue(Math.abs(c - g) <= TOL * Math.abs(g), key + " of epoch " + e + ": compiled " + c + ", eager " + g);
            }
        }
        List<Tensor> wc = models[0].getWeights(), we = models[1].getWeights();
        for (int i = 0; i < wc.size(); i++) {
            double r = Close.maxRelError(wc.get(i), we.get(i), 1e-3);
            assertTrue(r <= TOL, models[0].weights().get(i).name() + ": largest relative difference " + r);
        }
        assertNotEquals(histories[0].get("loss").get(0), histories[0].get("loss").get(2), "it trains");
    }

    @Test
    void aCnnTrainsTheSameCompiledAndEagerly() {
        sameNumbers(ConvRecurrentParityTest::cnn, digits(true));
    }

    @Test
    void recurrentModelsTrainTheSameCompiledAndEagerly() {
        sameNumbers(ConvRecurrentParityTest::recurrent, digits(false));
    }

    @Test
    void batchNormalizationMovesItsAveragesOnlyInTraining() {
        Generator.manualSeed(3);
        Sequential m = cnn();
        m.compile("adam", "sparse_categorical_crossentropy", List.of());
        Tensor[] data = digits(true);
        Weight mean = m.layers().get(1).weights().get(2);
        assertEquals("batch_normalization/moving_mean", mean.name());
        assertTrue(!mean.trainable());
        m.predict(data[0]);
        m.evaluate(data[0], data[1], 32, 0);
        assertEquals(0.0, mean.value().readDouble(0), "inference leaves the averages alone");
        m.trainOnBatch(data[0], data[1]);
        assertNotEquals(0.0, mean.value().readDouble(0));
    }
}
