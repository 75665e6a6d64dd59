package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Immediate;
import dev.janus.layers.callbacks.Callback;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.metrics.Metric;

import java.util.ArrayList;
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

    /**
     * The model's data, checked and converted: one tensor per input, one per output with a loss,
     * and, when weighted, one weight vector [n] per output with a loss (else none).
     */
    private static final class Data {
        final List<Tensor> xs, ys, ws;

        Data(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws) {
            this.xs = xs;
            this.ys = ys;
            this.ws = ws;
        }

        int size() {
            return xs.get(0).dim(0);
        }

        Data rows(int from, int to) {
            return new Data(slice(xs, from, to), slice(ys, from, to), slice(ws, from, to));
        }

        Data weighted(List<Tensor> weights) {
            return new Data(xs, ys, weights);
        }

        private static List<Tensor> slice(List<Tensor> ts, int from, int to) {
            List<Tensor> out = new ArrayList<>();
            for (Tensor t : ts) out.add(Rows.slice(t, from, to));
            return out;
        }
    }

    static History fit(Model model, Backend backend, List<Tensor> x, List<Tensor> y, Fit o) {
        if (o.sampleWeight() != null && o.classWeight() != null) {
            throw new JanusException("fit: give sampleWeight or classWeight, not both (as in Keras)");
        }
        Data all = data(model, x, y, o.sampleWeight(), "fit");
        List<Tensor> classWeights = o.classWeight() == null ? null : classWeights(model, y, o.classWeight());
        Data train = all, val = null;
        if (o.validationX() != null || o.validationY() != null) {
            if (o.validationX() == null || o.validationY() == null) throw new JanusException("fit: validation data needs both x and y");
            val = data(model, o.validationX(), o.validationY(), o.validationSampleWeight(), "fit: validation");
        } else if (o.validationSplit() > 0) {
            int n = all.size(), at = (int) Math.floor(n * (1 - o.validationSplit()));
            if (at == 0) {
                throw new JanusException("fit: validation split " + o.validationSplit() + " of " + n + " samples leaves none to train on");
            }
            train = all.rows(0, at);
            val = all.rows(at, n);
        }
        // As Keras, class weights weight the training samples only (they become sample weights after the split).
        if (classWeights != null) train = train.weighted(Data.slice(classWeights, 0, train.size()));

        List<Callback> callbacks = o.callbacks();
        History history = new History();
        model.stopTraining(false);
        int n = train.size(), batch = o.batchSize(), steps = (n + batch - 1) / batch;
        Map<String, Object> params = Map.of("verbose", o.verbose(), "epochs", o.epochs(), "steps", steps);
        for (Callback c : callbacks) {
            c.setModel(model);
            c.setParams(params);
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        // Drop a start epoch left from an earlier fit: only this fit's onTrainBegin (BackupAndRestore) may set it.
        model.takeStartEpoch();
        for (Callback c : callbacks) c.onTrainBegin(logs);
        int start = model.takeStartEpoch();
        List<String> names = statNames(model);
        double[] stats = new double[slots(model)], sums = new double[stats.length];
        Generator rng = model.generator();
        for (int epoch = start; epoch < o.epochs(); epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
            if (o.verbose() > 0) model.output().println("Epoch " + (epoch + 1) + "/" + o.epochs());
            ProgressBar bar = new ProgressBar(model.output(), steps, o.verbose(), model.terminalColumns());
            int[] order = o.shuffle() ? rng.permutation(n) : identity(n);
            java.util.Arrays.fill(sums, 0);
            int seen = 0, done = 0;
            for (int b = 0; b < steps; b++) {
                int from = b * batch, to = Math.min(n, from + batch);
                if (!callbacks.isEmpty()) {
                    Map<String, Double> batchLogs = results(model, names, sums, seen);
                    for (Callback c : callbacks) c.onTrainBatchBegin(b, batchLogs);
                }
                backend.train(train.xs, train.ys, train.ws, order, from, to, stats);
                accumulate(model, stats, sums, to - from);
                seen += to - from;
                done = b + 1;
                if (!callbacks.isEmpty() || o.verbose() == 1) {
                    Map<String, Double> running = results(model, names, sums, seen);
                    for (Callback c : callbacks) c.onTrainBatchEnd(b, running);
                    if (b < steps - 1) bar.update(b + 1, running, false);
                }
                // As in Keras, a callback can stop training within an epoch; the epoch still ends.
                if (model.stopTraining()) break;
            }
            logs = results(model, names, sums, seen);
            if (val != null) {
                Map<String, Double> v = loop(model, backend, val, batch, 0);
                for (Map.Entry<String, Double> e : v.entrySet()) logs.put("val_" + e.getKey(), e.getValue());
            }
            bar.update(done, logs, true);
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
            history.record(epoch, logs);
            if (model.stopTraining()) break;
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    static Map<String, Double> trainOnBatch(Model model, Backend backend, List<Tensor> x, List<Tensor> y, Tensor sampleWeight) {
        Data d = data(model, x, y, sampleWeight, "trainOnBatch");
        double[] stats = new double[slots(model)], sums = new double[stats.length];
        int n = d.size();
        backend.train(d.xs, d.ys, d.ws, identity(n), 0, n, stats);
        accumulate(model, stats, sums, n);
        return results(model, statNames(model), sums, n);
    }

    static Map<String, Double> evaluate(Model model, Backend backend, List<Tensor> x, List<Tensor> y, Tensor sampleWeight, int batchSize,
                                        int verbose) {
        if (batchSize < 1) throw new JanusException("evaluate: batch size must be >= 1, got " + batchSize);
        return loop(model, backend, data(model, x, y, sampleWeight, "evaluate"), batchSize, verbose);
    }

    private static Map<String, Double> loop(Model model, Backend backend, Data d, int batch, int verbose) {
        List<String> names = statNames(model);
        double[] stats = new double[slots(model)], sums = new double[stats.length];
        int n = d.size(), steps = (n + batch - 1) / batch;
        ProgressBar bar = new ProgressBar(model.output(), steps, verbose, model.terminalColumns());
        for (int b = 0; b < steps; b++) {
            int from = b * batch, to = Math.min(n, from + batch);
            backend.evaluate(d.xs, d.ys, d.ws, from, to, stats);
            accumulate(model, stats, sums, to - from);
            if (verbose == 1 && b < steps - 1) bar.update(b + 1, results(model, names, sums, to), false);
        }
        Map<String, Double> result = results(model, names, sums, n);
        bar.update(steps, result, true);
        return result;
    }

    static List<Tensor> predict(Model model, Backend backend, List<Tensor> x, int batchSize) {
        if (batchSize < 1) throw new JanusException("predict: batch size must be >= 1, got " + batchSize);
        List<Tensor> xs = features(model, x, "predict");
        int n = xs.get(0).dim(0);
        List<Tensor> out = new ArrayList<>();
        for (KerasTensor t : model.outputs()) out.add(Tensor.empty(t.dtype(), t.shape().with(0, n)));
        for (int from = 0; from < n; from += batchSize) backend.predict(xs, from, Math.min(n, from + batchSize), out);
        return out;
    }

    /**
     * The names of what a step reports, in order: "loss"; with several outputs each output's loss
     * ("{output}_loss"); then each output's metrics ("accuracy", or "{output}_accuracy").
     */
    static List<String> statNames(Model model) {
        List<String> names = new ArrayList<>();
        names.add("loss");
        List<String> outs = model.outputNames();
        boolean several = outs.size() > 1;
        if (several) {
            for (int i = 0; i < outs.size(); i++) if (model.losses().get(i) != null) names.add(outs.get(i) + "_loss");
        }
        for (int i = 0; i < outs.size(); i++) {
            for (Metric m : model.outputMetrics().get(i)) names.add(several ? outs.get(i) + "_" + m.name() : m.name());
        }
        return names;
    }

    /** The number of losses a step reports: the total, and each output's when there are several. */
    private static int losses(Model model) {
        int losses = 1;
        if (model.outputs().size() > 1) for (Loss l : model.losses()) if (l != null) losses++;
        return losses;
    }

    /** The numbers a step reports: the losses, then each metric's sums ({@link Metric#sums()}). */
    static int slots(Model model) {
        int n = losses(model);
        for (List<Metric> ms : model.outputMetrics()) for (Metric m : ms) n += m.sums();
        return n;
    }

    /**
     * Checks that a metric's batch sums are as many numbers as its {@link Metric#sums()} says: the
     * step's numbers are read in order, so a metric giving more or fewer would shift every later
     * metric onto its neighbour's numbers.
     */
    static void checkSums(Metric m, Shape sums) {
        if (sums.isStatic() && sums.size() == m.sums()) return;
        throw new JanusException(m.name() + ": emitSums gave " + (sums.isStatic() ? sums.size() + " numbers" : "a tensor of shape " + sums)
                + ", sums() says " + m.sums());
    }

    /** Copies the elements of a step's outputs, in order, into {@code stats} until it is full. */
    static void read(List<Tensor> outputs, double[] stats) {
        int at = 0;
        for (int i = 0; at < stats.length; i++) {
            Tensor t = outputs.get(i);
            for (int j = 0; j < t.numel(); j++) stats[at++] = t.readDouble(j);
        }
    }

    /** Losses are batch means (weighted by the batch's size); metrics come as sums. */
    private static void accumulate(Model model, double[] stats, double[] sums, int count) {
        int losses = losses(model);
        for (int i = 0; i < stats.length; i++) sums[i] += i < losses ? stats[i] * count : stats[i];
    }

    /** The logs: each loss's mean over the samples seen, then each metric's value from its totals. */
    private static Map<String, Double> results(Model model, List<String> names, double[] sums, int seen) {
        Map<String, Double> m = new LinkedHashMap<>();
        int losses = losses(model), at = losses, k = losses;
        for (int i = 0; i < losses; i++) m.put(names.get(i), seen == 0 ? 0.0 : sums[i] / seen);
        for (List<Metric> ms : model.outputMetrics()) {
            for (Metric metric : ms) {
                m.put(names.get(k++), metric.result(java.util.Arrays.copyOfRange(sums, at, at + metric.sums()), seen));
                at += metric.sums();
            }
        }
        return m;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /**
     * The inputs, the labels of the outputs that have a loss and the sample weights (given for
     * each of them, or none), checked; the sample counts must agree.
     */
    private static Data data(Model model, List<Tensor> x, List<Tensor> y, Tensor sampleWeight, String what) {
        List<Tensor> xs = features(model, x, what);
        if (y == null) throw new JanusException(what + ": y is missing");
        List<KerasTensor> outs = model.outputs();
        if (y.size() != outs.size()) {
            throw new JanusException(what + ": the model has " + outs.size() + " outputs " + model.outputNames() + " but y has " + y.size() + " tensors");
        }
        List<Tensor> ys = new ArrayList<>();
        for (int i = 0; i < outs.size(); i++) {
            Loss loss = model.losses().get(i);
            if (loss == null) continue;
            String where = outs.size() == 1 ? what : what + " (output " + model.outputNames().get(i) + ")";
            ys.add(labels(loss, outs.get(i), y.get(i), xs.get(0), where));
        }
        List<Tensor> ws = new ArrayList<>();
        if (sampleWeight != null) {
            int n = xs.get(0).dim(0);
            Shape s = sampleWeight.shape();
            if (!(s.rank() == 1 || (s.rank() == 2 && s.dim(1) == 1)) || s.dim(0) != n) {
                throw new ShapeException(what + ": sample weights must be one per sample (" + n + ",), got " + Layer.describe(s));
            }
            for (int i = 0; i < outs.size(); i++) {
                if (model.losses().get(i) == null) continue;
                DType dt = outs.get(i).dtype();
                requireRepresentable(sampleWeight, dt, what + ": sample weights", k -> "sample " + k);
                ws.add(Immediate.global().cast(sampleWeight, dt).view(Shape.of(n)));
            }
        }
        return new Data(xs, ys, ws);
    }

    /**
     * Keras's class_weight_to_sample_weights: each sample's class is its label rounded (the argmax of
     * a one-hot or soft label row), and its weight that class's (1 for a class not in the map).
     */
    private static List<Tensor> classWeights(Model model, List<Tensor> y, Map<Integer, Double> classWeight) {
        if (model.outputs().size() != 1) {
            throw new JanusException("fit: classWeight is for a model of one output (as in Keras); " + model.name() + " has "
                    + model.outputs().size() + ": give sampleWeight instead");
        }
        Tensor labels = y.get(0);
        int n = labels.dim(0), width = labels.rank() > 1 ? labels.numel() / n : 1;
        Tensor w = Tensor.empty(model.outputs().get(0).dtype(), Shape.of(n));
        for (int i = 0; i < n; i++) {
            int cls;
            if (width > 1) {
                int best = 0;
                for (int j = 1; j < width; j++) if (labels.readDouble(i * width + j) > labels.readDouble(i * width + best)) best = j;
                cls = best;
            } else {
                cls = (int) Math.rint(labels.readDouble(i));
            }
            w.setDouble(i, classWeight.getOrDefault(cls, 1.0));
        }
        return List.of(w);
    }

    /** The samples of each input in its dtype, after checking their shapes and that every value is finite. */
    private static List<Tensor> features(Model model, List<Tensor> x, String what) {
        if (x == null) throw new JanusException(what + ": x is missing");
        List<Input> ins = model.inputs();
        if (x.size() != ins.size()) {
            throw new JanusException(what + ": the model has " + ins.size() + " inputs " + model.inputNames() + " but x has " + x.size() + " tensors");
        }
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < ins.size(); i++) {
            String name = ins.size() == 1 ? what + ": x" : what + ": x (input " + ins.get(i).name() + ")";
            Tensor t = features(ins.get(i), x.get(i), name);
            if (!out.isEmpty() && t.dim(0) != out.get(0).dim(0)) {
                throw new ShapeException(name + " has " + t.dim(0) + " samples, the first input " + out.get(0).dim(0));
            }
            out.add(t);
        }
        return out;
    }

    private static Tensor features(Input in, Tensor x, String what) {
        if (x == null) throw new JanusException(what + " is missing");
        TensorType want = new TensorType(in.dtype(), in.batchShape());
        if (!want.shape().compatible(x.shape())) {
            throw new ShapeException(what + " has shape " + Layer.describe(x.shape()) + ", but the model expects "
                    + Layer.describe(want.shape()));
        }
        if (x.dim(0) == 0) throw new JanusException(what + " has no samples");
        if (x.dtype() == DType.BOOL) throw new JanusException(what + " is bool; expected numbers");
        int width = Rows.width(x);
        requireRepresentable(x, in.dtype(), what, i -> "sample " + (i / width) + ", feature " + (i % width));
        // Only read from here on: already in the input's dtype, a large data set is not copied.
        return x.dtype() == in.dtype() ? x : Immediate.global().cast(x, in.dtype());
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
    private static Tensor labels(Loss loss, KerasTensor output, Tensor y, Tensor x, String what) {
        if (y == null) throw new JanusException(what + ": y is missing");
        if (y.rank() == 0 || y.dim(0) != x.dim(0)) {
            throw new ShapeException(what + ": x has " + x.dim(0) + " samples but y has " + (y.rank() == 0 ? "a scalar" : y.dim(0) + ""));
        }
        requireRepresentable(y, output.dtype(), what + ": y", i -> "element " + i);
        return loss.prepareLabels(y, new TensorType(output.dtype(), output.shape()));
    }
}
