package dev.janus.graph;

import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Optimizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's update of some parameters, compiled once into one plan, for gradients computed
 * elsewhere (the eager front end's backward): the rule {@link TrainingStep} emits after its
 * backward, run on its own. Each parameter's update is a chain of elementwise ops that the
 * compiler fuses into one kernel, so a step makes no temporaries and dispatches one kernel per
 * parameter instead of a dozen ops that each infer, allocate and zero a tensor (Adam's update was
 * more than half of the eager iris step). The fused kernels are the core kernels run tile by tile,
 * so the results are bit for bit those of the rule run op by op ({@code Immediate}).
 *
 * <p>The parameters' and the state's tensors are bound when the plan is built: {@link #run} reads
 * the parameters, writes the state in place and returns the new parameter values, which the caller
 * writes into the parameters once every update is computed (as the op-by-op path does, so a
 * parameter's version moves as before). {@link #boundTo} tells whether the plan still fits the
 * tensors a caller holds (a parameter moved to another storage, or state loaded from a file, needs
 * a new plan). Parameters and state must be in heap storage on the CPU. Not thread-safe.
 */
public final class UpdatePlan {
    private final Optimizer rule;
    private final Tensor[] params;
    /** Each parameter's storage when the plan was built: a parameter moved in place (NNModule.to) keeps its object, not its storage. */
    private final Object[] storages;
    private final Tensor[][] state;
    private final Plan plan;
    private final Tensor[] gradInput;
    private final Tensor[][] scalarInput;
    private final List<Tensor> nextParams;

    /**
     * @param params the parameters' tensors, read by each run
     * @param state  per parameter, its state tensors in {@link Optimizer#stateNames()} order, written in place
     */
    public UpdatePlan(Optimizer rule, List<Tensor> params, List<Tensor[]> state) {
        int n = params.size(), ns = rule.stateNames().size();
        if (state.size() != n) throw new JanusException(rule.name() + ": " + n + " parameters but " + state.size() + " state lists");
        this.rule = rule;
        this.params = params.toArray(new Tensor[0]);
        this.storages = new Object[n];
        for (int i = 0; i < n; i++) storages[i] = this.params[i].storage();
        this.state = new Tensor[n][];
        Graph spec = new Graph(rule.name() + " update");
        GraphEmitter e = new GraphEmitter(spec);
        Map<Integer, Integer> updates = new HashMap<>();
        List<String> scalarNames = rule.scalarNames();
        int[] gradAt = new int[n], nextAt = new int[n];
        int[][] scalarAt = new int[n][scalarNames.size()];
        for (int i = 0; i < n; i++) {
            Tensor p = this.params[i];
            if (p.storage().kind() != StorageKind.HEAP) {
                throw new JanusException(rule.name() + ": parameter " + i + " is in " + p.storage() + "; an update plan takes heap storage");
            }
            this.state[i] = state.get(i).clone();
            if (this.state[i].length != ns) {
                throw new JanusException(rule.name() + ": parameter " + i + " has " + this.state[i].length + " state tensors, the rule keeps " + ns);
            }
            Value pv = spec.parameter("p" + i, p, false);
            gradAt[i] = spec.inputs().size();
            Value g = spec.input("p" + i + "/grad", p.type());
            for (int k = 0; k < ns; k++) {
                Tensor s = this.state[i][k];
                if (!s.type().equals(p.type()) || s.storage().kind() != StorageKind.HEAP) {
                    throw new JanusException(rule.name() + ": state " + rule.stateNames().get(k) + " of parameter " + i + " is " + s.type()
                            + " in " + s.storage().kind() + " storage; it must be a heap tensor of the parameter's type " + p.type());
                }
            }
            List<Value> sc = new ArrayList<>(scalarNames.size());
            for (int k = 0; k < scalarNames.size(); k++) {
                scalarAt[i][k] = spec.inputs().size();
                sc.add(spec.input("p" + i + "/" + scalarNames.get(k), new TensorType(p.dtype(), Shape.scalar())));
            }
            nextAt[i] = emit(spec, e, rule, "p" + i, pv, g, this.state[i], sc, updates);
        }
        // Elementwise fusion, buffer reuse and in place only: the update has nothing to fold, share
        // or drop, no pool or loss to rewrite, and those passes were half the time of building a
        // plan (which an optimizer made anew pays once).
        CompileOptions options = CompileOptions.none().fusion(true).bufferReuse(true).inPlace(true);
        plan = BufferPlanner.plan(new ElementwiseFusion().run(spec), updates, options);
        gradInput = new Tensor[n];
        nextParams = new ArrayList<>(n);
        for (int i = 0; i < n; i++) nextParams.add(plan.outputs().get(nextAt[i]));
        scalarInput = new Tensor[n][scalarNames.size()];
        for (int i = 0; i < n; i++) {
            gradInput[i] = plan.input(gradAt[i]);
            for (int k = 0; k < scalarNames.size(); k++) scalarInput[i][k] = plan.input(scalarAt[i][k]);
        }
    }

    /**
     * Emits {@code rule}'s update of parameter {@code p} (named {@code name}, gradient {@code g})
     * into {@code spec}, as a training step and an update plan both do: its state tensors bound as
     * parameters "{name}/{state}", the new value added as an output (its index is returned), then
     * each new state as an output that {@code updates} maps to its state parameter (updated in place).
     */
    static int emit(Graph spec, GraphEmitter e, Optimizer rule, String name, Value p, Value g, Tensor[] state, List<Value> scalars,
                    Map<Integer, Integer> updates) {
        List<String> names = rule.stateNames();
        List<Value> st = new ArrayList<>(names.size());
        int[] stateIndex = new int[names.size()];
        for (int k = 0; k < names.size(); k++) {
            st.add(spec.parameter(name + "/" + names.get(k), state[k], false));
            stateIndex[k] = spec.parameters().size() - 1;
        }
        e.label(rule.name() + " update of " + name);
        List<Value> next = rule.update(e, p, g, st, scalars);
        e.label(null);
        if (next.size() != 1 + names.size()) {
            throw new JanusException(rule.name() + ": update returned " + next.size() + " values, expected " + (1 + names.size()));
        }
        int at = spec.outputs().size();
        spec.addOutput(next.get(0));
        for (int k = 0; k < names.size(); k++) {
            updates.put(spec.outputs().size(), stateIndex[k]);
            spec.addOutput(next.get(1 + k));
        }
        return at;
    }

    /** Whether this plan updates exactly these tensors (same objects, same storage as when it was built). */
    public boolean boundTo(List<Tensor> params, List<Tensor[]> state) {
        if (params.size() != this.params.length) return false;
        for (int i = 0; i < this.params.length; i++) {
            if (params.get(i) != this.params[i] || params.get(i).storage() != storages[i] || state.get(i) == null || state.get(i).length != this.state[i].length) return false;
            for (int k = 0; k < this.state[i].length; k++) if (state.get(i)[k] != this.state[i][k]) return false;
        }
        return true;
    }

    /**
     * One update: copies the gradients in, feeds the rule's scalars for each parameter's step
     * number {@code t[i]} (1 on its first update), runs, leaves the new state in the state tensors
     * and returns the new value of each parameter (the plan's buffers, overwritten by the next run),
     * for the caller to write into the parameters. Gradients must have their parameter's type.
     */
    public List<Tensor> run(List<Tensor> grads, long[] t, ExecContext ctx) {
        for (int i = 0; i < params.length; i++) {
            Tensor g = grads.get(i);
            if (!g.type().equals(params[i].type())) {
                throw new JanusException(rule.name() + ": the gradient of parameter " + i + " is " + g.type() + ", the parameter is " + params[i].type());
            }
        }
        for (int i = 0; i < params.length; i++) {
            gradInput[i].copyFrom(grads.get(i));
            double[] s = rule.scalars(t[i]);
            for (int k = 0; k < s.length; k++) scalarInput[i][k].setDouble(0, s[k]);
        }
        plan.run(ctx);
        return nextParams;
    }
}
