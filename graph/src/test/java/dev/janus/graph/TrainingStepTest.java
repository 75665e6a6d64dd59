package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.SGD;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingStepTest {
    /** x[r, c] = cos(0.9 r + 1.3 c), labels r % 3, as make_mlp_adam.py builds them. */
    private static Tensor[] referenceBatch(DType dt) {
        Tensor x = Tensor.empty(dt, Shape.of(6, 4));
        long[] y = new long[6];
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 4; c++) x.setDouble(r * 4 + c, Math.cos(0.9 * r + 1.3 * c));
            y[r] = r % 3;
        }
        return new Tensor[] {x, Tensor.of(y)};
    }

    private static Map<String, double[]> reference(DType dt) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                TrainingStepTest.class.getResourceAsStream("/reference/mlp_adam.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                if (f[0].equals(dt.toString())) m.put(f[1], Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray());
            }
        }
        return m;
    }

    @Test
    void adamStepsMatchPyTorch() throws IOException {
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Map<String, double[]> ref = reference(dt);
            Graph model = Models.mlp(dt, 0);
            TrainingStep step = new TrainingStep(model, new Adam(0.01), CompileOptions.defaults());
            Tensor[] batch = referenceBatch(dt);
            double tol = dt == DType.FLOAT64 ? 1e-12 : 2e-6;
            ExecContext ctx = new ExecContext(new Generator(0));
            double[] losses = new double[10];
            for (int t = 0; t < 10; t++) losses[t] = step.run(ctx, batch).get(0).item();
            for (int t = 0; t < 10; t++) Close.check(ref.get("losses")[t], losses[t], tol, tol, dt + " loss at step " + (t + 1));
            for (Value p : model.parameters()) Close.assertClose(ref.get(p.name()), model.parameterValue(p), tol, tol);
            assertEquals(10, step.iterations());
        }
    }

    private static List<double[]> train(CompileOptions options, Optimizer opt, int steps) {
        Graph model = Models.mlp(DType.FLOAT32, 0.3);
        TrainingStep step = new TrainingStep(model, opt, options);
        ExecContext ctx = new ExecContext(new Generator(42));
        List<double[]> out = new ArrayList<>();
        double[] losses = new double[steps];
        for (int t = 0; t < steps; t++) {
            int rows = t % 4 == 3 ? 5 : 16;
            losses[t] = step.run(ctx, Models.features(DType.FLOAT32, t, rows), Models.labels(100 + t, rows)).get(0).item();
        }
        out.add(losses);
        for (Value p : model.parameters()) out.add(model.parameterValue(p).toDoubleArray());
        step.state().values().forEach(s -> out.add(s.toDoubleArray()));
        return out;
    }

    @Test
    void everyPassLeavesTheResultsBitForBitUnchanged() {
        List<CompileOptions> variants = List.of(CompileOptions.defaults(), CompileOptions.defaults().constantFolding(false), CompileOptions.defaults().transposes(false),
                CompileOptions.defaults().cse(false), CompileOptions.defaults().dce(false), CompileOptions.defaults().fusion(false),
                CompileOptions.defaults().bufferReuse(false), CompileOptions.defaults().inPlace(false));
        for (Optimizer opt : new Optimizer[] {new Adam(0.01), new SGD(0.1, 0.9)}) {
            List<double[]> plain = train(CompileOptions.none(), opt, 12);
            for (CompileOptions o : variants) {
                List<double[]> got = train(o, opt, 12);
                assertEquals(plain.size(), got.size());
                for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), got.get(i), 0.0, opt.name() + " tensor " + i);
            }
        }
    }

    @Test
    void aNewLearningRateNeedsNoRecompiling() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        Adam adam = new Adam(0.01);
        TrainingStep step = new TrainingStep(model, adam, CompileOptions.defaults());
        Tensor x = Models.features(DType.FLOAT32, 1, 8), y = Models.labels(2, 8);
        ExecContext ctx = new ExecContext(new Generator(0));
        step.run(ctx, x, y);
        Tensor kernel = model.parameterValue(model.parameters().get(0));
        float[] before = kernel.f32().clone();
        adam.setLr(0);
        step.run(ctx, x, y);
        assertArrayEquals(before, kernel.f32(), 0f, "lr 0 leaves the weights as they are");
        adam.setLr(0.01);
        step.run(ctx, x, y);
        assertTrue(Math.abs(before[0] - kernel.f32()[0]) > 0);
        assertEquals(1, step.planCount());
        step.run(ctx, Models.features(DType.FLOAT32, 1, 3), Models.labels(2, 3));
        assertEquals(2, step.planCount(), "a smaller last batch gets its own plan");
        assertEquals(4, step.iterations());
    }

    @Test
    void optimizerStateIsNamedAfterTheParameters() {
        TrainingStep step = new TrainingStep(Models.mlp(DType.FLOAT32, 0), new Adam(0.01), CompileOptions.defaults());
        assertEquals(List.of("dense/kernel/exp_avg", "dense/kernel/exp_avg_sq", "dense/bias/exp_avg", "dense/bias/exp_avg_sq",
                "dense_1/kernel/exp_avg", "dense_1/kernel/exp_avg_sq", "dense_1/bias/exp_avg", "dense_1/bias/exp_avg_sq"),
                new ArrayList<>(step.state().keySet()));
        assertEquals(Shape.of(4, 8), step.state().get("dense/kernel/exp_avg").shape());
    }

    @Test
    void theLossMustBeAScalar() {
        Builder b = new Builder("vector_loss");
        Value x = b.placeholder("x", DType.FLOAT32, 2);
        Graph g = b.build(b.ops().mul(x, b.variable("w", Tensor.ones(2))));
        JanusException e = assertThrows(JanusException.class, () -> new TrainingStep(g, new SGD(0.1), CompileOptions.defaults()));
        assertEquals("graph vector_loss: the loss must be a floating-point scalar, got float32[?, 2]", e.getMessage());
    }

    @Test
    void aStepAllocatesAlmostNothingAfterWarmUp() {
        Graph model = Models.mlp(DType.FLOAT32, 0.3);
        TrainingStep step = new TrainingStep(model, new Adam(0.001), CompileOptions.defaults());
        Tensor x = Models.features(DType.FLOAT32, 1, 16), y = Models.labels(2, 16);
        Plan plan = step.plan(List.of(x.shape(), y.shape()));
        plan.input(0).copyFrom(x);
        plan.input(1).copyFrom(y);
        ExecContext ctx = new ExecContext(new Generator(0));
        for (int i = 0; i < 2000; i++) step.run(plan, ctx);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int steps = 1000;
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < steps; i++) step.run(plan, ctx);
        long perStep = (threads.getThreadAllocatedBytes(id) - before) / steps;
        // What remains: the optimizer's scalar array (40 B) and the attribute arrays core's reductions parse.
        assertTrue(perStep <= 512, perStep + " bytes per step");
    }
}
