package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Immediate;
import dev.janus.eager.EagerEmitter;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.Grad;
import dev.janus.eager.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model through the eager engine, as Keras's run_eagerly: the same layer code, loss and
 * metrics as the compiled path, applied op by op and recorded; {@code backward()} runs the same
 * gradient rules and {@link EagerOptimizer} the same update rule, so both paths compute the same
 * numbers. The weights are the layers' own tensors.
 */
final class EagerBackend implements Backend {
    private final Sequential model;
    private final EagerEmitter emitter;
    private final Map<Layer, List<Tensor>> params = new HashMap<>();
    private final List<Weight> trainable = new ArrayList<>();
    private final EagerOptimizer optimizer;
    private final boolean compiledForTraining;

    /** Without a compiled optimizer it only predicts. */
    EagerBackend(Sequential model) {
        this.model = model;
        this.emitter = new EagerEmitter(model.generator());
        boolean train = model.optimizer() != null;
        compiledForTraining = train;
        List<Tensor> leaves = new ArrayList<>();
        for (Layer layer : model.layers()) {
            List<Tensor> ws = new ArrayList<>();
            for (Weight w : layer.weights()) {
                Tensor t = Tensor.from(w.value()).requiresGrad(train && w.trainable());
                ws.add(t);
                if (train && w.trainable()) {
                    leaves.add(t);
                    trainable.add(w);
                }
            }
            params.put(layer, ws);
        }
        optimizer = leaves.isEmpty() ? null : new EagerOptimizer(model.optimizer(), leaves);
    }

    @Override
    public boolean canTrain() {
        return compiledForTraining;
    }

    private Forward<Tensor> forward(dev.janus.core.Tensor x, boolean training) {
        emitter.generator(model.generator());
        return Forward.run(model.layers(), emitter, Tensor.from(x), params::get, training, label -> { });
    }

    @Override
    public void train(dev.janus.core.Tensor x, dev.janus.core.Tensor y, int[] order, int from, int to, double[] stats) {
        dev.janus.core.Tensor xb = dev.janus.core.Tensor.empty(x.dtype(), Rows.batch(x, to - from));
        dev.janus.core.Tensor yb = dev.janus.core.Tensor.empty(y.dtype(), Rows.batch(y, to - from));
        Rows.gather(x, order, from, to, xb);
        Rows.gather(y, order, from, to, yb);
        if (optimizer != null) optimizer.zeroGrad();
        Forward<Tensor> f = forward(xb, true);
        Tensor loss = model.loss().emit(emitter, f.output, f.logits, f.last, Tensor.from(yb));
        metrics(f.output, yb, stats);
        if (optimizer != null) {
            loss.backward();
            optimizer.step();
        }
        // The frozen weights move after the step, as the compiled step writes them, from values computed before it.
        for (Map.Entry<Weight, Tensor> u : f.updates.entrySet()) u.getKey().value().copyFrom(u.getValue().value());
        stats[0] = loss.item();
    }

    /** Metric sums from the values (nothing to record for backward). */
    private void metrics(Tensor yPred, dev.janus.core.Tensor y, double[] stats) {
        Immediate now = Immediate.global();
        List<Metric> ms = model.metrics();
        for (int i = 0; i < ms.size(); i++) stats[1 + i] = ms.get(i).emitSum(now, yPred.value(), y).item();
    }

    @Override
    @SuppressWarnings("try") // the scope is only opened and closed
    public void evaluate(dev.janus.core.Tensor x, dev.janus.core.Tensor y, int from, int to, double[] stats) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            dev.janus.core.Tensor yb = Rows.slice(y, from, to);
            Forward<Tensor> f = forward(Rows.slice(x, from, to), false);
            stats[0] = model.loss().emit(emitter, f.output, f.logits, f.last, Tensor.from(yb)).item();
            metrics(f.output, yb, stats);
        }
    }

    @Override
    @SuppressWarnings("try")
    public void predict(dev.janus.core.Tensor x, int from, int to, dev.janus.core.Tensor out) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            Rows.copy(forward(Rows.slice(x, from, to), false).output.value(), 0, to - from, out, from);
        }
    }

    @Override
    public long iterations() {
        dev.janus.core.Tensor step = optimizer == null ? null : optimizer.stateDict().get("state.0.step");
        return step == null ? 0 : (long) step.item();
    }

    /** The eager optimizer's "state.{i}.{name}" entries, renamed "{weight}/{name}". */
    @Override
    public Map<String, dev.janus.core.Tensor> optimizerState() {
        Map<String, dev.janus.core.Tensor> out = new LinkedHashMap<>();
        if (optimizer == null) return out;
        Map<String, dev.janus.core.Tensor> saved = optimizer.stateDict();
        List<String> names = model.optimizer().stateNames();
        for (int i = 0; i < trainable.size(); i++) {
            for (String n : names) {
                dev.janus.core.Tensor t = saved.get("state." + i + "." + n);
                if (t != null) out.put(trainable.get(i).name() + "/" + n, t);
            }
        }
        return out;
    }

    @Override
    public void restoreOptimizerState(Map<String, dev.janus.core.Tensor> state, long iterations) {
        Map<String, TensorType> expected = new LinkedHashMap<>();
        List<String> names = model.optimizer().stateNames();
        for (Weight w : trainable) for (String n : names) expected.put(w.name() + "/" + n, w.value().type());
        OptimizerState.check(expected, state, iterations);
        if (iterations == 0 || optimizer == null) return;
        Map<String, dev.janus.core.Tensor> dict = new HashMap<>();
        dict.put("lr", dev.janus.core.Tensor.scalar(model.optimizer().lr(), DType.FLOAT64));
        for (int i = 0; i < trainable.size(); i++) {
            dict.put("state." + i + ".step", dev.janus.core.Tensor.scalar(iterations, DType.INT64));
            for (String n : names) dict.put("state." + i + "." + n, state.get(trainable.get(i).name() + "/" + n));
        }
        optimizer.loadStateDict(dict);
    }
}
