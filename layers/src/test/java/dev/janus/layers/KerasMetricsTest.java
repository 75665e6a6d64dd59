package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;
import dev.janus.core.testing.Reference;
import dev.janus.layers.core.Activation;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metric;
import dev.janus.layers.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AUC (ROC and PR), Precision, Recall and the top-k accuracies against Keras 3 on the same data
 * (resources/reference/make_keras_metrics.py), through evaluate in batches of 16, compiled and
 * eagerly: a model whose output is its input, so that the metric sees exactly the script's
 * predictions.
 */
class KerasMetricsTest {
    private static final Reference KERAS = Reference.load("/reference/keras_metrics.txt");

    private static Tensor binaryPredictions() {
        float[] p = new float[53];
        for (int i = 0; i < 53; i++) p[i] = (float) (0.5 + 0.45 * Math.sin(1.7 * i + 0.3));
        return Tensor.of(p, 53, 1);
    }

    private static Tensor binaryLabels(Tensor p) {
        float[] y = new float[53];
        for (int i = 0; i < 53; i++) y[i] = Math.sin(0.9 * i + 1.1) + 0.8 * (p.readDouble(i) - 0.5) > 0 ? 1 : 0;
        return Tensor.of(y, 53, 1);
    }

    private static Tensor scores() {
        float[] s = new float[41 * 10];
        for (int i = 0; i < 41; i++) for (int c = 0; c < 10; c++) s[i * 10 + c] = (float) (0.5 + 0.49 * Math.sin(0.37 * i + 1.3 * c + 0.1 * i * c));
        return Tensor.of(s, 41, 10);
    }

    private static long[] classes() {
        long[] l = new long[41];
        for (int i = 0; i < 41; i++) l[i] = (7L * i + 3) % 10;
        return l;
    }

    private static Tensor oneHot(long[] labels) {
        float[] y = new float[labels.length * 10];
        for (int i = 0; i < labels.length; i++) y[i * 10 + (int) labels[i]] = 1;
        return Tensor.of(y, labels.length, 10);
    }

    /** evaluate of the identity model with these metrics, compiled or eagerly. */
    private static Map<String, Double> evaluate(int width, String loss, List<String> metrics, Tensor x, Tensor y, boolean eager) {
        Sequential m = new Sequential(new Input(width), new Activation("linear"));
        m.runEagerly(eager);
        m.compile("sgd", loss, metrics);
        return m.evaluate(x, y, 16, 0);
    }

    private static void check(String reference, double actual) {
        double expected = KERAS.get(reference, "value").item();
        // Keras sums and divides in float32; Janus adds the batch counts in doubles.
        assertEquals(expected, actual, 2e-6, reference + ": Keras " + expected + ", Janus " + actual);
    }

    @Test
    void binaryAsKeras() {
        Tensor p = binaryPredictions(), y = binaryLabels(p);
        for (boolean eager : new boolean[] {false, true}) {
            Map<String, Double> r = evaluate(1, "bce", List.of("AUC", "pr_auc", "Precision", "recall"), p, y, eager);
            check("binary_auc", r.get("auc"));
            check("binary_pr_auc", r.get("pr_auc"));
            check("binary_precision", r.get("precision"));
            check("binary_recall", r.get("recall"));
        }
    }

    @Test
    void otherSettingsThroughRegisteredNames() {
        Serialization.registerMetric("auc_50", () -> Metrics.auc("auc_50", false, 50));
        Serialization.registerMetric("precision_at_0.7", () -> Metrics.precision("precision_at_0.7", 0.7));
        Serialization.registerMetric("top3", () -> Metrics.topKCategoricalAccuracy("top3", 3));
        Serialization.registerMetric("sparse_top3", () -> Metrics.sparseTopKCategoricalAccuracy("sparse_top3", 3));
        Tensor p = binaryPredictions(), y = binaryLabels(p);
        Map<String, Double> r = evaluate(1, "bce", List.of("auc_50", "precision_at_0.7"), p, y, false);
        check("binary_auc_50", r.get("auc_50"));
        check("binary_precision_0.7", r.get("precision_at_0.7"));
        check("onehot_top3", evaluate(10, "categorical_crossentropy", List.of("top3"), scores(), oneHot(classes()), false).get("top3"));
        check("sparse_top3", evaluate(10, "sparse_categorical_crossentropy", List.of("sparse_top3"), scores(), Tensor.of(classes()), true)
                .get("sparse_top3"));
    }

    @Test
    void oneHotAndTopKAsKeras() {
        Tensor s = scores(), y = oneHot(classes());
        for (boolean eager : new boolean[] {false, true}) {
            Map<String, Double> r = evaluate(10, "categorical_crossentropy",
                    List.of("auc", "PR_AUC", "precision", "recall", "TopKCategoricalAccuracy"), s, y, eager);
            check("onehot_auc", r.get("auc"));
            check("onehot_pr_auc", r.get("pr_auc"));
            check("onehot_precision", r.get("precision"));
            check("onehot_recall", r.get("recall"));
            check("onehot_top5", r.get("top_k_categorical_accuracy"));
            Map<String, Double> sparse = evaluate(10, "sparse_categorical_crossentropy", List.of("sparse_top_k_categorical_accuracy"), s,
                    Tensor.of(classes()), eager);
            check("sparse_top5", sparse.get("sparse_top_k_categorical_accuracy"));
        }
    }

    @Test
    void fitLogsCountMetricsOverTheEpochAndSavesThem() throws Exception {
        Tensor p = binaryPredictions(), y = binaryLabels(p);
        Sequential m = new Sequential(new Input(1), new dev.janus.layers.core.Dense(1, "sigmoid"));
        m.compile("adam", "binary_crossentropy", List.of("auc", "precision", "recall", "accuracy"));
        History h = m.fit(p, y, new Fit().epochs(2).batchSize(16).validationSplit(0.25).verbose(0));
        for (String k : List.of("auc", "precision", "recall", "val_auc", "val_precision", "val_recall")) {
            double v = h.get(k).get(1);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("metrics", ".janus");
        try {
            m.save(file);
            Sequential back = Sequential.load(file);
            assertEquals(m.evaluate(p, y, 16, 0), back.evaluate(p, y, 16, 0));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** A metric whose emitSums gives other than sums() numbers (here 2, one per column, with the default sums() of 1) is refused by name, compiled and eagerly, instead of shifting the metrics after it. */
    @Test
    void aMetricGivingOtherThanItsSumsIsRefused() {
        Serialization.registerMetric("column_sums", () -> new Metric() {
            @Override
            public String name() {
                return "column_sums";
            }

            @Override
            public <V> V emitSums(Emitter<V> e, V yPred, V yTrue) {
                return e.sum(yPred, new int[] {0}, false);
            }
        });
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        for (boolean eager : new boolean[] {false, true}) {
            JanusException e = assertThrows(JanusException.class, () -> evaluate(2, "mse", List.of("column_sums", "mae"), x, x, eager));
            assertEquals("column_sums: emitSums gave 2 numbers, sums() says 1", e.getMessage(), eager ? "eager" : "compiled");
        }
    }

    @Test
    void countMetricsNeedLabelsOfTheOutputsShape() {
        Sequential m = new Sequential(new Input(10), new Activation("softmax"));
        JanusException e = assertThrows(JanusException.class, () -> m.compile("sgd", "sparse_categorical_crossentropy", List.of("auc")));
        assertTrue(e.getMessage().contains("metric auc: needs labels of the output's shape"), e.getMessage());
        assertThrows(JanusException.class, () -> Metrics.topKCategoricalAccuracy("top0", 0));
        assertThrows(JanusException.class, () -> Metrics.auc("auc1", false, 1));
        assertEquals(Losses.get("bce").name(), "binary_crossentropy");
        assertEquals(DType.FLOAT32, binaryPredictions().dtype());
    }
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * A segmentation-sized batch (32 x 256 x 256 outputs) against AUC's 200 thresholds: each
     * prediction goes into its threshold bin, so the batch allocates O(elements + thresholds), not the
     * [elements, 200] comparison (1.6 GB of float32 for one such tensor); the counts equal those of a
     * binary search of the float32 thresholds on the host.
     */
    @Test
    void aucCountsASegmentationBatchByBinsInLittleMemory() {
        int n = 32 * 256 * 256, t = 200;
        float[] p = new float[n], y = new float[n];
        java.util.Random r = new java.util.Random(11);
        float[] thresholds = new float[t];
        thresholds[0] = (float) -1e-7;
        for (int j = 1; j < t - 1; j++) thresholds[j] = (float) (j * 1.0 / (t - 1));
        thresholds[t - 1] = (float) (1 + 1e-7);
        for (int i = 0; i < n; i++) {
            p[i] = i % 7 == 0 ? thresholds[1 + r.nextInt(t - 2)] : r.nextFloat();   // some exactly on a threshold
            y[i] = r.nextFloat() < p[i] ? 1 : 0;
        }
        Tensor yPred = Tensor.of(p, 32, 256, 256, 1), yTrue = Tensor.of(y, 32, 256, 256, 1);
        Metric auc = Metrics.auc("auc", false, t);
        long before = allocatedBytes();
        double[] sums = auc.emitSums(dev.janus.core.ops.Immediate.global(), yPred, yTrue).toDoubleArray();
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 400_000_000L, "AUC of " + n + " elements allocated " + allocated + " bytes");

        double[] want = new double[2 * t + 2];
        for (int i = 0; i < n; i++) {
            int above = 0, hi = t;   // the thresholds below p[i]: binary search of the sorted thresholds
            while (above < hi) {
                int mid = (above + hi) >>> 1;
                if (thresholds[mid] < p[i]) above = mid + 1;
                else hi = mid;
            }
            int half = y[i] != 0 ? 0 : t;
            for (int j = 0; j < above; j++) want[half + j]++;
            want[2 * t + (y[i] != 0 ? 0 : 1)]++;
        }
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(sums));
        assertEquals("auc: at most 1048576 thresholds, got 1048577 (predictions are binned by threshold, which needs thresholds further apart"
                + " than float32 rounding)",
                assertThrows(JanusException.class, () -> Metrics.auc("auc", false, (1 << 20) + 1)).getMessage());
    }

    /** More than 2^24 predictions in one bin: the counts stay exact (a float32 bin would stop at 2^24). */
    @Test
    void aucCountsMoreThanTwoToThe24PredictionsInOneBinExactly() {
        int n = (1 << 24) + 8, t = 5;       // 2^24 + 8 is a float32: the exact count survives the final rounding
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        Tensor yPred = Tensor.of(new float[n], n, 1), yTrue = Tensor.of(ones, n, 1);
        double[] sums = Metrics.auc("auc", false, t).emitSums(dev.janus.core.ops.Immediate.global(), yPred, yTrue).toDoubleArray();
        // every prediction 0 is above the first threshold (-1e-7) only, and every label is positive
        double[] want = new double[2 * t + 2];
        want[0] = n;
        want[2 * t] = n;
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(sums));
    }
}
