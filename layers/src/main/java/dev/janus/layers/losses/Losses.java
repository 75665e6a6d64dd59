package dev.janus.layers.losses;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;
import dev.janus.layers.ActivationFunction;
import dev.janus.layers.Activations;
import dev.janus.layers.Layer;
import dev.janus.layers.Names;
import dev.janus.layers.Serialization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The losses by Keras name, as Keras computes them (probabilities clipped to [1e-7, 1 - 1e-7]): the
 * cross entropies, "mse", "mae", and Keras's other losses of labels shaped as the output
 * ({@link Elementwise}: "mape", "msle", "kld", "poisson", "log_cosh", "huber", "hinge",
 * "squared_hinge", "categorical_hinge").
 */
public final class Losses {
    static final double EPSILON = 1e-7;
    private static final String FROM_LOGITS = ":from_logits";
    private static final Map<String, Supplier<Loss>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("sparse_categorical_crossentropy", () -> sparseCategoricalCrossentropy(false));
        BY_NAME.put("categorical_crossentropy", () -> categoricalCrossentropy(false));
        BY_NAME.put("binary_crossentropy", () -> binaryCrossentropy(false));
        BY_NAME.put("mean_squared_error", Losses::meanSquaredError);
        BY_NAME.put("mse", Losses::meanSquaredError);
        BY_NAME.put("mean_absolute_error", Losses::meanAbsoluteError);
        BY_NAME.put("mae", Losses::meanAbsoluteError);
        BY_NAME.put("bce", () -> binaryCrossentropy(false));
        for (Elementwise.Kind k : Elementwise.Kind.values()) {
            BY_NAME.put(k.keras, () -> new Elementwise(k));
            if (k.alias != null) BY_NAME.put(k.alias, () -> new Elementwise(k));
        }
    }

    /** The names by {@link Names#key}, so "MSE", "MeanSquaredError" and "mean_squared_error" all find the loss. */
    private static final Map<String, Supplier<Loss>> BY_KEY = new LinkedHashMap<>();

    static {
        BY_NAME.forEach((k, v) -> BY_KEY.put(Names.key(k), v));
    }

    private Losses() {
    }

    /**
     * The loss of that Keras name, in any case and with or without underscores ("mse", "MSE",
     * "MeanSquaredError"), or of a {@link Loss#id()} such as "categorical_crossentropy:from_logits".
     */
    public static Loss get(String name) {
        if (name == null) throw new JanusException("unknown loss null; known losses: " + String.join(", ", BY_NAME.keySet()));
        if (name.endsWith(FROM_LOGITS)) {
            switch (Names.key(name.substring(0, name.length() - FROM_LOGITS.length()))) {
                case "sparsecategoricalcrossentropy": return sparseCategoricalCrossentropy(true);
                case "categoricalcrossentropy": return categoricalCrossentropy(true);
                case "binarycrossentropy": return binaryCrossentropy(true);
                default:
            }
        }
        Loss registered = Serialization.loss(name);
        if (registered != null) return registered;
        Supplier<Loss> s = BY_KEY.get(Names.key(name));
        if (s == null) {
            throw new JanusException("unknown loss '" + name + "' (a custom loss is registered with Serialization.registerLoss); known losses: "
                    + String.join(", ", BY_NAME.keySet()));
        }
        return s.get();
    }

    /** Integer class labels [batch] against class scores [batch, classes]. */
    public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return new SparseCategorical(fromLogits);
    }

    /** One-hot (or soft) labels [batch, classes] against class scores [batch, classes]. */
    public static Loss categoricalCrossentropy(boolean fromLogits) {
        return new Categorical(fromLogits);
    }

    /** 0/1 labels against probabilities (or logits) of the same shape. */
    public static Loss binaryCrossentropy(boolean fromLogits) {
        return new Binary(fromLogits);
    }

    public static Loss meanSquaredError() {
        return new Regression("mean_squared_error");
    }

    public static Loss meanAbsoluteError() {
        return new Regression("mean_absolute_error");
    }

    /** The mean of every element (a loss's batch mean); for a custom loss as for the built-in ones. */
    public static <V> V mean(Emitter<V> e, V x) {
        return e.one(Ops.MEAN, Attrs.NONE, List.of(x));
    }

    /**
     * Keras's weighted loss: each sample's loss times its weight, averaged over every value (sum over
     * the batch size, not over the weights). {@code weights} is [batch]; the per-sample losses may
     * have more axes, over which a sample's weight applies to each value.
     */
    public static <V> V weightedMean(Emitter<V> e, V perSample, V weights) {
        int rank = e.shape(perSample).rank();
        int[] shape = new int[Math.max(rank, 1)];
        java.util.Arrays.fill(shape, 1);
        shape[0] = -1;
        V w = rank <= 1 ? weights : e.one(Ops.RESHAPE, Attrs.of("shape", shape), List.of(weights));
        return mean(e, e.mul(perSample, w));
    }

    /** The mean over the last axis: Keras's per-sample value of an elementwise loss. */
    static <V> V meanLast(Emitter<V> e, V x) {
        return e.mean(x, new int[] {-1}, false);
    }

    /** Probabilities clipped to [epsilon, 1 - epsilon], as Keras clips them before a log. */
    public static <V> V clipped(Emitter<V> e, V p) {
        return e.one(Ops.CLIP, Attrs.of("min", EPSILON, "max", 1 - EPSILON), List.of(p));
    }

    static <V> V sumLast(Emitter<V> e, V x) {
        return e.sum(x, new int[] {-1}, false);
    }

    static void classes(String loss, TensorType output) {
        if (output.rank() != 2 || output.shape().dim(1) == Shape.DYNAMIC) {
            throw new ShapeException(loss + ": expects model outputs (batch, classes), got " + Layer.describe(output.shape()));
        }
    }

    /** Float labels of the output's shape; a vector [n] is taken as [n, 1] for an output (None, 1). */
    public static Tensor sameShapeLabels(String loss, Tensor y, TensorType output) {
        Shape want = output.shape();
        Shape got = y.shape();
        if (got.rank() == 1 && want.rank() == 2 && want.dim(1) == 1) got = Shape.of(got.dim(0), 1);
        if (got.rank() != want.rank() || !want.compatible(got)) {
            throw new ShapeException(loss + ": labels must have the model's output shape " + Layer.describe(want)
                    + ", got " + Layer.describe(y.shape()));
        }
        Tensor t = Immediate.global().cast(y, output.dtype());
        return t == y ? y.view(got) : t.view(got);
    }

    private static final class SparseCategorical implements Loss {
        private final boolean fromLogits;

        SparseCategorical(boolean fromLogits) {
            this.fromLogits = fromLogits;
        }

        public String id() {
            return fromLogits ? name() + FROM_LOGITS : name();
        }

        public String name() {
            return "sparse_categorical_crossentropy";
        }

        public TensorType labelType(TensorType output) {
            classes(name(), output);
            return new TensorType(DType.INT64, Shape.of(Shape.DYNAMIC));
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            classes(name(), output);
            int c = output.shape().dim(1);
            Shape s = y.shape();
            if (!(s.rank() == 1 || (s.rank() == 2 && s.dim(1) == 1))) {
                throw new ShapeException(name() + ": labels must be class indices (n,) or (n, 1), got " + Layer.describe(s));
            }
            long[] out = new long[y.numel()];
            for (int i = 0; i < out.length; i++) {
                double v = y.readDouble(i);
                if (v != Math.rint(v) || v < 0 || v >= c) {
                    throw new JanusException(name() + ": label " + (y.dtype() == DType.INT64 ? Long.toString(y.readLong(i)) : Double.toString(v))
                            + " at row " + i + " is not a class index in [0, " + c + ") (the model outputs " + c + " classes)");
                }
                out[i] = (long) v;
            }
            return Tensor.of(out);
        }

        /** From logits, the fused softmax cross entropy computes the mean itself (one op and its gradient). */
        public <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            V z = logits(yPred, logits, last);
            return z != null ? e.one(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, List.of(z, yTrue)) : Loss.super.emit(e, yPred, logits, last, yTrue);
        }

        public <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            V z = logits(yPred, logits, last);
            if (z != null) return e.one(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "none"), List.of(z, yTrue));
            V onehot = e.oneHot(yTrue, e.shape(yPred).dim(1), e.dtype(yPred));
            return e.neg(sumLast(e, e.mul(onehot, e.log(clipped(e, yPred)))));
        }

        /** The logits the loss is computed from, or null to compute it from the probabilities. */
        private <V> V logits(V yPred, V logits, ActivationFunction last) {
            return fromLogits ? yPred : logits != null && last == Activations.SOFTMAX ? logits : null;
        }
    }

    private static final class Categorical implements Loss {
        private final boolean fromLogits;

        Categorical(boolean fromLogits) {
            this.fromLogits = fromLogits;
        }

        public String id() {
            return fromLogits ? name() + FROM_LOGITS : name();
        }

        public String name() {
            return "categorical_crossentropy";
        }

        public TensorType labelType(TensorType output) {
            classes(name(), output);
            return output;
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            classes(name(), output);
            return sameShapeLabels(name(), y, output);
        }

        public <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            return e.neg(sumLast(e, e.mul(yTrue, logProbabilities(e, yPred, logits, last))));
        }

        private <V> V logProbabilities(Emitter<V> e, V yPred, V logits, ActivationFunction last) {
            V z = fromLogits ? yPred : logits != null && last == Activations.SOFTMAX ? logits : null;
            return z != null ? e.one(Ops.LOG_SOFTMAX, Attrs.of("axis", -1), List.of(z))
                    : e.log(clipped(e, e.div(yPred, e.sum(yPred, new int[] {-1}, true))));
        }
    }

    private static final class Binary implements Loss {
        private final boolean fromLogits;

        Binary(boolean fromLogits) {
            this.fromLogits = fromLogits;
        }

        public String id() {
            return fromLogits ? name() + FROM_LOGITS : name();
        }

        public String name() {
            return "binary_crossentropy";
        }

        public TensorType labelType(TensorType output) {
            return output;
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            Tensor t = sameShapeLabels(name(), y, output);
            for (int i = 0; i < t.numel(); i++) {
                double v = t.readDouble(i);
                if (!(v >= 0 && v <= 1)) throw new JanusException(name() + ": label " + v + " at element " + i + " is not in [0, 1]");
            }
            return t;
        }

        /**
         * The mean of every element's loss: the mean of the per-sample means (every sample has as
         * many elements), taken in one reduction.
         */
        public <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            return mean(e, elementLoss(e, yPred, logits, last, yTrue));
        }

        public <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            return meanLast(e, elementLoss(e, yPred, logits, last, yTrue));
        }

        /** Each element's loss: -(y log p + (1 - y) log(1 - p)), p clipped. */
        private <V> V elementLoss(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            V z = fromLogits ? yPred : logits != null && last == Activations.SIGMOID ? logits : null;
            // log(1 + exp(z)) - z y: the logits form, stable for large |z|, shared with the eager F
            if (z != null) return Functions.binaryCrossEntropyWithLogits(e, z, yTrue);
            V p = clipped(e, yPred);
            return e.neg(e.add(e.mul(yTrue, e.log(p)), e.mul(e.rsub(1, yTrue), e.log(e.rsub(1, p)))));
        }
    }

    private static final class Regression implements Loss {
        private final String name;

        Regression(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public TensorType labelType(TensorType output) {
            return output;
        }

        public Tensor prepareLabels(Tensor y, TensorType output) {
            return sameShapeLabels(name, y, output);
        }

        /**
         * The mean of every element's error (the mean of the per-sample means, in one reduction);
         * for mse the fused op, which computes it with its own gradient.
         */
        public <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            if (name.equals("mean_squared_error")) return e.one(Ops.MSE, Attrs.NONE, List.of(yPred, yTrue));
            return mean(e, elementError(e, yPred, yTrue));
        }

        public <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
            return meanLast(e, elementError(e, yPred, yTrue));
        }

        /** (p - y)^2 or |p - y|. */
        private <V> V elementError(Emitter<V> e, V yPred, V yTrue) {
            V d = e.sub(yPred, yTrue);
            return name.equals("mean_squared_error") ? e.mul(d, d) : e.one(Ops.ABS, Attrs.NONE, List.of(d));
        }
    }
}
