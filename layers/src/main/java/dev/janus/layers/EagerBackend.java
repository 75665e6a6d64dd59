package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Immediate;
import dev.janus.eager.EagerEmitter;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.metrics.Metric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model through the eager engine, as Keras's run_eagerly: the same layer code, losses and
 * metrics as the compiled path, applied op by op and recorded; {@code backward()} runs the same
 * gradient rules and {@link EagerOptimizer} the same update rule, so both paths compute the same
 * numbers. The weights are the layers' own tensors.
 */
final class EagerBackend implements Backend {
    private final Model model;
    private final EagerEmitter emitter;
    private final Map<Weight, Tensor> params = new IdentityHashMap<>();
    /** The paths of the trainable weights, in the optimizer's parameter order. */
    private final List<String> trainable = new ArrayList<>();
    private final List<TensorType> trainableTypes = new ArrayList<>();
    private final EagerOptimizer optimizer;
    private final boolean compiledForTraining;

    /** Without a compiled optimizer it only predicts. */
    EagerBackend(Model model) {
        this.model = model;
        this.emitter = new EagerEmitter(model.generator());
        boolean train = model.optimizer() != null;
        compiledForTraining = train;
        List<Tensor> leaves = new ArrayList<>();
        for (Map.Entry<String, Weight> e : model.namedWeights().entrySet()) {
            Weight w = e.getValue();
            Tensor t = w.value().detach().requiresGrad(train && w.trainable());
            params.put(w, t);
            if (train && w.trainable()) {
                leaves.add(t);
                trainable.add(e.getKey());
                trainableTypes.add(w.value().type());
            }
        }
        optimizer = leaves.isEmpty() ? null : new EagerOptimizer(model.optimizer(), leaves);
    }

    @Override
    public boolean canTrain() {
        return compiledForTraining;
    }

    private Forward<Tensor> forward(List<Tensor> xs, boolean training) {
        emitter.generator(model.generator());
        List<Tensor> in = new ArrayList<>();
        for (Tensor x : xs) in.add(x);
        return Forward.run(model, emitter, in, params::get, training, label -> { });
    }

    /**
     * The total loss (weighted as compiled), with each output's loss and the metric sums written into
     * stats; with sample weights {@code ws}, each output's loss is their weighted mean.
     */
    private Tensor losses(Forward<Tensor> f, List<Tensor> ys, List<Tensor> ws, double[] stats) {
        int n = f.outputs.size(), k = 0, at = 1;
        Tensor total = null;
        List<Tensor> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Loss loss = model.losses().get(i);
            if (loss == null) {
                labels.add(null);
                continue;
            }
            Tensor y = ys.get(k);
            labels.add(y);
            Tensor l = ws.isEmpty() ? loss.emit(emitter, f.outputs.get(i), f.logits.get(i), f.lasts.get(i), y)
                    : Losses.weightedMean(emitter, loss.emitPerSample(emitter, f.outputs.get(i), f.logits.get(i), f.lasts.get(i), y),
                    ws.get(k));
            k++;
            if (n > 1) stats[at++] = l.item();
            double w = model.lossWeights().get(i);
            Tensor weighted = w == 1.0 ? l : emitter.mul(l, w);
            total = total == null ? weighted : emitter.add(total, weighted);
        }
        Immediate now = Immediate.global();
        for (int i = 0; i < n; i++) {
            for (Metric m : model.outputMetrics().get(i)) {
                Tensor sums = m.emitSums(now, f.outputs.get(i), labels.get(i));
                Training.checkSums(m, sums.shape());
                for (int j = 0; j < sums.numel(); j++) stats[at++] = sums.readDouble(j);
            }
        }
        return total;
    }

    private static List<Tensor> gathered(List<Tensor> ts, int[] order, int from, int to) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ts) {
            Tensor b = Tensor.empty(t.dtype(), Rows.batch(t, to - from));
            Rows.gather(t, order, from, to, b);
            out.add(b);
        }
        return out;
    }

    private static List<Tensor> sliced(List<Tensor> ts, int from, int to) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ts) out.add(Rows.slice(t, from, to));
        return out;
    }

    @Override
    public void train(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int[] order, int from, int to, double[] stats) {
        List<Tensor> xb = gathered(xs, order, from, to), yb = gathered(ys, order, from, to);
        if (optimizer != null) optimizer.zeroGrad();
        Forward<Tensor> f = forward(xb, true);
        Tensor loss = losses(f, yb, gathered(ws, order, from, to), stats);
        if (optimizer != null) {
            loss.backward();
            optimizer.step();
        }
        // The frozen weights move after the step, as the compiled step writes them, from values computed before it.
        for (Map.Entry<Weight, Tensor> u : f.updates.entrySet()) u.getKey().value().copyFrom(u.getValue());
        stats[0] = loss.item();
    }

    @Override
    @SuppressWarnings("try") // the scope is only opened and closed
    public void evaluate(List<Tensor> xs, List<Tensor> ys, List<Tensor> ws, int from, int to, double[] stats) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            Forward<Tensor> f = forward(sliced(xs, from, to), false);
            stats[0] = losses(f, sliced(ys, from, to), sliced(ws, from, to), stats).item();
        }
    }

    @Override
    @SuppressWarnings("try")
    public void predict(List<Tensor> xs, int from, int to, List<Tensor> out) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            Forward<Tensor> f = forward(sliced(xs, from, to), false);
            for (int k = 0; k < out.size(); k++) Rows.copy(f.outputs.get(k), 0, to - from, out.get(k), from);
        }
    }

    @Override
    public long iterations() {
        Tensor step = optimizer == null ? null : optimizer.stateDict().get("state.0.step");
        return step == null ? 0 : (long) step.item();
    }

    /** The eager optimizer's "state.{i}.{name}" entries, renamed "{weight}/{name}". */
    @Override
    public Map<String, Tensor> optimizerState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (optimizer == null) return out;
        Map<String, Tensor> saved = optimizer.stateDict();
        List<String> names = model.optimizer().stateNames();
        for (int i = 0; i < trainable.size(); i++) {
            for (String n : names) {
                Tensor t = saved.get("state." + i + "." + n);
                if (t != null) out.put(trainable.get(i) + "/" + n, t);
            }
        }
        return out;
    }

    @Override
    public void restoreOptimizerState(Map<String, Tensor> state, long iterations) {
        Map<String, TensorType> expected = new LinkedHashMap<>();
        List<String> names = model.optimizer().stateNames();
        for (int i = 0; i < trainable.size(); i++) for (String n : names) expected.put(trainable.get(i) + "/" + n, trainableTypes.get(i));
        OptimizerState.check(expected, state, iterations);
        if (iterations == 0 || optimizer == null) return;
        Map<String, Tensor> dict = new HashMap<>();
        dict.put("lr", Tensor.scalar(model.optimizer().lr(), DType.FLOAT64));
        for (int i = 0; i < trainable.size(); i++) {
            dict.put("state." + i + ".step", Tensor.scalar(iterations, DType.INT64));
            for (String n : names) dict.put("state." + i + "." + n, state.get(trainable.get(i) + "/" + n));
        }
        optimizer.loadStateDict(dict);
    }
}
