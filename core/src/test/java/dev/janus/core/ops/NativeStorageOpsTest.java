package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.backend.StoragePolicy;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op of the set (the cases of {@link GradientTest}) on ND4J native storage: its outputs and
 * its input gradients equal those on heap storage bit for bit, and stay in native storage; mixing
 * heap and native operands gives the same numbers too.
 */
class NativeStorageOpsTest {
    private static Tensor[] toNative(Tensor[] t) {
        Tensor[] r = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) r[i] = t[i] == null ? null : t[i].to(StorageKind.NATIVE);
        return r;
    }

    private static List<Tensor> toNative(List<Tensor> t) {
        List<Tensor> r = new ArrayList<>();
        for (Tensor x : t) r.add(x == null ? null : x.to(StorageKind.NATIVE));
        return r;
    }

    private static void assertSame(Tensor heap, Tensor nat) {
        assertEquals(heap.type(), nat.type());
        assertEquals(StorageKind.NATIVE, nat.storage().kind());
        Close.assertClose(heap, nat, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.janus.core.ops.GradientTest#cases")
    void forwardAndGradientMatchTheHeap(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        Tensor[] x = inputs.get();
        Tensor[] y = op.run(new ExecContext(new Generator(1)), attrs, x);
        Tensor[] nx = toNative(x);
        Tensor[] ny = op.run(new ExecContext(new Generator(1)), attrs, nx);
        assertEquals(y.length, ny.length);
        for (int i = 0; i < y.length; i++) assertSame(y[i], ny[i]);

        List<Tensor> g = new ArrayList<>();
        Generator rng = new Generator(2);
        for (Tensor t : y) g.add(t.dtype().isFloating() ? Tensor.normal(0, 1, t.dtype(), rng, t.shape().dims()) : null);
        boolean[] wanted = new boolean[x.length];
        for (int i = 0; i < x.length; i++) wanted[i] = x[i].dtype().isFloating();
        List<Tensor> heapGrad = op.gradient(new Immediate(new ExecContext(new Generator(3))), attrs, Arrays.asList(x), Arrays.asList(y), g, wanted);
        List<Tensor> nativeGrad = op.gradient(new Immediate(new ExecContext(new Generator(3))), attrs, Arrays.asList(nx), Arrays.asList(ny),
                toNative(g), wanted);
        for (int i = 0; i < x.length; i++) {
            if (heapGrad.get(i) == null) assertNull(nativeGrad.get(i));
            else Close.assertClose(heapGrad.get(i), nativeGrad.get(i), 0, 0);
        }
    }

    @Test
    void opsWithoutGradientsToo() {
        Immediate heap = Immediate.global();
        Tensor a = Tensor.of(new float[] {1, 5, 3, 2}, 2, 2), b = Tensor.of(new float[] {1, 4, 3, 9}, 2, 2);
        Tensor na = a.to(StorageKind.NATIVE), nb = b.to(StorageKind.NATIVE);
        ExecContext ctx = ExecContext.global();
        assertSame(Ops.GREATER.run(ctx, Attrs.NONE, a, b)[0], Ops.GREATER.run(ctx, Attrs.NONE, na, nb)[0]);
        assertSame(Ops.EQUAL.run(ctx, Attrs.NONE, a, b)[0], Ops.EQUAL.run(ctx, Attrs.NONE, na, nb)[0]);
        Attrs axis = Attrs.of("axis", 1);
        assertSame(Ops.ARGMAX.run(ctx, axis, a)[0], Ops.ARGMAX.run(ctx, axis, na)[0]);
        Tensor labels = Tensor.of(new long[] {2, 0});
        Attrs depth = Attrs.of("depth", 3);
        assertSame(Ops.ONE_HOT.run(ctx, depth, labels)[0], Ops.ONE_HOT.run(ctx, depth, labels.to(StorageKind.NATIVE))[0]);
        assertTrue(heap.add(a, b).storage().kind() == StorageKind.HEAP);
    }

    @Test
    void heapAndNativeOperandsMix() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}), b = Tensor.of(new float[] {10, 20, 30});
        Tensor y = Ops.ADD.run(ExecContext.global(), Attrs.NONE, a, b.to(StorageKind.NATIVE))[0];
        assertSame(Ops.ADD.run(ExecContext.global(), Attrs.NONE, a, b)[0], y);
        // In place into a native output, as the eager engine accumulates gradients.
        Tensor acc = a.to(StorageKind.NATIVE);
        Ops.ADD.execute(new Tensor[] {acc, b}, Attrs.NONE, new Tensor[] {acc}, ExecContext.global());
        Close.assertClose(new double[] {11, 22, 33}, acc, 0, 0);
        assertEquals(DType.FLOAT32, acc.dtype());
        assertFalse(Kernels.hostFallbacks().contains("add on native"), "the op set has native kernels");
    }

    @Test
    void aSizePolicyPutsLargeEagerOutputsOfHeapInputsInNativeMemory() {
        ExecContext bySize = new ExecContext(Device.CPU, StoragePolicy.bySize(1000), new Generator(1));
        Tensor small = Tensor.randn(new Generator(2), 10, 10), a = Tensor.randn(new Generator(3), 40, 30), b = Tensor.randn(new Generator(4), 30, 40);
        assertEquals(StorageKind.HEAP, Ops.RELU.run(bySize, Attrs.NONE, small)[0].storage().kind(), "100 elements stay on the heap");
        Tensor product = Ops.MATMUL.run(bySize, Attrs.NONE, a, b)[0];
        assertSame(Ops.MATMUL.run(ExecContext.global(), Attrs.NONE, a, b)[0], product);
        Tensor sum = Ops.ADD.run(bySize, Attrs.NONE, product, product)[0];
        Tensor heapProduct = product.to(StorageKind.HEAP);
        assertSame(Ops.ADD.run(ExecContext.global(), Attrs.NONE, heapProduct, heapProduct)[0], sum);
        assertEquals(StorageKind.NATIVE, Ops.SUM.run(bySize, Attrs.of("axes", new int[] {0}), sum)[0].storage().kind(),
                "outputs of native inputs stay native whatever their size; only heap inputs follow the policy");
    }

    /** exp and softmax on large native tensors are ND4J's ops: within float rounding of the heap's kernels. */
    @Test
    void largeExpAndSoftmaxRunOnNd4jWithinRoundingOfTheHeap() {
        assertTrue(Kernels.find(Ops.EXP, StorageKind.NATIVE).toString().contains("ND4J"));
        assertTrue(Kernels.find(Ops.SOFTMAX, StorageKind.NATIVE).toString().contains("ND4J"));
        ExecContext ctx = ExecContext.global();
        Attrs last = Attrs.of("axis", -1), first = Attrs.of("axis", 0);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.normal(0, 3, dtype, new Generator(5), 256, 128);
            Tensor nx = x.to(StorageKind.NATIVE);
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            for (Attrs attrs : new Attrs[] {last, first}) {
                Tensor y = Ops.SOFTMAX.run(ctx, attrs, nx)[0];
                assertEquals(StorageKind.NATIVE, y.storage().kind());
                Close.assertClose(Ops.SOFTMAX.run(ctx, attrs, x)[0], y, rtol, 0);
            }
            Tensor e = Ops.EXP.run(ctx, Attrs.NONE, nx)[0];
            Close.assertClose(Ops.EXP.run(ctx, Attrs.NONE, x)[0], e, rtol, 0);
            // In place, as a compiled plan may run it.
            Ops.EXP.execute(new Tensor[] {nx}, Attrs.NONE, new Tensor[] {nx}, ctx);
            Close.assertClose(e, nx, 0, 0);
        }
    }

    /** An op outside the set: it runs on native storage through the logged host fallback. */
    private static final class Twice extends Op {
        Twice() {
            super("twice_for_test", 1, 1);
        }

        @Override
        protected dev.janus.core.TensorType[] inferTypes(dev.janus.core.TensorType[] in, Attrs attrs) {
            return new dev.janus.core.TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            float[] x = in[0].f32(), y = out[0].f32();
            for (int i = 0; i < x.length; i++) y[i] = 2 * x[i];
        }
    }

    @Test
    void anOpWithoutANativeKernelFallsBackToTheHostAndSaysSo() {
        Tensor y = new Twice().run(ExecContext.global(), Attrs.NONE, Tensor.of(new float[] {1, 2}).to(StorageKind.NATIVE))[0];
        assertEquals(StorageKind.NATIVE, y.storage().kind());
        Close.assertClose(new double[] {2, 4}, y, 0, 0);
        assertTrue(Kernels.hostFallbacks().contains("twice_for_test on native"), "the host fallback is recorded (and logged once)");
    }
}
