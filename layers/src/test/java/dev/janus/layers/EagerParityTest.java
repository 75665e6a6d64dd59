package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signature promise: from the same seed and data order, training compiled and training with
 * runEagerly give the same losses per epoch and the same final weights (dropout masks included),
 * within 1e-6 relative. Both run the same ops in the same order, so they agree bit for bit.
 */
class EagerParityTest {
    private static final double TOL = 1e-6;

    private static Sequential trained(boolean eager, int epochs, Iris data) {
        Generator.manualSeed(3);
        Sequential m = SequentialTest.iris().runEagerly(eager);
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        History h = m.fit(data.xTrain, data.yTrain, new Fit().epochs(epochs).batchSize(16).validationSplit(0.2).verbose(0));
        histories.put(eager, h);
        return m;
    }

    private static final Map<Boolean, History> histories = new java.util.HashMap<>();

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    }

    @Test
    void compiledAndEagerTrainingGiveTheSameNumbers() {
        Iris data = Iris.load(42);
        Sequential compiled = trained(false, 15, data), eager = trained(true, 15, data);
        History hc = histories.get(false), he = histories.get(true);
        for (String key : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            for (int e = 0; e < 15; e++) {
                double r = relative(he.get(key).get(e), hc.get(key).get(e));
                assertTrue(r <= TOL, key + " of epoch " + e + ": compiled " + hc.get(key).get(e) + ", eager " + he.get(key).get(e));
            }
        }
        List<Tensor> wc = compiled.getWeights(), we = eager.getWeights();
        for (int i = 0; i < wc.size(); i++) {
            double r = Close.maxRelError(we.get(i), wc.get(i), 1e-3);
            assertTrue(r <= TOL, compiled.weights().get(i).name() + ": largest relative difference " + r);
        }
        Close.assertClose(compiled.predict(data.xTest), eager.predict(data.xTest), TOL, 1e-7);
        assertEquals(compiled.evaluate(data.xTest, data.yTest, 32, 0).get("loss"), eager.evaluate(data.xTest, data.yTest, 32, 0).get("loss"),
                TOL);
    }

    @Test
    void anEagerlyTrainedModelSavesAndTrainsOnCompiled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Iris data = Iris.load(42);
        Sequential straight = trained(false, 4, data);
        Sequential eager = trained(true, 2, data);
        eager.save(dir.resolve("eager.janus"));
        Sequential loaded = Sequential.load(dir.resolve("eager.janus"));
        assertEquals(eager.iterations(), loaded.iterations());
        Map<String, Tensor> se = eager.optimizerState(), sl = loaded.optimizerState();
        assertEquals(se.keySet(), sl.keySet());
        for (String k : se.keySet()) Close.assertClose(se.get(k), sl.get(k), 0, 0);
        // The generator is where the eager run left it: two more epochs compiled end where four did.
        loaded.fit(data.xTrain, data.yTrain, new Fit().epochs(2).batchSize(16).validationSplit(0.2).verbose(0));
        List<Tensor> a = straight.getWeights(), b = loaded.getWeights();
        for (int i = 0; i < a.size(); i++) Close.assertClose(a.get(i), b.get(i), TOL, 1e-7);
    }

    @Test
    void switchingToEagerMidwayKeepsTheOptimizerState() {
        Iris data = Iris.load(42);
        Sequential straight = trained(false, 4, data);
        Generator.manualSeed(3);
        Sequential switched = SequentialTest.iris();
        switched.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        switched.fit(data.xTrain, data.yTrain, new Fit().epochs(2).batchSize(16).validationSplit(0.2).verbose(0));
        switched.runEagerly(true);
        switched.fit(data.xTrain, data.yTrain, new Fit().epochs(2).batchSize(16).validationSplit(0.2).verbose(0));
        assertEquals(straight.iterations(), switched.iterations());
        List<Tensor> a = straight.getWeights(), b = switched.getWeights();
        for (int i = 0; i < a.size(); i++) Close.assertClose(a.get(i), b.get(i), TOL, 1e-7);
        assertThrows(dev.janus.core.JanusException.class, switched::compiledTrainingStep);
    }
}
