package dev.janus.core.testing;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Checks an op's gradient rule against central finite differences in float64. With random
 * upstream gradients g_k for each float output y_k, L = sum_k <g_k, y_k>; the rule's input
 * gradients must equal dL/dx estimated as (L(x + h) - L(x - h)) / 2h for every element.
 */
public final class GradCheck {
    private static final double H = 1e-6, RTOL = 1e-6, ATOL = 1e-7;
    private static final long SEED = 1234;

    private GradCheck() {
    }

    public static void check(Op op, Attrs attrs, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() == DType.FLOAT32) throw new IllegalArgumentException("gradient checks run in float64");
        }
        Tensor[] outs = run(op, attrs, inputs);
        Generator g = new Generator(99);
        List<Tensor> upstream = new ArrayList<>();
        for (Tensor y : outs) {
            upstream.add(y.dtype().isFloating() ? Tensor.normal(0, 1, DType.FLOAT64, g, y.shape().dims()) : null);
        }
        boolean[] wanted = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) wanted[i] = inputs[i].dtype().isFloating();

        Immediate e = new Immediate(new ExecContext(new Generator(SEED)));
        List<Tensor> analytic = op.gradient(e, attrs, Arrays.asList(inputs), Arrays.asList(outs), upstream, wanted);
        assertEquals(inputs.length, analytic.size(), op.name() + ": one gradient per input");

        for (int i = 0; i < inputs.length; i++) {
            if (!wanted[i]) continue;
            Tensor grad = analytic.get(i);
            assertNotNull(grad, op.name() + ": gradient of input " + i + " is missing");
            assertEquals(inputs[i].shape(), grad.shape(), op.name() + ": shape of the gradient of input " + i);
            double[] x = inputs[i].f64();
            for (int j = 0; j < x.length; j++) {
                double keep = x[j];
                x[j] = keep + H;
                double plus = loss(op, attrs, inputs, upstream);
                x[j] = keep - H;
                double minus = loss(op, attrs, inputs, upstream);
                x[j] = keep;
                double numeric = (plus - minus) / (2 * H);
                Close.check(numeric, grad.readDouble(j), RTOL, ATOL,
                        op.name() + " " + attrs + ": d/d input " + i + " element " + j);
            }
        }
    }

    private static Tensor[] run(Op op, Attrs attrs, Tensor[] inputs) {
        return op.run(new ExecContext(new Generator(SEED)), attrs, inputs);
    }

    private static double loss(Op op, Attrs attrs, Tensor[] inputs, List<Tensor> upstream) {
        Tensor[] outs = run(op, attrs, inputs);
        double l = 0;
        for (int k = 0; k < outs.length; k++) {
            if (upstream.get(k) == null) continue;
            for (int j = 0; j < outs[k].numel(); j++) l += outs[k].readDouble(j) * upstream.get(k).readDouble(j);
        }
        return l;
    }

    /** Random float64 values in [lo, hi), reproducible. */
    public static Tensor random(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(lo, hi, DType.FLOAT64, new Generator(seed), shape);
    }

    /** Random float64 values in [lo, hi) with magnitude at least {@code gap}, away from kinks at 0. */
    public static Tensor awayFromZero(long seed, double lo, double hi, double gap, int... shape) {
        Tensor t = random(seed, lo, hi, shape);
        double[] a = t.f64();
        for (int i = 0; i < a.length; i++) if (Math.abs(a[i]) < gap) a[i] = a[i] < 0 ? -gap - a[i] : gap + a[i];
        return t;
    }
}
