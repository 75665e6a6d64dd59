package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.SGD;
import dev.janus.core.optim.StepLR;
import dev.janus.eager.nn.F;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EagerOptimizerTest {
    /** PyTorch's result for a config of core's optimizer reference (core's test resources/optim/make_reference.py). */
    private static double[] pytorch(String config, String dtype) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                EagerOptimizerTest.class.getResourceAsStream("/optim/reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                if (f[0].equals(config) && f[1].equals(dtype)) return Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray();
            }
        }
        throw new AssertionError(config);
    }

    /** The reference's sequence, the PyTorch way: the loss sum(p * g_t) makes backward produce g_t. */
    private static Tensor train(Optimizer rule, DType dtype) {
        double[] p0 = new double[6];
        for (int i = 0; i < 6; i++) p0[i] = Math.cos(0.5 * i);
        Tensor p = Tensor.of(p0, 2, 3).to(dtype).requiresGrad(true);
        EagerOptimizer opt = new EagerOptimizer(rule, List.of(p));
        for (int t = 1; t <= 5; t++) {
            double[] g = new double[6];
            for (int i = 0; i < 6; i++) g[i] = Math.sin(1.3 * i + 0.7 * t) * (1 + 0.1 * t);
            opt.zeroGrad();
            p.mul(Tensor.of(g, 2, 3).to(dtype)).sum().backward();
            opt.step();
        }
        return p;
    }

    @Test
    void stepsMatchPyTorch() throws IOException {
        assertClose(pytorch("adam", "float64"), train(new Adam(0.01), DType.FLOAT64), 1e-13, 1e-13);
        assertClose(pytorch("adam", "float32"), train(new Adam(0.01), DType.FLOAT32), 2e-6, 2e-6);
        assertClose(pytorch("sgd_momentum", "float64"), train(new SGD(0.1, 0.9, 0.1, 0.01, false), DType.FLOAT64), 1e-13, 1e-13);
        // a state that does not start at zero (the accumulator at 0.2), through the fused update
        assertClose(pytorch("adagrad_decays", "float64"), train(new Adagrad(0.1, 0.05, 0.1, 0.2, 1e-6, false), DType.FLOAT64), 1e-13, 1e-13);
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Tensor a = Tensor.ones(2).requiresGrad(true), b = Tensor.ones(2).requiresGrad(true);
        EagerOptimizer opt = new EagerOptimizer(new SGD(0.5), List.of(a, b));
        a.mul(3).sum().backward();
        opt.step();
        assertArrayEquals(new float[] {-0.5f, -0.5f}, a.toFloatArray());
        assertArrayEquals(new float[] {1, 1}, b.toFloatArray());
        assertEquals(List.of("lr", "state.0.step"), List.copyOf(opt.stateDict().keySet()));
        opt.zeroGrad();
        assertNull(a.grad());
    }

    @Test
    void schedulesDriveTheRule() {
        Tensor a = Tensor.zeros(1).requiresGrad(true);
        EagerOptimizer opt = new EagerOptimizer(new SGD(1), List.of(a));
        StepLR schedule = new StepLR(opt.rule(), 1, 0.5);
        for (int epoch = 0; epoch < 3; epoch++) {
            opt.zeroGrad();
            a.sum().backward();
            opt.step();
            schedule.step();
        }
        assertArrayEquals(new float[] {-(1 + 0.5f + 0.25f)}, a.toFloatArray());
        assertEquals(0.125, opt.lr());
    }

    private static NNSequential model() {
        Generator.manualSeed(21);
        return new NNSequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
    }

    private static void epoch(NNSequential m, EagerOptimizer opt, int from) {
        for (int t = from; t < from + 3; t++) {
            Generator data = new Generator(100 + t);
            Tensor x = Tensor.randn(data, 4, 3);
            Tensor y = Tensor.of(new long[] {t % 2, 1, 0, (t + 1) % 2});
            opt.zeroGrad();
            F.crossEntropy(m.forward(x), y).backward();
            opt.step();
        }
    }

    /** Save mid-training, restore into fresh objects, continue: the same numbers as never stopping. */
    @Test
    void checkpointsResumeBitForBit(@TempDir Path dir) {
        NNSequential a = model();
        EagerOptimizer optA = new EagerOptimizer(new Adam(0.01), a.parameters());
        epoch(a, optA, 0);
        SafeTensors.save(dir.resolve("model.safetensors"), a.stateDict());
        SafeTensors.save(dir.resolve("optim.safetensors"), optA.stateDict());
        epoch(a, optA, 3);

        Generator.manualSeed(99);
        NNSequential b = new NNSequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
        EagerOptimizer optB = new EagerOptimizer(new Adam(0.5), b.parameters());
        b.loadStateDict(SafeTensors.load(dir.resolve("model.safetensors")));
        optB.loadStateDict(SafeTensors.load(dir.resolve("optim.safetensors")));
        assertEquals(0.01, optB.lr());
        epoch(b, optB, 3);
        for (Map.Entry<String, Tensor> p : a.namedParameters().entrySet()) {
            assertArrayEquals(p.getValue().toFloatArray(), b.namedParameters().get(p.getKey()).toFloatArray(), p.getKey());
        }
    }

    @Test
    void badStateIsRefusedWholesale() {
        NNSequential m = model();
        EagerOptimizer opt = new EagerOptimizer(new Adam(0.01), m.parameters());
        epoch(m, opt, 0);
        Map<String, Tensor> good = opt.stateDict();
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(good);
        bad.put("state.1.exp_avg", Tensor.zeros(4));
        bad.remove("state.2.exp_avg_sq");
        bad.put("state.9.step", Tensor.scalar(1, DType.INT64));
        bad.put("lr", Tensor.scalar(0.5, DType.FLOAT64));
        ShapeException e = assertThrows(ShapeException.class, () -> opt.loadStateDict(bad));
        assertEquals(String.join("\n",
                "Error(s) in loading the adam optimizer state:",
                "  state.1.exp_avg is float32[4], parameter 1 is float32[5]",
                "  state.2.exp_avg_sq is missing",
                "  unexpected key state.9.step (this adam has 4 parameters)"), e.getMessage());
        assertEquals(0.01, opt.lr(), "nothing changed");
        assertArrayEquals(good.get("state.1.exp_avg").f32(), opt.stateDict().get("state.1.exp_avg").f32());
    }

    @Test
    void parametersMustBeDistinctLeaves() {
        Tensor a = Tensor.ones(2).requiresGrad(true);
        assertThrows(JanusException.class, () -> new EagerOptimizer(new SGD(0.1), List.of(a, a)));
        assertThrows(JanusException.class, () -> new EagerOptimizer(new SGD(0.1), List.of(a.mul(2))));
        JanusException e = assertThrows(JanusException.class, () -> new EagerOptimizer(new SGD(0.1), List.of(Tensor.ones(2))));
        assertTrue(e.getMessage().contains("must be a leaf tensor that requires grad"), e.getMessage());
    }
}
