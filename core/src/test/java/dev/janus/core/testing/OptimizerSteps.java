package dev.janus.core.testing;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;

/**
 * An update rule stepped as the eager engine steps it (host scalars, then the emitted update) on the
 * sequence the optimizer reference scripts use: p0[i] = cos(0.5 i), g_t[i] = sin(1.3 i + 0.7 t) (1 + 0.1 t),
 * a [2, 3] parameter.
 */
public final class OptimizerSteps {
    private OptimizerSteps() {
    }

    /** The parameter after each of steps 1..{@code steps}. */
    public static List<Tensor> run(Optimizer opt, DType dt, int steps) {
        Immediate e = Immediate.global();
        double[] p0 = new double[6];
        for (int i = 0; i < 6; i++) p0[i] = Math.cos(0.5 * i);
        Tensor p = e.cast(Tensor.of(p0, 2, 3), dt);
        List<Tensor> state = new ArrayList<>();
        for (int k = 0; k < opt.stateNames().size(); k++) state.add(Tensor.full(opt.initialState(k), dt, 2, 3));
        List<Tensor> out = new ArrayList<>();
        for (int t = 1; t <= steps; t++) {
            double[] g = new double[6];
            for (int i = 0; i < 6; i++) g[i] = Math.sin(1.3 * i + 0.7 * t) * (1 + 0.1 * t);
            List<Tensor> scalars = new ArrayList<>();
            for (double s : opt.scalars(t)) scalars.add(Tensor.scalar(s, dt));
            List<Tensor> next = opt.update(e, p, e.cast(Tensor.of(g, 2, 3), dt), state, scalars);
            if (next.size() != 1 + opt.stateNames().size()) {
                throw new AssertionError(opt.name() + ": update gave " + next.size() + " tensors for " + opt.stateNames().size() + " states");
            }
            p = next.get(0);
            state = new ArrayList<>(next.subList(1, next.size()));
            out.add(p);
        }
        return out;
    }
}
