package dev.janus.eager;

import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.eager.nn.F;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradTest {
    private static Tensor leaf(double... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    private static double[] grad(Tensor t) {
        return t.grad().toDoubleArray();
    }

    @Test
    void gradientsOfASmallExpressionByHand() {
        // f = sum(x * y + x^2 / y): df/dx = y + 2x / y, df/dy = x - x^2 / y^2
        Tensor x = leaf(1, 2, 3), y = leaf(4, 5, 6);
        x.mul(y).add(x.pow(2).div(y)).sum().backward();
        assertArrayEquals(new double[] {4 + 2.0 / 4, 5 + 4.0 / 5, 6 + 6.0 / 6}, grad(x), 1e-12);
        assertArrayEquals(new double[] {1 - 1.0 / 16, 2 - 4.0 / 25, 3 - 9.0 / 36}, grad(y), 1e-12);
    }

    @Test
    void aValueUsedTwiceGetsBothContributions() {
        // h = x * x is used twice: f = sum(h + h * 3) = 4 sum(x^2), df/dx = 8x
        Tensor x = leaf(0.5, -1);
        Tensor h = x.mul(x);
        h.add(h.mul(3)).sum().backward();
        assertArrayEquals(new double[] {4, -8}, grad(x), 1e-12);
    }

    @Test
    void leavesAndNonLeavesBehaveAsInPyTorch() {
        Tensor x = leaf(1, 2);
        Tensor plain = Tensor.of(new double[] {3, 4});
        Tensor h = x.mul(plain);
        Tensor kept = x.add(1).retainGrad();
        assertTrue(x.isLeaf());
        assertTrue(plain.isLeaf());
        assertFalse(h.isLeaf());
        assertTrue(h.requiresGrad());
        assertEquals("MulBackward", h.gradFn());
        assertNull(x.gradFn());
        h.add(kept).sum().backward();
        assertNull(h.grad(), "a non-leaf keeps no gradient");
        assertArrayEquals(new double[] {1, 1}, grad(kept), "unless it asked to");
        assertNull(plain.grad(), "a leaf that does not require grad gets none");
        assertArrayEquals(new double[] {4, 5}, grad(x));
        assertEquals("requiresGrad: only leaf tensors can change it; this one was made by MulBackward (use detach() for a leaf copy)",
                assertThrows(JanusException.class, () -> h.requiresGrad(false)).getMessage());
        assertThrows(JanusException.class, () -> Tensor.of(new long[] {1}).requiresGrad(true));
    }

    @Test
    void gradientsAccumulateUntilCleared() {
        Tensor x = leaf(2);
        x.mul(3).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {3 + 4}, grad(x));
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(5).sum().backward();
        assertArrayEquals(new double[] {5}, grad(x));
    }

    @Test
    void detachAndNoGradRecordNothing() {
        Tensor x = leaf(1, 2);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.mul(2).gradFn());
        try (Grad.Scope outer = Grad.noGrad()) {
            assertFalse(Grad.isEnabled());
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            assertArrayEquals(new double[] {2, 4}, y.toDoubleArray(), "values are still computed");
            try (Grad.Scope inner = Grad.enabled(true)) {
                assertEquals("MulBackward", x.mul(2).gradFn());
            }
            assertFalse(Grad.isEnabled(), "the inner scope restores the outer mode");
        }
        assertTrue(Grad.isEnabled());
    }

    @Test
    void aSecondBackwardThroughAFreedGraphIsAClearError() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        JanusException e = assertThrows(JanusException.class, loss::backward);
        assertTrue(e.getMessage().startsWith("backward: trying to go back through the graph a second time"), e.getMessage());
        assertArrayEquals(new double[] {2, 4}, grad(x), "the failed backward changed no gradient");

        Tensor y = leaf(3);
        Tensor kept = y.mul(y).sum();
        kept.backward(null, true);
        kept.backward(null, false);
        assertArrayEquals(new double[] {12}, grad(y), "a retained graph runs twice");
    }

    @Test
    void backwardNeedsAScalarOrAnUpstreamGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x);
        assertEquals("backward: a gradient can only be implied for a scalar, this tensor has shape [3]; pass one with backward(gradient)",
                assertThrows(ShapeException.class, y::backward).getMessage());
        assertThrows(ShapeException.class, () -> y.backward(Tensor.of(new double[] {1, 1})));
        y.backward(Tensor.of(new double[] {1, 0, -1}));
        assertArrayEquals(new double[] {2, 0, -6}, grad(x));
        Tensor c = Tensor.of(new double[] {1});
        assertThrows(JanusException.class, () -> c.mul(2).sum().backward());
    }

    @Test
    void valuesChangedInPlaceAfterTheForwardAreRefused() {
        Tensor w = leaf(1, 2);
        Tensor loss = w.mul(w).sum();
        w.copyFrom(Tensor.of(new double[] {5, 5}));
        JanusException e = assertThrows(JanusException.class, loss::backward);
        assertTrue(e.getMessage().contains("was changed in place after the forward used it"), e.getMessage());
        assertNull(w.grad());
    }

    /** Java control flow builds the graph as it runs: a loop, a branch and recursion. */
    @Test
    void ordinaryControlFlowJustWorks() {
        Tensor x = leaf(1.5);
        Tensor y = Tensor.scalar(1, DType.FLOAT64);
        for (int i = 0; i < 4; i++) y = y.mul(x);          // x^4
        if (y.item() > 1) y = y.add(power(x, 3));          // + x^3, by recursion
        y.sum().backward();
        assertArrayEquals(new double[] {4 * Math.pow(1.5, 3) + 3 * 1.5 * 1.5}, grad(x), 1e-12);
    }

    private static Tensor power(Tensor x, int n) {
        return n == 1 ? x : x.mul(power(x, n - 1));
    }

    @Test
    void tensorsPrintWithValuesAnywhere() {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        assertEquals("tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)", w.toString());
        Tensor h = F.relu(w.sub(2.5));
        assertEquals("tensor([[0.0000, 0.0000],\n        [0.5000, 1.5000]], grad_fn=<ReluBackward>)", h.toString());
        assertEquals("tensor([1., 2.])", Tensor.of(new float[] {1, 2}).toString());
    }

    @Test
    void dropoutRoutesTheGradientThroughItsMaskAndRepeatsWithASeed() {
        Generator.manualSeed(5);
        Tensor x = Tensor.ones(200).requiresGrad(true);
        Tensor y = F.dropout(x, 0.25, true);
        y.sum().backward();
        assertArrayEquals(y.toFloatArray(), x.grad().toFloatArray(), "d sum(x mask) / dx = mask");
        int kept = 0;
        for (float v : y.toFloatArray()) {
            assertTrue(v == 0 || Math.abs(v - 1 / 0.75f) < 1e-6);
            if (v != 0) kept++;
        }
        assertTrue(kept > 120 && kept < 180, "about 3/4 kept: " + kept);
        Generator.manualSeed(5);
        assertArrayEquals(y.toFloatArray(), F.dropout(Tensor.ones(200), 0.25, true).toFloatArray(), "the same seed, the same mask");
        assertNotEquals(y.toString(), F.dropout(Tensor.ones(200), 0.25, true).toString());
    }

    @Test
    void backwardFreesTheIntermediates() {
        Tensor x = leaf(1, 2, 3);
        Tensor h = x.exp();
        WeakReference<Tensor> saved = new WeakReference<>(h);
        Tensor loss = h.mul(h).sum();
        h = null;
        loss.backward();
        for (int i = 0; i < 20 && saved.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(saved.get(), "the exp output saved for backward is released, though the loss is still held");
        assertEquals(1, loss.numel());
    }

    @Test
    void anyCoreOpCanBeApplied() {
        Tensor x = leaf(1, 2, 3, 4);
        Tensor[] parts = Tensor.applyAll(Ops.DROPOUT, Attrs.of("p", 0.0), x);
        assertEquals(2, parts.length);
        Tensor s = Tensor.apply(Ops.SLICE, Attrs.of("starts", new int[] {1}, "ends", new int[] {3}), x);
        s.sum().backward();
        assertArrayEquals(new double[] {0, 1, 1, 0}, grad(x));
    }
}
