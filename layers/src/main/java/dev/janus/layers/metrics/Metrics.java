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

/** Metrics by Keras name. "accuracy" picks the accuracy that fits the loss and output, as Keras does. */
public final class Metrics {
    private static final List<String> KNOWN = List.of("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
            "binary_accuracy", "mean_squared_error", "mse", "mean_absolute_error", "mae");

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

    private static <V> V argmax(Emitter<V> e, V x) {
        return e.one(Ops.ARGMAX, Attrs.of("axis", e.shape(x).rank() - 1), List.of(x));
    }

    private static <V> V total(Emitter<V> e, V x) {
        return e.one(Ops.SUM, Attrs.NONE, List.of(x));
    }
}
