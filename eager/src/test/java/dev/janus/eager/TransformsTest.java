package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.eager.nn.Linear;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.janus.eager.Transforms.grad;
import static dev.janus.eager.Transforms.jit;
import static dev.janus.eager.Transforms.valueAndGrad;
import static dev.janus.eager.Transforms.vmap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** torch.func-style transforms, each against a hand computation or a plain loop. */
class TransformsTest {
    /** f(x) = sum(tanh(x) * x^2) + 3 x0: df/dx_i = (1 - tanh^2) x^2 + 2 x tanh (+ 3 at i = 0). */
    private static final Function<Tensor, Tensor> F = x -> x.tanh().mul(x.mul(x)).sum().add(x.index(0).mul(3));

    private static double df(double x, int i) {
        double t = Math.tanh(x);
        return (1 - t * t) * x * x + 2 * x * t + (i == 0 ? 3 : 0);
    }

    @Test
    void gradIsTheDerivativeAndValueAndGradAlsoTheValue() {
        Tensor x = Tensor.of(new double[] {0.5, -1.25, 2});
        Tensor g = grad(F).apply(x);
        for (int i = 0; i < 3; i++) assertEquals(df(x.getDouble(i), i), g.getDouble(i), 1e-12);
        Transforms.ValueAndGrad vg = valueAndGrad(F).apply(x);
        assertEquals(F.apply(x).item(), vg.value().item(), 0);
        assertArrayEquals(g.toDoubleArray(), vg.grad().toDoubleArray(), 0);
        assertEquals(3.0, grad(t -> t.sum().mul(0).add(3)).apply(x).sum().item() + 3, 1e-12, "a constant has zero gradient");
    }

    @Test
    void vmapOfGradEqualsALoopOverTheRows() {
        Tensor batch = Tensor.randn(new Generator(4), 5, 3).copy();
        Tensor perRow = vmap(grad(F)).apply(batch);
        assertEquals(batch.shape(), perRow.shape());
        for (int r = 0; r < 5; r++) {
            Tensor expected = grad(F).apply(batch.index(r));
            for (int i = 0; i < 3; i++) {
                assertEquals(expected.getDouble(i), perRow.getDouble(r, i), 0, "row " + r);
                assertEquals(df(batch.getDouble(r, i), i), perRow.getDouble(r, i), 1e-5);
            }
        }
        Tensor sums = vmap(t -> t.sum()).apply(batch);
        assertEquals(java.util.List.of(5), java.util.List.of(sums.size(0)));
        assertEquals(batch.index(2).sum().item(), sums.getDouble(2), 1e-6);
    }

    @Test
    void gradLeavesParametersAloneAndRefusesSecondOrder() {
        Generator.manualSeed(2);
        Linear fc = new Linear(3, 1);
        Tensor g = grad(x -> fc.forward(x.reshape(1, 3)).sum()).apply(Tensor.of(new float[] {1, 2, 3}));
        assertArrayEquals(fc.weight.toFloatArray(), g.toFloatArray(), 1e-7f, "d(w.x + b)/dx = w");
        assertNull(fc.weight.grad(), "the parameters' grads are untouched");
        JanusException e = assertThrows(JanusException.class, () -> grad(grad(F).andThen(t -> t.sum())).apply(Tensor.of(new double[] {1, 2})));
        assertEquals("grad: a grad inside a grad's function; grad is first order only", e.getMessage());
    }

    @Test
    void jitGivesTheEagerNumbersAndCompilesOncePerShape() {
        Function<Tensor, Tensor> f = x -> x.tanh().mul(2).add(x.sigmoid()).sum(1, false);
        Function<Tensor, Tensor> fast = jit(f);
        for (int n : new int[] {4, 4, 9}) {
            Tensor x = Tensor.randn(new Generator(n), n, 6);
            assertArrayEquals(f.apply(x).toFloatArray(), fast.apply(x).toFloatArray(), 1e-6f);
        }
        Tensor leaf = Tensor.ones(2, 6).requiresGrad(true);
        fast.apply(leaf).sum().backward();
        assertEquals(12, leaf.grad().numel(), "with grad needed it runs eagerly, so backward reaches the input");
    }
}
