package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.ParameterUpdater;
import dev.janus.graph.UpdatePlan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch's optimizer loop ({@code opt.zeroGrad(); loss.backward(); opt.step()}) over a core
 * update rule ({@link dev.janus.core.optim.Adam}, {@link dev.janus.core.optim.SGD}, ...): each step runs
 * the rule and writes the new values into the parameters in place, so there is one implementation
 * of each rule for both front ends. The rule runs as one compiled plan ({@link UpdatePlan}) for
 * heap parameters, else op by op through {@link Immediate}; both give the same bits. Learning-rate schedules act on the
 * rule ({@link #rule()}).
 *
 * <p>Users make an optimizer as PyTorch does, {@code new Adam(model.parameters(), 1e-3)}, which runs
 * this loop; writing the loop out is equivalent:
 *
 * <pre>{@code
 * var opt = new EagerOptimizer(new Adam(1e-3), model.parameters());
 * }</pre>
 */
public final class EagerOptimizer implements ParameterUpdater {
    private static final Immediate NOW = Immediate.global();
    /** The compiled update's context: update rules draw no random numbers and the plan runs on the heap. */
    private static final ExecContext CTX = ExecContext.global();

    private final Optimizer rule;
    private final List<Tensor> params;
    /** Per parameter: its state tensors (null until its first step) and its step count. */
    private final List<List<Tensor>> state;
    private final long[] steps;
    /** The rule compiled for the parameters that had gradients at the last compiled step, and which those were. */
    private UpdatePlan compiled;
    private boolean[] compiledFor;
    private boolean uncompilable;

    public EagerOptimizer(Optimizer rule, List<Tensor> parameters) {
        if (parameters.isEmpty()) {
            throw new JanusException(rule.name() + ": got an empty parameter list (a module registers the fields that hold a module or a"
                    + " Parameter; a plain Tensor field, or modules kept in a list, need registerParameter or registerModule)");
        }
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new JanusException(rule.name() + ": parameter " + i + " (" + p.type()
                        + ") must be a leaf tensor that requires grad");
            }
            Integer before = seen.put(p, i);
            if (before != null) throw new JanusException(rule.name() + ": parameters " + before + " and " + i + " are the same tensor");
        }
        this.rule = rule;
        this.params = List.copyOf(parameters);
        this.state = new ArrayList<>(Collections.nCopies(params.size(), null));
        this.steps = new long[params.size()];
    }

    /** The update rule; schedules set its learning rate. */
    public Optimizer rule() {
        return rule;
    }

    public double lr() {
        return rule.lr();
    }

    public void setLr(double lr) {
        rule.setLr(lr);
    }

    public List<Tensor> parameters() {
        return params;
    }

    /** Clears every parameter's gradient (set to none, as PyTorch does by default). */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /**
     * Updates every parameter that has a gradient (others are skipped, as in PyTorch). All updates
     * are computed before any is written, so a failure leaves every parameter as it was.
     */
    public void step() {
        if (stepCompiled()) return;
        int n = params.size();
        List<List<Tensor>> results = new ArrayList<>(Collections.nCopies(n, null));
        for (int i = 0; i < n; i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            Tensor value = p;
            List<Tensor> st = state.get(i);
            if (st == null) st = newState(value);
            results.set(i, rule.update(NOW, value, g, st, scalars(steps[i] + 1, value.dtype())));
        }
        for (int i = 0; i < n; i++) {
            List<Tensor> r = results.get(i);
            if (r == null) continue;
            params.get(i).copyFrom(r.get(0));
            state.set(i, new ArrayList<>(r.subList(1, r.size())));
            steps[i]++;
        }
    }

    /**
     * The update through one compiled plan ({@link UpdatePlan}) when every parameter that has a
     * gradient, the gradient and its state are heap tensors (the eager default) of a dtype the
     * kernels compute in (float32, float64; float16 and bfloat16 keep the op-by-op path, whose
     * widening per op is what they were checked with) and no two parameters share memory: the
     * same rule, fused into one kernel per parameter, bit for bit the same results, no temporaries. Returns false, having changed nothing but creating missing
     * state (at the rule's initial values), when it does not apply; the rule then runs op by op.
     */
    private boolean stepCompiled() {
        if (uncompilable) return false;
        int n = params.size();
        boolean[] has = new boolean[n];
        List<Tensor> values = new ArrayList<>(n), grads = new ArrayList<>(n);
        Set<Object> storages = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < n; i++) {
            Tensor g = params.get(i).grad();
            if (g == null) continue;
            Tensor v = params.get(i);
            if (!onHeap(v) || !onHeap(g) || !storages.add(v.storage()) || v.dtype().computeType() != v.dtype()) return false;
            if (state.get(i) != null) for (Tensor s : state.get(i)) if (!onHeap(s)) return false;
            has[i] = true;
            values.add(v);
            grads.add(g);
        }
        if (values.isEmpty()) return false;
        List<Tensor[]> st = new ArrayList<>(values.size());
        long[] t = new long[values.size()];
        for (int i = 0, j = 0; i < n; i++) {
            if (!has[i]) continue;
            if (state.get(i) == null) state.set(i, newState(values.get(j)));
            st.add(state.get(i).toArray(new Tensor[0]));
            t[j++] = steps[i] + 1;
        }
        if (compiled == null || !Arrays.equals(compiledFor, has) || !compiled.boundTo(values, st)) {
            try {
                compiled = new UpdatePlan(rule, values, st);
                compiledFor = has;
            } catch (JanusException e) {
                // A rule the compiler cannot take (a custom one, say) keeps running op by op.
                uncompilable = true;
                compiled = null;
                return false;
            }
        }
        List<Tensor> next = compiled.run(grads, t, CTX);
        for (int i = 0, j = 0; i < n; i++) {
            if (!has[i]) continue;
            params.get(i).copyFrom(next.get(j++));
            steps[i]++;
        }
        return true;
    }

    private static boolean onHeap(Tensor t) {
        return t.storage().kind() == StorageKind.HEAP;
    }

    private List<Tensor> scalars(long t, DType dtype) {
        double[] s = rule.scalars(t);
        List<Tensor> out = new ArrayList<>(s.length);
        for (double v : s) out.add(Tensor.scalar(v, dtype));
        return out;
    }

    /**
     * The optimizer's state as named tensors, ready for {@link dev.janus.core.io.SafeTensors}: "lr",
     * and per parameter index i "state.i.step" and "state.i.&lt;name&gt;" (exp_avg, ...), copied.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("lr", Tensor.scalar(rule.lr(), DType.FLOAT64));
        for (int i = 0; i < params.size(); i++) {
            if (state.get(i) == null) continue;
            out.put("state." + i + ".step", Tensor.scalar(steps[i], DType.INT64));
            List<String> names = rule.stateNames();
            for (int k = 0; k < names.size(); k++) out.put("state." + i + "." + names.get(k), state.get(i).get(k).copy());
        }
        return out;
    }

    /** Restores {@link #stateDict()}; everything is checked before anything changes. */
    public void loadStateDict(Map<String, Tensor> saved) {
        List<String> problems = new ArrayList<>();
        Tensor lr = saved.get("lr");
        if (lr == null || lr.numel() != 1 || !(lr.item() >= 0)) problems.add("\"lr\" is missing or not a learning rate");
        List<String> names = rule.stateNames();
        List<List<Tensor>> newState = new ArrayList<>(Collections.nCopies(params.size(), null));
        long[] newSteps = new long[params.size()];
        Set<String> known = new HashSet<>();
        known.add("lr");
        for (int i = 0; i < params.size(); i++) {
            String prefix = "state." + i + ".";
            Tensor step = saved.get(prefix + "step");
            known.add(prefix + "step");
            for (String name : names) known.add(prefix + name);
            if (step == null) {
                for (String name : names) if (saved.containsKey(prefix + name)) problems.add(prefix + name + " is there but " + prefix + "step is not");
                continue;
            }
            if (step.dtype() != DType.INT64 || step.numel() != 1 || step.item() < 1) {
                problems.add(prefix + "step must be an int64 count >= 1, got " + step.type());
                continue;
            }
            newSteps[i] = (long) step.item();
            List<Tensor> st = new ArrayList<>();
            for (String name : names) {
                Tensor t = saved.get(prefix + name), p = params.get(i);
                if (t == null) problems.add(prefix + name + " is missing");
                else if (!t.type().equals(p.type())) problems.add(prefix + name + " is " + t.type() + ", parameter " + i + " is " + p.type());
                else st.add(t.copy());
            }
            newState.set(i, st);
        }
        for (String k : saved.keySet()) {
            if (!known.contains(k)) problems.add("unexpected key " + k + " (this " + rule.name() + " has " + params.size() + " parameters)");
        }
        if (!problems.isEmpty()) {
            throw new ShapeException("Error(s) in loading the " + rule.name() + " optimizer state:\n  " + String.join("\n  ", problems));
        }
        rule.setLr(lr.item());
        for (int i = 0; i < params.size(); i++) {
            state.set(i, newState.get(i));
            steps[i] = newSteps[i];
        }
    }

    @Override
    public String toString() {
        return "EagerOptimizer(" + rule + ", " + params.size() + " parameters)";
    }

    /** What a rule made with parameters ({@code new Adam(model.parameters(), 1e-3)}) steps them with, found by ServiceLoader. */
    public static final class Factory implements ParameterUpdater.Factory {
        @Override
        public ParameterUpdater create(Optimizer rule, List<Tensor> parameters) {
            return new EagerOptimizer(rule, parameters);
        }
    }

    /** A parameter's state tensors before its first step: shaped and typed like it, each filled with the rule's initial value. */
    private List<Tensor> newState(Tensor like) {
        List<Tensor> st = new ArrayList<>();
        for (int k = 0; k < rule.stateNames().size(); k++) st.add(Tensor.full(rule.initialState(k), like.dtype(), like.shape()));
        return st;
    }
}
