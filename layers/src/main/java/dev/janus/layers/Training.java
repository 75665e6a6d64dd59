package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Immediate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The loops of fit, evaluate and predict, with Keras's semantics, over a {@link Backend}. Data is
 * checked and converted before the first step, so bad input changes nothing.
 */
final class Training {
    private Training() {
    }

    static History fit(Sequential model, Backend backend, Tensor x, Tensor y, Fit o) {
        Tensor xs = features(model, x, "fit: x"), ys = labels(model, y, xs, "fit");
        Tensor xt = xs, yt = ys, xv = null, yv = null;
        if (o.validationX() != null || o.validationY() != null) {
            if (o.validationX() == null || o.validationY() == null) throw new JanusException("fit: validation data needs both x and y");
            xv = features(model, o.validationX(), "fit: validation x");
            yv = labels(model, o.validationY(), xv, "fit: validation");
        } else if (o.validationSplit() > 0) {
            int n = xs.dim(0), at = (int) Math.floor(n * (1 - o.validationSplit()));
            if (at == 0) {
                throw new JanusException("fit: validation split " + o.validationSplit() + " of " + n + " samples leaves none to train on");
            }
            xt = Rows.slice(xs, 0, at);
            yt = Rows.slice(ys, 0, at);
            xv = Rows.slice(xs, at, n);
            yv = Rows.slice(ys, at, n);
        }

        List<Callback> callbacks = o.callbacks();
        History history = new History();
        model.stopTraining(false);
        for (Callback c : callbacks) c.setModel(model);
        Map<String, Double> logs = new LinkedHashMap<>();
        for (Callback c : callbacks) c.onTrainBegin(logs);
        int n = xt.dim(0), batch = o.batchSize(), steps = (n + batch - 1) / batch;
        List<String> names = names(model);
        double[] stats = new double[names.size()], sums = new double[names.size()];
        Generator rng = model.generator();
        for (int epoch = 0; epoch < o.epochs(); epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
            if (o.verbose() > 0) model.output().println("Epoch " + (epoch + 1) + "/" + o.epochs());
            ProgressBar bar = new ProgressBar(model.output(), steps, o.verbose());
            int[] order = o.shuffle() ? rng.permutation(n) : identity(n);
            java.util.Arrays.fill(sums, 0);
            int seen = 0, done = 0;
            for (int b = 0; b < steps; b++) {
                int from = b * batch, to = Math.min(n, from + batch);
                if (!callbacks.isEmpty()) {
                    Map<String, Double> batchLogs = means(names, sums, seen);
                    for (Callback c : callbacks) c.onTrainBatchBegin(b, batchLogs);
                }
                backend.train(xt, yt, order, from, to, stats);
                accumulate(stats, sums, to - from);
                seen += to - from;
                done = b + 1;
                if (!callbacks.isEmpty() || o.verbose() == 1) {
                    Map<String, Double> running = means(names, sums, seen);
                    for (Callback c : callbacks) c.onTrainBatchEnd(b, running);
                    if (b < steps - 1) bar.update(b + 1, running, false);
                }
                // As in Keras, a callback can stop training within an epoch; the epoch still ends.
                if (model.stopTraining()) break;
            }
            logs = means(names, sums, seen);
            if (xv != null) {
                Map<String, Double> val = loop(model, backend, xv, yv, batch, 0);
                for (Map.Entry<String, Double> v : val.entrySet()) logs.put("val_" + v.getKey(), v.getValue());
            }
            bar.update(done, logs, true);
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
            history.record(epoch, logs);
            if (model.stopTraining()) break;
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    static Map<String, Double> trainOnBatch(Sequential model, Backend backend, Tensor x, Tensor y) {
        Tensor xs = features(model, x, "trainOnBatch: x"), ys = labels(model, y, xs, "trainOnBatch");
        List<String> names = names(model);
        double[] stats = new double[names.size()], sums = new double[names.size()];
        int n = xs.dim(0);
        backend.train(xs, ys, identity(n), 0, n, stats);
        accumulate(stats, sums, n);
        return means(names, sums, n);
    }

    static Map<String, Double> evaluate(Sequential model, Backend backend, Tensor x, Tensor y, int batchSize, int verbose) {
        if (batchSize < 1) throw new JanusException("evaluate: batch size must be >= 1, got " + batchSize);
        Tensor xs = features(model, x, "evaluate: x");
        return loop(model, backend, xs, labels(model, y, xs, "evaluate"), batchSize, verbose);
    }

    private static Map<String, Double> loop(Sequential model, Backend backend, Tensor x, Tensor y, int batch, int verbose) {
        List<String> names = names(model);
        double[] stats = new double[names.size()], sums = new double[names.size()];
        int n = x.dim(0), steps = (n + batch - 1) / batch;
        ProgressBar bar = new ProgressBar(model.output(), steps, verbose);
        for (int b = 0; b < steps; b++) {
            int from = b * batch, to = Math.min(n, from + batch);
            backend.evaluate(x, y, from, to, stats);
            accumulate(stats, sums, to - from);
            if (verbose == 1 && b < steps - 1) bar.update(b + 1, means(names, sums, to), false);
        }
        Map<String, Double> result = means(names, sums, n);
        bar.update(steps, result, true);
        return result;
    }

    static Tensor predict(Sequential model, Backend backend, Tensor x, int batchSize) {
        if (batchSize < 1) throw new JanusException("predict: batch size must be >= 1, got " + batchSize);
        Tensor xs = features(model, x, "predict: x");
        int n = xs.dim(0);
        Tensor out = Tensor.empty(model.dtype(), model.outputShape().with(0, n));
        for (int from = 0; from < n; from += batchSize) backend.predict(xs, from, Math.min(n, from + batchSize), out);
        return out;
    }

    private static List<String> names(Sequential model) {
        List<String> names = new java.util.ArrayList<>();
        names.add("loss");
        for (Metric m : model.metrics()) names.add(m.name());
        return names;
    }

    private static void accumulate(double[] stats, double[] sums, int count) {
        sums[0] += stats[0] * count;
        for (int i = 1; i < stats.length; i++) sums[i] += stats[i];
    }

    private static Map<String, Double> means(List<String> names, double[] sums, int seen) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), seen == 0 ? 0.0 : sums[i] / seen);
        return m;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** The samples in the model's dtype, after checking their shape and that every value is finite. */
    static Tensor features(Sequential model, Tensor x, String what) {
        if (x == null) throw new JanusException(what + " is missing");
        TensorType want = new TensorType(model.dtype(), model.inputShape());
        if (!want.shape().compatible(x.shape())) {
            throw new ShapeException(what + " has shape " + Layer.describe(x.shape()) + ", but the model expects "
                    + Layer.describe(want.shape()));
        }
        if (x.dim(0) == 0) throw new JanusException(what + " has no samples");
        if (x.dtype() == DType.BOOL) throw new JanusException(what + " is bool; expected numbers");
        int width = Rows.width(x);
        requireRepresentable(x, model.dtype(), what, i -> "sample " + (i / width) + ", feature " + (i % width));
        // Only read from here on: already in the model's dtype, a large data set is not copied.
        return x.dtype() == model.dtype() ? x : Immediate.global().cast(x, model.dtype());
    }

    /**
     * Every value is finite and fits {@code dtype}, which it is about to be narrowed to: a float64
     * 1e39 would become infinity in float32 and train NaN weights without a word.
     */
    private static void requireRepresentable(Tensor t, DType dtype, String what, IntFunction<String> where) {
        double max = dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        for (int i = 0; i < t.numel(); i++) {
            double v = t.readDouble(i);
            if (Double.isNaN(v) || Double.isInfinite(v)) throw new JanusException(what + " has " + v + " at " + where.apply(i));
            if (Math.abs(v) > max) {
                throw new JanusException(what + " has " + v + " at " + where.apply(i) + ", beyond the range of " + dtype
                        + " (the model's dtype, largest " + (float) max + ")");
            }
        }
    }

    /** The loss's labels for these samples; the counts must agree. */
    static Tensor labels(Sequential model, Tensor y, Tensor x, String what) {
        if (y == null) throw new JanusException(what + ": y is missing");
        if (y.rank() == 0 || y.dim(0) != x.dim(0)) {
            throw new ShapeException(what + ": x has " + x.dim(0) + " samples but y has " + (y.rank() == 0 ? "a scalar" : y.dim(0) + ""));
        }
        requireRepresentable(y, model.dtype(), what + ": y", i -> "element " + i);
        return model.loss().prepareLabels(y, new TensorType(model.dtype(), model.outputShape()));
    }
}
