package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.optim.SGD;
import dev.janus.core.testing.Close;
import dev.janus.core.testing.Reference;
import dev.janus.layers.core.Dense;
import dev.janus.layers.losses.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fit's sampleWeight and classWeight and evaluate's sample weights against Keras 3 itself
 * (resources/reference/make_keras_weights.py): the same model, weights, data and SGD steps, batches
 * in order; the epoch losses, the weights after two epochs, evaluate's weighted loss and a weighted
 * validation split, compiled and eagerly, for every built-in loss.
 */
class SampleWeightsTest {
    private static final Reference KERAS = Reference.load("/reference/keras_weights.txt");
    private static final int N = 20;
    private static final double TOL = 2e-6;

    private static Tensor x() {
        Tensor t = Tensor.empty(DType.FLOAT32, dev.janus.core.Shape.of(N, 4));
        for (int i = 0; i < N; i++) for (int j = 0; j < 4; j++) t.setDouble(i * 4 + j, Math.sin(0.3 * i + 1.1 * j));
        return t;
    }

    private static Tensor sampleWeights() {
        float[] w = new float[N];
        for (int i = 0; i < N; i++) w[i] = 0.5f + (i % 4) * 0.5f;
        return Tensor.of(w);
    }

    private static long[] classes() {
        long[] c = new long[N];
        for (int i = 0; i < N; i++) c[i] = (3L * i + 1) % 3;
        return c;
    }

    private static Tensor oneHot() {
        float[] y = new float[N * 3];
        long[] c = classes();
        for (int i = 0; i < N; i++) y[i * 3 + (int) c[i]] = 1;
        return Tensor.of(y, N, 3);
    }

    private static Tensor binary() {
        float[] y = new float[N];
        for (int i = 0; i < N; i++) y[i] = Math.cos(0.7 * i) > 0 ? 1 : 0;
        return Tensor.of(y, N, 1);
    }

    private static Tensor target() {
        float[] y = new float[N * 2];
        for (int i = 0; i < N; i++) {
            y[2 * i] = (float) Math.cos(0.5 * i);
            y[2 * i + 1] = (float) Math.sin(0.2 * i);
        }
        return Tensor.of(y, N, 2);
    }

    private static Sequential model(int k, String activation, String loss, boolean eager) {
        Sequential m = new Sequential(new Input(4), new Dense(5, "tanh"), new Dense(k, activation));
        m.setWeights(List.of(TrainingReferenceTest.weights(1, 4, 5), TrainingReferenceTest.weights(2, 5),
                TrainingReferenceTest.weights(3, 5, k), TrainingReferenceTest.weights(4, k)));
        m.runEagerly(eager);
        m.compile(new SGD(0.1), loss, List.of());
        return m;
    }

    /** Evaluate with the sample weights, then fit two epochs with {@code fit}'s weights; everything as Keras. */
    private static void check(String reference, int k, String activation, String loss, Tensor y, Fit fit) {
        check(reference, k, activation, loss, y, fit, TOL);
    }

    private static void check(String reference, int k, String activation, String loss, Tensor y, Fit fit, double tol) {
        for (boolean eager : new boolean[] {false, true}) {
            String where = reference + (eager ? " (eager)" : " (compiled)");
            Sequential m = model(k, activation, loss, eager);
            Close.check(KERAS.get(reference, "evaluate").item(), m.evaluate(x(), y, sampleWeights(), 8, 0).get("loss"), TOL, TOL,
                    where + ": evaluate's weighted loss");
            History h = m.fit(x(), y, fit.epochs(2).batchSize(8).shuffle(false).verbose(0));
            Tensor losses = KERAS.get(reference, "losses");
            for (int e = 0; e < 2; e++) Close.check(losses.readDouble(e), h.get("loss").get(e), tol, tol, where + ": loss of epoch " + e);
            if (h.history().containsKey("val_loss")) {
                Tensor val = KERAS.get(reference, "val_losses");
                for (int e = 0; e < 2; e++) Close.check(val.readDouble(e), h.get("val_loss").get(e), TOL, TOL, where + ": val_loss of epoch " + e);
            }
            for (Weight w : m.weights()) Close.assertClose(KERAS.get(reference, w.name()), w.value(), tol, tol);
        }
    }

    @Test
    void sparseCategoricalWithClassAndSampleWeights() {
        check("sparse_class_weight", 3, "softmax", "sparse_categorical_crossentropy", Tensor.of(classes()),
                new Fit().classWeight(Map.of(0, 0.5, 1, 2.0, 2, 1.0)));
        check("sparse_sample_weight", 3, "softmax", "sparse_categorical_crossentropy", Tensor.of(classes()),
                new Fit().sampleWeight(sampleWeights()));
    }

    @Test
    void oneHotLabelsTakeTheirArgmaxsClassWeight() {
        check("onehot_class_weight", 3, "softmax", "categorical_crossentropy", oneHot(), new Fit().classWeight(Map.of(1, 3.0)));
    }

    @Test
    void binaryCrossEntropy() {
        check("binary_class_weight", 1, "sigmoid", "binary_crossentropy", binary(), new Fit().classWeight(Map.of(0, 1.0, 1, 4.0)));
        check("binary_sample_weight", 1, "sigmoid", "bce", binary(), new Fit().sampleWeight(sampleWeights()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mse", "mae"})
    void regression(String loss) {
        check(loss + "_sample_weight", 2, "linear", loss, target(), new Fit().sampleWeight(sampleWeights()));
    }

    private static Tensor table(int cols, java.util.function.BiFunction<Integer, Integer, Double> f) {
        float[] v = new float[N * cols];
        for (int i = 0; i < N; i++) for (int c = 0; c < cols; c++) v[i * cols + c] = (float) (double) f.apply(i, c);
        return Tensor.of(v, N, cols);
    }

    /** Keras's other losses of same-shape labels, weighted and not, through evaluate and two epochs of fit. */
    @ParameterizedTest
    @ValueSource(strings = {"mape", "msle", "kld", "poisson", "log_cosh", "huber", "hinge", "squared_hinge", "categorical_hinge"})
    void kerasOtherLosses(String loss) throws java.io.IOException {
        Tensor y;
        int k = 2;
        String activation = "linear";
        switch (loss) {
            case "mape", "msle" -> y = table(2, (i, c) -> (double) (float) (c == 0 ? Math.cos(0.5 * i) : Math.sin(0.2 * i)) + 2);
            case "log_cosh", "huber" -> y = table(2, (i, c) -> 2.0 * (float) (c == 0 ? Math.cos(0.5 * i) : Math.sin(0.2 * i)));
            case "kld" -> {
                float[] row = new float[3];
                y = table(3, (i, c) -> {
                    double sum = 0;
                    for (int j = 0; j < 3; j++) sum += row[j] = (float) (1 + Math.sin(0.4 * i + j));
                    return (double) (row[c] / (float) sum);
                });
                k = 3;
                activation = "softmax";
            }
            case "poisson" -> {
                y = table(3, (i, c) -> (double) ((i + c) % 3));
                k = 3;
                activation = "softmax";
            }
            case "hinge", "squared_hinge" -> {
                y = table(2, (i, c) -> Math.cos(0.7 * i + c) > 0 ? 1.0 : 0.0);
                activation = "tanh";
            }
            default -> {
                y = oneHot();
                k = 3;
            }
        }
        for (boolean eager : new boolean[] {false, true}) {
            Sequential m = model(k, activation, loss, eager);
            Close.check(KERAS.get(loss, "evaluate_plain").item(), m.evaluate(x(), y, 8, 0).get("loss"), TOL, TOL, loss + ": evaluate");
            // Saved and loaded by its Keras name.
            java.nio.file.Path file = java.nio.file.Files.createTempFile("loss", ".janus");
            try {
                m.save(file);
                Sequential back = Sequential.load(file);
                assertEquals(Losses.get(loss).name(), back.loss().name());
                assertEquals(m.evaluate(x(), y, sampleWeights(), 8, 0), back.evaluate(x(), y, sampleWeights(), 8, 0));
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        // MAPE's gradients are 100 / |y| times the error's: its weights move by about 2 in these steps, and
        // float32 rounding, Keras's and Janus's, grows with them (largest difference 4e-6 relative).
        check(loss, k, activation, loss, y, new Fit().sampleWeight(sampleWeights()), loss.equals("mape") ? 1e-5 : TOL);
    }

    @Test
    void aValidationSplitKeepsItsSamplesWeights() {
        check("split_sample_weight", 3, "softmax", "sparse_categorical_crossentropy", Tensor.of(classes()),
                new Fit().sampleWeight(sampleWeights()).validationSplit(0.25));
    }

    /**
     * Weighted validation data is evaluate's weighted loss of the model after each epoch; a weighted
     * trainOnBatch is a weighted fit of one batch.
     */
    @Test
    void weightedValidationDataAndTrainOnBatch() {
        Tensor y = Tensor.of(classes());
        for (boolean eager : new boolean[] {false, true}) {
            Sequential a = model(3, "softmax", "sparse_categorical_crossentropy", eager);
            History h = a.fit(x(), y, new Fit().validationData(x(), y, sampleWeights()).epochs(1).batchSize(8).shuffle(false).verbose(0));
            assertEquals(a.evaluate(x(), y, sampleWeights(), 8, 0).get("loss"), h.get("val_loss").get(0), 0);   // validation runs in fit's batches
            Sequential b = model(3, "softmax", "sparse_categorical_crossentropy", eager);
            Sequential c = model(3, "softmax", "sparse_categorical_crossentropy", eager);
            double loss = b.trainOnBatch(x(), y, sampleWeights()).get("loss");
            History one = c.fit(x(), y, new Fit().sampleWeight(sampleWeights()).epochs(1).batchSize(N).shuffle(false).verbose(0));
            assertEquals(one.get("loss").get(0), loss, 0);
            for (int i = 0; i < b.weights().size(); i++) Close.assertClose(c.weights().get(i).value(), b.weights().get(i).value(), 0, 0);
        }
    }

    /** Weighted and unweighted fits share one optimizer state (two compiled steps hand it over). */
    @Test
    void weightedAndUnweightedFitsContinueOneTraining() {
        Tensor ones = Tensor.full(1, DType.FLOAT32, N);
        Sequential a = model(3, "softmax", "sparse_categorical_crossentropy", false);
        Sequential b = model(3, "softmax", "sparse_categorical_crossentropy", false);
        a.compile(Optimizers.get("adam"), "sparse_categorical_crossentropy", List.of());
        b.compile(Optimizers.get("adam"), "sparse_categorical_crossentropy", List.of());
        for (int round = 0; round < 2; round++) {
            a.fit(x(), Tensor.of(classes()), new Fit().epochs(1).batchSize(8).shuffle(false).verbose(0));
            a.fit(x(), Tensor.of(classes()), new Fit().sampleWeight(ones).epochs(1).batchSize(8).shuffle(false).verbose(0));
        }
        b.fit(x(), Tensor.of(classes()), new Fit().epochs(4).batchSize(8).shuffle(false).verbose(0));
        assertEquals(12, a.iterations());
        for (int i = 0; i < a.weights().size(); i++) Close.assertClose(b.weights().get(i).value(), a.weights().get(i).value(), 1e-6, 1e-7);
    }

    @Test
    void badWeightsAreClearErrors() {
        Sequential m = model(3, "softmax", "sparse_categorical_crossentropy", false);
        List<Tensor> before = m.getWeights();
        Tensor y = Tensor.of(classes());
        JanusException both = assertThrows(JanusException.class,
                () -> m.fit(x(), y, new Fit().sampleWeight(sampleWeights()).classWeight(Map.of(0, 2.0)).verbose(0)));
        assertEquals("fit: give sampleWeight or classWeight, not both (as in Keras)", both.getMessage());
        ShapeException shape = assertThrows(ShapeException.class, () -> m.fit(x(), y, new Fit().sampleWeight(Tensor.ones(N - 1)).verbose(0)));
        assertEquals("fit: sample weights must be one per sample (20,), got (19,)", shape.getMessage());
        Tensor nan = sampleWeights();
        nan.setDouble(3, Double.NaN);
        JanusException notFinite = assertThrows(JanusException.class, () -> m.evaluate(x(), y, nan, 8, 0));
        assertTrue(notFinite.getMessage().startsWith("evaluate: sample weights has NaN at sample 3"), notFinite.getMessage());
        assertThrows(JanusException.class, () -> new Fit().classWeight(Map.of(1, Double.POSITIVE_INFINITY)));
        for (int i = 0; i < before.size(); i++) Close.assertClose(before.get(i), m.getWeights().get(i), 0, 0);
    }
}
