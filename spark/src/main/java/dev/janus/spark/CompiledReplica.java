package dev.janus.spark;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Optimizer;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.GradientStep;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled Keras-style model's replica: the model's own training graph (loss, metric sums, the
 * moves of batch-norm averages) compiled as a {@link GradientStep}, and the optimizer's update rule
 * (the one both front ends run) applied to the combined gradients. Its state is a model file.
 */
final class CompiledReplica implements Replica {
    /** Nothing to carry: the model file holds the architecture, compile settings and optimizer state. */
    static final class Spec implements Replica.Spec {
        private static final long serialVersionUID = 1;

        @Override
        public Replica create(byte[] state) {
            return new CompiledReplica(Model.fromBytes(state, "the broadcast model"));
        }
    }

    private static final Immediate NOW = new Immediate(ExecContext.global());

    private final Model model;
    private final TrainingStep step;
    private final GradientStep gradients;
    private final Graph graph;
    private final Optimizer optimizer;
    private final List<Integer> trainable;
    /** Model outputs that replace a non-trainable parameter (batch-norm averages), by output index. */
    private final Map<Integer, Integer> stateUpdates;
    private final int statCount, gradientLength;
    private final Map<Integer, Plan> plans = new HashMap<>();
    private Batches data;

    CompiledReplica(Model model) {
        this.model = model;
        this.step = model.compiledTrainingStep();
        this.graph = step.model();
        this.optimizer = step.optimizer();
        this.gradients = new GradientStep(graph, model.compileOptions());
        this.trainable = gradients.trainable();
        this.stateUpdates = new LinkedHashMap<>(step.stateUpdates());
        this.statCount = graph.outputs().size() - stateUpdates.size();
        int length = 0;
        for (int i : trainable) length += graph.parameters().get(i).type().shape().size();
        for (int p : stateUpdates.values()) length += graph.parameters().get(p).type().shape().size();
        this.gradientLength = length;
    }

    @Override
    public void data(float[] x, float[] y, int n) {
        TensorType in = graph.inputs().get(0).type(), label = graph.inputs().get(1).type();
        data = new Batches(x, y, n, in.shape().sub(1, in.rank()).dims(), label.dtype(), label.shape().sub(1, label.rank()).dims());
    }

    @Override
    public int gradientLength() {
        return gradientLength;
    }

    @Override
    public int statCount() {
        return statCount;
    }

    @Override
    public void gradients(int[] order, int from, int to, ExecContext ctx, double[] stats, float[] grads) {
        Tensor x = data.features(order, from, to), y = data.labels(order, from, to);
        Plan p = plans.computeIfAbsent(to - from, n -> gradients.plan(List.of(x.shape(), y.shape())));
        p.input(0).copyFrom(x);
        p.input(1).copyFrom(y);
        List<Tensor> out = gradients.run(p, ctx);
        for (int i = 0; i < statCount; i++) stats[i] = out.get(i).item();
        int at = 0, outputs = graph.outputs().size();
        for (int k = 0; k < trainable.size(); k++) at = put(out.get(outputs + k), grads, at);
        for (int o : stateUpdates.keySet()) at = put(out.get(o), grads, at);
    }

    private static int put(Tensor t, float[] v, int at) {
        float[] f = t.toFloatArray();
        System.arraycopy(f, 0, v, at, f.length);
        return at + f.length;
    }

    private static Tensor take(float[] v, int at, TensorType type) {
        float[] f = new float[type.shape().size()];
        System.arraycopy(v, at, f, 0, f.length);
        Tensor t = Tensor.of(f, type.shape().dims());
        return type.dtype() == t.dtype() ? t : Immediate.global().cast(t, type.dtype());
    }

    @Override
    public void step(float[] grads, long t) {
        List<Value> params = graph.parameters();
        Map<String, Tensor> state = step.state();
        double[] s = optimizer.scalars(t);
        int at = 0;
        for (int i : trainable) {
            Value p = params.get(i);
            Tensor value = graph.parameterValue(p), g = take(grads, at, p.type());
            at += p.type().shape().size();
            List<Tensor> st = new ArrayList<>();
            for (String name : optimizer.stateNames()) st.add(state.get(p.name() + "/" + name));
            List<Tensor> scalars = new ArrayList<>();
            for (double v : s) scalars.add(Tensor.scalar(v, value.dtype()));
            List<Tensor> next = optimizer.update(NOW, value, g, st, scalars);
            value.copyFrom(next.get(0));
            for (int k = 0; k < st.size(); k++) st.get(k).copyFrom(next.get(1 + k));
        }
        for (int pi : stateUpdates.values()) {
            Value p = params.get(pi);
            graph.parameterValue(p).copyFrom(take(grads, at, p.type()));
            at += p.type().shape().size();
        }
        step.setIterations(t);
    }

    @Override
    public long iterations() {
        return step.iterations();
    }

    @Override
    public Map<String, Tensor> averagedState() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Value p : graph.parameters()) if (graph.parameterValue(p).dtype().isFloating()) m.put(p.name(), graph.parameterValue(p));
        m.putAll(step.state());
        return m;
    }

    @Override
    public void averagedStateChanged() {
        // The tensors are the model's and the step's own: nothing else to update.
    }

    @Override
    public byte[] snapshot() {
        return model.toBytes();
    }

    /** Rows of the model's input and its label, for the driver's checks. */
    static Shape sampleShape(Model model) {
        Shape in = model.inputShape();
        return in.sub(1, in.rank());
    }
}
