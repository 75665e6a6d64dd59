package dev.janus.cuda;

import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a GPU (skipped elsewhere): every op of the set (the cases of the core's GradientTest) forward
 * and gradient on CUDA storage agree with the CPU kernels: float32 relative 1e-5 (reductions and the
 * ops built on them 1e-4); outputs stay on the device.
 */
class CudaOpsTest {
    private static final Device GPU = Device.cuda();
    private static final Set<String> REDUCING = Set.of("sum", "mean", "max", "min", "softmax", "log_softmax",
            "softmax_cross_entropy", "matmul", "linear", "mse", "conv", "conv_transpose", "conv_weight_grad",
            "batch_norm", "layer_norm", "lstm", "gru", "avg_pool");

    @BeforeEach
    void gpu() {
        GpuOnly.require();
    }

    private static Tensor[] toGpu(Tensor[] t) {
        Tensor[] r = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) r[i] = t[i] == null ? null : t[i].to(GPU);
        return r;
    }

    private static void assertNear(String what, Tensor cpu, Tensor gpu, double rtol) {
        assertEquals(cpu.type(), gpu.type(), what);
        assertEquals(GPU, gpu.device(), what + ": the result stays on the device");
        Close.assertClose(cpu, gpu.cpu(), rtol, rtol * 1e-2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.janus.core.ops.GradientTest#cases")
    void forwardAndGradientMatchTheCpu(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        double rtol = REDUCING.contains(op.name()) ? 1e-4 : 1e-5;
        Tensor[] x = inputs.get();
        Tensor[] y = op.run(new ExecContext(new Generator(1)), attrs, x);
        Tensor[] gx = toGpu(x);
        Tensor[] gy = op.run(new ExecContext(new Generator(1)), attrs, gx);
        boolean random = op.isRandom();
        if (!random) for (int i = 0; i < y.length; i++) assertNear(label + " output " + i, y[i], gy[i], rtol);

        List<Tensor> g = new ArrayList<>();
        Generator rng = new Generator(2);
        for (Tensor t : y) g.add(t.dtype().isFloating() ? Tensor.normal(0, 1, t.dtype(), rng, t.shape().dims()) : null);
        List<Tensor> gg = new ArrayList<>();
        for (Tensor t : g) gg.add(t == null ? null : t.to(GPU));
        boolean[] wanted = new boolean[x.length];
        for (int i = 0; i < x.length; i++) wanted[i] = x[i].dtype().isFloating();
        // Random ops: the gradient of the GPU's own outputs, checked against the CPU rule on them.
        List<Tensor> yForCpu = random ? Arrays.asList(cpu(gy)) : Arrays.asList(y);
        List<Tensor> cpuGrad = op.gradient(new Immediate(new ExecContext(new Generator(3))), attrs, Arrays.asList(random ? cpu(gx) : x), yForCpu, g, wanted);
        List<Tensor> gpuGrad = op.gradient(new Immediate(new ExecContext(new Generator(3))), attrs, Arrays.asList(gx), Arrays.asList(gy), gg, wanted);
        for (int i = 0; i < x.length; i++) {
            if (cpuGrad.get(i) == null) assertNull(gpuGrad.get(i));
            else assertNear(label + " gradient " + i, cpuGrad.get(i), gpuGrad.get(i), rtol);
        }
    }

    private static Tensor[] cpu(Tensor[] t) {
        Tensor[] r = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) r[i] = t[i].cpu();
        return r;
    }

    @Test
    void dropoutMasksDependOnlyOnTheSeed() {
        Tensor x = Tensor.ones(dev.janus.core.DType.FLOAT32, 1000).to(GPU);
        Attrs p = Attrs.of("p", 0.3);
        Tensor m1 = Ops.DROPOUT.run(new ExecContext(new Generator(7)), p, x)[1].cpu();
        Tensor m2 = Ops.DROPOUT.run(new ExecContext(new Generator(7)), p, x)[1].cpu();
        Tensor m3 = Ops.DROPOUT.run(new ExecContext(new Generator(8)), p, x)[1].cpu();
        assertArrayEquals(m1.toFloatArray(), m2.toFloatArray());
        assertTrue(!Arrays.equals(m1.toFloatArray(), m3.toFloatArray()));
        // Against the Philox reference on the host: the same key, the same mask.
        long key = new Generator(7).nextLong();
        float[] expected = PhiloxReference.mask(1000, 0.3f, (float) (1 / (1 - 0.3)), key);
        assertArrayEquals(expected, m1.toFloatArray());
    }

    @Test
    void aWarmStepAllocatesNothingFromTheDriver() {
        Tensor a = Tensor.normal(0, 1, dev.janus.core.DType.FLOAT32, new Generator(1), 256, 256).to(GPU);
        ExecContext ctx = new ExecContext(new Generator(1));
        for (int i = 0; i < 3; i++) Ops.RELU.run(ctx, Attrs.NONE, Ops.MATMUL.run(ctx, Attrs.NONE, a, a)[0]);
        System.gc();
        long before = Cuda.memoryStats(GPU).deviceMallocs();
        for (int i = 0; i < 20; i++) {
            Ops.RELU.run(ctx, Attrs.NONE, Ops.MATMUL.run(ctx, Attrs.NONE, a, a)[0]);
            if (i % 5 == 4) System.gc();
        }
        ctx.stream(GPU).synchronize();
        assertTrue(Cuda.memoryStats(GPU).deviceMallocs() - before <= 2, "cached blocks are reused: " + Cuda.memoryStats(GPU));
    }
}
