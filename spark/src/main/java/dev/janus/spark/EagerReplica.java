package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Optimizer;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.NNModule;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An eager module's replica: the user's step gives the loss, {@code backward()} the gradients, and
 * an {@link EagerOptimizer} applies the combined ones. Its state is a safetensors file: the module's
 * state dict under "model/" and the optimizer's under "optimizer/".
 */
final class EagerReplica implements Replica {
    static final String MODEL = "model/", OPTIMIZER = "optimizer/";

    static final class Spec implements Replica.Spec {
        private static final long serialVersionUID = 1;
        final ReplicaFactory<? extends NNModule> module;
        final ReplicaFactory<? extends Optimizer> optimizer;
        final EagerTrainingStep step;
        final int[] sample;
        final DType labelDType;
        final int[] label;

        Spec(ReplicaFactory<? extends NNModule> module, ReplicaFactory<? extends Optimizer> optimizer, EagerTrainingStep step,
             int[] sample, DType labelDType, int[] label) {
            this.module = module;
            this.optimizer = optimizer;
            this.step = step;
            this.sample = sample;
            this.labelDType = labelDType;
            this.label = label;
        }

        @Override
        public Replica create(byte[] state) {
            return new EagerReplica(this, state);
        }
    }

    private final Spec spec;
    private final NNModule module;
    private final EagerOptimizer optimizer;
    private final List<Tensor> params;
    private final int gradientLength;
    private Batches data;
    private Map<String, Tensor> averaged;

    EagerReplica(Spec spec, byte[] state) {
        this.spec = spec;
        this.module = spec.module.create();
        this.params = module.parameters();
        this.optimizer = new EagerOptimizer(spec.optimizer.create(), params);
        Map<String, Tensor> all = SafeTensors.decode(state, "the broadcast state");
        module.loadStateDict(part(all, MODEL));
        Map<String, Tensor> opt = part(all, OPTIMIZER);
        if (!opt.isEmpty()) optimizer.loadStateDict(opt);
        int n = 0;
        for (Tensor p : params) {
            if (p.dtype() != DType.FLOAT32) throw new JanusException("Spark training takes float32 parameters; the module has " + p.type());
            n += p.numel();
        }
        gradientLength = n;
    }

    static Map<String, Tensor> part(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    /** The state of a module and (when it has stepped) its optimizer. */
    static byte[] state(NNModule module, EagerOptimizer optimizer) {
        Map<String, Tensor> all = new LinkedHashMap<>();
        module.stateDict().forEach((k, v) -> all.put(MODEL + k, v));
        if (optimizer != null) optimizer.stateDict().forEach((k, v) -> all.put(OPTIMIZER + k, v));
        return SafeTensors.encode(all, Map.of());
    }

    @Override
    public void data(float[] x, float[] y, int n) {
        data = new Batches(x, y, n, spec.sample, spec.labelDType, spec.label);
    }

    @Override
    public int gradientLength() {
        return gradientLength;
    }

    @Override
    public int statCount() {
        return 1;
    }

    @Override
    public void gradients(int[] order, int from, int to, ExecContext ctx, double[] stats, float[] grads) {
        module.train();
        optimizer.zeroGrad();
        Tensor loss = spec.step.loss(module, data.features(order, from, to),
                data.labels(order, from, to));
        if (loss.numel() != 1) throw new JanusException("the training step must return the scalar loss, got " + loss.type());
        loss.backward();
        stats[0] = loss.item();
        int at = 0;
        for (Tensor p : params) {
            if (p.grad() != null) System.arraycopy(p.grad().toFloatArray(), 0, grads, at, p.numel());
            else java.util.Arrays.fill(grads, at, at + p.numel(), 0f);
            at += p.numel();
        }
    }

    @Override
    public void step(float[] grads, long t) {
        int at = 0;
        for (Tensor p : params) {
            float[] g = new float[p.numel()];
            System.arraycopy(grads, at, g, 0, g.length);
            at += g.length;
            p.setGrad(Tensor.of(g, p.shape().dims()));
        }
        optimizer.step();
    }

    @Override
    public long iterations() {
        Tensor step = optimizer.stateDict().get("state.0.step");
        return step == null ? 0 : (long) step.item();
    }

    @Override
    public Map<String, Tensor> averagedState() {
        averaged = new LinkedHashMap<>();
        module.stateDict().forEach((k, v) -> {
            if (v.dtype().isFloating()) averaged.put(MODEL + k, v);
        });
        optimizer.stateDict().forEach((k, v) -> {
            if (v.dtype().isFloating() && !k.equals("lr")) averaged.put(OPTIMIZER + k, v);
        });
        return averaged;
    }

    @Override
    public void averagedStateChanged() {
        Map<String, Tensor> m = module.stateDict(), o = optimizer.stateDict();
        averaged.forEach((k, v) -> {
            if (k.startsWith(MODEL)) m.put(k.substring(MODEL.length()), v);
            else o.put(k.substring(OPTIMIZER.length()), v);
        });
        module.loadStateDict(m);
        optimizer.loadStateDict(o);
    }

    @Override
    public byte[] snapshot() {
        return state(module, optimizer);
    }
}
