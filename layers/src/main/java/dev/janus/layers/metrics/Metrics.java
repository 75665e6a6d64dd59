package dev.janus.layers.metrics;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.Names;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.Serialization;

import java.util.List;

/**
 * Metrics by Keras name, in any case ("AUC", "auc"). "accuracy" picks the accuracy that fits the
 * loss and output, as Keras does; "auc", "precision" and "recall" are Keras's AUC(), Precision()
 * and Recall() (ROC curve, 200 thresholds; threshold 0.5), "pr_auc" is AUC(curve="PR"), and the
 * top-k accuracies take k = 5. Other settings: the factories below, registered under a name
 * ({@code Serialization.registerMetric}).
 */
public final class Metrics {
    private static final List<String> KNOWN = List.of("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
            "binary_accuracy", "mean_squared_error", "mse", "mean_absolute_error", "mae", "auc", "pr_auc", "precision", "recall",
            "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy");
    /** Keras's number of AUC thresholds, and k of the top-k accuracies. */
    private static final int THRESHOLDS = 200, K = 5;

    private Metrics() {
    }

    /** The metric {@code name} for this loss and model output; errors list the known names. */
    public static Metric get(String name, Loss loss, TensorType output) {
        if (name == null) throw new JanusException("unknown metric null; known metrics: " + String.join(", ", KNOWN));
        Metric registered = Serialization.metric(name);
        if (registered != null) return registered;
        String canonical = null;
        for (String k : KNOWN) if (Names.key(k).equals(Names.key(name))) canonical = k;
        if (canonical != null) name = canonical;
        switch (name) {
            case "accuracy":
            case "acc":
                if (output.rank() >= 1 && output.shape().dim(-1) == 1) return binaryAccuracy(name);
                if (loss != null && loss.name().equals("sparse_categorical_crossentropy")) return sparseCategoricalAccuracy(name);
                return categoricalAccuracy(name);
            case "sparse_categorical_accuracy": return sparseCategoricalAccuracy(name);
            case "categorical_accuracy": return categoricalAccuracy(name);
            case "binary_accuracy": return binaryAccuracy(name);
            case "mean_squared_error":
            case "mse": return error(name, true);
            case "mean_absolute_error":
            case "mae": return error(name, false);
            case "auc":
                sameShapeLabels(name, loss, output);
                return auc(name, false, THRESHOLDS);
            case "pr_auc":
                sameShapeLabels(name, loss, output);
                return auc(name, true, THRESHOLDS);
            case "precision":
                sameShapeLabels(name, loss, output);
                return precision(name, 0.5);
            case "recall":
                sameShapeLabels(name, loss, output);
                return recall(name, 0.5);
            case "top_k_categorical_accuracy": return topKCategoricalAccuracy(name, K);
            case "sparse_top_k_categorical_accuracy": return sparseTopKCategoricalAccuracy(name, K);
            default: throw new JanusException("unknown metric '" + name + "' (a custom metric is registered with Serialization.registerMetric);"
                    + " known metrics: " + String.join(", ", KNOWN));
        }
    }

    /** The fraction of samples whose highest score is at their integer label. */
    public static Metric sparseCategoricalAccuracy(String name) {
        return new Metric() {
            public String name() {
                return name;
            }

            public <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
                return total(e, e.cast(e.equal(argmax(e, yPred), yTrue), e.dtype(yPred)));
            }
        };
    }

    /** The fraction of samples whose highest score is where their one-hot label's is. */
    public static Metric categoricalAccuracy(String name) {
        return new Metric() {
            public String name() {
                return name;
            }

            public <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
                return total(e, e.cast(e.equal(argmax(e, yPred), argmax(e, yTrue)), e.dtype(yPred)));
            }
        };
    }

    /** The fraction of outputs on the right side of 0.5, averaged over the last axis per sample. */
    public static Metric binaryAccuracy(String name) {
        return new Metric() {
            public String name() {
                return name;
            }

            public <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
                DType dt = e.dtype(yPred);
                V predicted = e.cast(e.greater(yPred, e.scalar(0.5, dt)), dt);
                return total(e, e.one(Ops.MEAN, Attrs.of("axes", new int[] {-1}), List.of(e.cast(e.equal(predicted, yTrue), dt))));
            }
        };
    }

    /** Mean squared (or absolute) error over the last axis, per sample. */
    public static Metric error(String name, boolean squared) {
        return new Metric() {
            public String name() {
                return name;
            }

            public <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
                V d = e.sub(yPred, yTrue);
                V per = squared ? e.mul(d, d) : e.one(Ops.ABS, Attrs.NONE, List.of(d));
                return total(e, e.one(Ops.MEAN, Attrs.of("axes", new int[] {-1}), List.of(per)));
            }
        };
    }

    /**
     * Keras's AUC: the ROC curve (or the precision-recall curve, {@code pr}) over {@code numThresholds}
     * thresholds (2 to 2^20), interpolated as Keras does.
     */
    public static Metric auc(String name, boolean pr, int numThresholds) {
        if (numThresholds < 2) throw new JanusException(name + ": the number of thresholds must be > 1, got " + numThresholds);
        return Confusion.auc(name, pr ? Confusion.Kind.PR_AUC : Confusion.Kind.ROC_AUC, numThresholds);
    }

    /** Keras's Precision: true positives / predicted positives, a prediction being positive above {@code threshold}. */
    public static Metric precision(String name, double threshold) {
        return Confusion.atThreshold(name, Confusion.Kind.PRECISION, threshold);
    }

    /** Keras's Recall: true positives / positive labels, a prediction being positive above {@code threshold}. */
    public static Metric recall(String name, double threshold) {
        return Confusion.atThreshold(name, Confusion.Kind.RECALL, threshold);
    }

    /** The fraction of samples whose integer label scores among the {@code k} highest (ties count in, as Keras's in_top_k). */
    public static Metric sparseTopKCategoricalAccuracy(String name, int k) {
        return topK(name, k, true);
    }

    /** The fraction of samples whose one-hot label's class scores among the {@code k} highest. */
    public static Metric topKCategoricalAccuracy(String name, int k) {
        return topK(name, k, false);
    }

    private static Metric topK(String name, int k, boolean sparse) {
        if (k < 1) throw new JanusException(name + ": k must be >= 1, got " + k);
        return new Metric() {
            public String name() {
                return name;
            }

            /** The label's class is in the top k when fewer than k classes score strictly higher. */
            public <V> V emitSum(Emitter<V> e, V yPred, V yTrue) {
                DType dt = e.dtype(yPred);
                int classes = e.shape(yPred).dim(-1);
                V label = sparse ? yTrue : argmax(e, yTrue);
                V target = e.sum(e.mul(yPred, e.oneHot(label, classes, dt)), new int[] {-1}, true);
                V higher = e.sum(e.cast(e.greater(yPred, target), dt), new int[] {-1}, false);
                return total(e, e.cast(e.greater(e.scalar(k, dt), higher), dt));
            }
        };
    }

    /** Precision, recall and AUC count label elements against output elements: labels of the output's shape. */
    private static void sameShapeLabels(String name, Loss loss, TensorType output) {
        if (loss == null) return;
        TensorType labels = loss.labelType(output);
        if (labels.rank() != output.rank()) {
            throw new JanusException("metric " + name + ": needs labels of the output's shape (0/1 or one-hot), but loss " + loss.name()
                    + " takes class indices; use binary or categorical labels and loss");
        }
    }

    private static <V> V argmax(Emitter<V> e, V x) {
        return e.one(Ops.ARGMAX, Attrs.of("axis", e.shape(x).rank() - 1), List.of(x));
    }

    private static <V> V total(Emitter<V> e, V x) {
        return e.one(Ops.SUM, Attrs.NONE, List.of(x));
    }
}
