package dev.janus.eager;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Adamax;
import dev.janus.core.optim.AdamW;
import dev.janus.core.optim.NAdam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.ReLU;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EagerOptimizer runs its rule as one compiled plan (dev.janus.graph.UpdatePlan) instead of op by
 * op. Checked here against the rule run op by op through {@link Immediate} by the test itself, the
 * path every step took before: losses and parameters equal bit for bit over many steps, for every
 * rule; nothing a user holds (a gradient, logits, an old loss) is written by a step; backward after
 * a step still refuses a graph whose parameters the step changed; the plan follows state loaded
 * from a file and a parameter whose gradient comes and goes.
 */
class CompiledUpdateTest {
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("sgd", (Supplier<Optimizer>) () -> new SGD(0.05)),
                Arguments.of("sgd momentum, dampening, weight decay", (Supplier<Optimizer>) () -> new SGD(0.05, 0.9, 0.1, 0.01, false)),
                Arguments.of("sgd nesterov", (Supplier<Optimizer>) () -> new SGD(0.05, 0.9, 0, 0, true)),
                Arguments.of("adam", (Supplier<Optimizer>) () -> new Adam(0.01)),
                Arguments.of("adam weight decay", (Supplier<Optimizer>) () -> new Adam(0.01, 0.8, 0.9, 1e-6, 0.05)),
                Arguments.of("adamw", (Supplier<Optimizer>) () -> new AdamW(0.01)),
                Arguments.of("rmsprop", (Supplier<Optimizer>) () -> new RMSprop(0.01)),
                Arguments.of("rmsprop centered, momentum, weight decay", (Supplier<Optimizer>) () -> new RMSprop(0.01, 0.9, 1e-8, 0.01, 0.5, true)),
                Arguments.of("adagrad", (Supplier<Optimizer>) () -> new Adagrad(0.05)),
                Arguments.of("adagrad initial accumulator, decay, eps inside", (Supplier<Optimizer>) () -> new Adagrad(0.05, 0.01, 0.01, 0.1, 1e-10, true)),
                Arguments.of("adamax", (Supplier<Optimizer>) () -> new Adamax(0.01)),
                Arguments.of("nadam", (Supplier<Optimizer>) () -> new NAdam(0.01)));
    }

    private static NNSequential model() {
        Generator.manualSeed(5);
        return new NNSequential(new Linear(4, 16), new ReLU(), new NNDropout(0.3), new Linear(16, 8), new ReLU(), new Linear(8, 3));
    }

    private static Tensor x(int step, int batch) {
        return Tensor.randn(new Generator(1000 + step), batch, 4);
    }

    private static Tensor y(int step, int batch) {
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i * 7 + step) % 3;
        return Tensor.of(labels);
    }

    /** The rule run op by op on core tensors, as EagerOptimizer did before the plan: the reference. */
    private static final class OpByOp {
        final Optimizer rule;
        final List<Tensor> params;
        final List<List<Tensor>> state = new ArrayList<>();
        long t;

        OpByOp(Optimizer rule, List<Tensor> params) {
            this.rule = rule;
            this.params = params;
            for (Tensor p : params) {
                List<Tensor> s = new ArrayList<>();
                for (int k = 0; k < rule.stateNames().size(); k++) s.add(Tensor.full(rule.initialState(k), p.dtype(), p.shape()));
                state.add(s);
            }
        }

        void step() {
            t++;
            Immediate now = Immediate.global();
            List<List<Tensor>> results = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                List<Tensor> scalars = new ArrayList<>();
                for (double v : rule.scalars(t)) scalars.add(Tensor.scalar(v, p.dtype()));
                results.add(rule.update(now, p, p.grad(), state.get(i), scalars));
            }
            for (int i = 0; i < params.size(); i++) {
                params.get(i).copyFrom(results.get(i).get(0));
                state.set(i, new ArrayList<>(results.get(i).subList(1, results.get(i).size())));
            }
        }
    }

    private static double step(NNSequential m, Runnable zeroGrad, Runnable update, int step, int batch) {
        zeroGrad.run();
        Tensor loss = new CrossEntropyLoss().forward(m.forward(x(step, batch)), y(step, batch));
        loss.backward();
        update.run();
        return loss.item();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void bitForBitTheRuleRunOpByOp(String label, Supplier<Optimizer> rule) {
        NNSequential a = model(), b = model();
        EagerOptimizer compiled = new EagerOptimizer(rule.get(), a.parameters());
        OpByOp reference = new OpByOp(rule.get(), b.parameters());
        for (int s = 0; s < 200; s++) {
            int batch = 1 + (s * 5) % 17;
            Generator.manualSeed(77 + s);
            double la = step(a, compiled::zeroGrad, compiled::step, s, batch);
            Generator.manualSeed(77 + s);
            double lb = step(b, () -> b.parameters().forEach(Tensor::zeroGrad), reference::step, s, batch);
            assertEquals(Double.doubleToRawLongBits(lb), Double.doubleToRawLongBits(la), label + ": loss of step " + s);
        }
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(b.parameters().get(i).toFloatArray(), a.parameters().get(i).toFloatArray(), label + ": parameter " + i);
        }
        assertNotEquals(model().parameters().get(0).toString(), a.parameters().get(0).toString(), "it trained");
    }

    /** Parameters of several tiles: Adam's update runs as one loop over the arrays themselves, with the op-by-op bits. */
    @Test
    void largeParametersBitForBit() {
        for (Supplier<Optimizer> rule : List.<Supplier<Optimizer>>of(() -> new Adam(0.01), () -> new SGD(0.05, 0.9))) {
            Generator.manualSeed(6);
            NNSequential a = new NNSequential(new Linear(4, 2100), new ReLU(), new Linear(2100, 3));
            Generator.manualSeed(6);
            NNSequential b = new NNSequential(new Linear(4, 2100), new ReLU(), new Linear(2100, 3));
            EagerOptimizer compiled = new EagerOptimizer(rule.get(), a.parameters());
            OpByOp reference = new OpByOp(rule.get(), b.parameters());
            for (int s = 0; s < 4; s++) {
                double la = step(a, compiled::zeroGrad, compiled::step, s, 9);
                double lb = step(b, () -> b.parameters().forEach(Tensor::zeroGrad), reference::step, s, 9);
                assertEquals(Double.doubleToRawLongBits(lb), Double.doubleToRawLongBits(la), rule.get().name() + ": loss of step " + s);
            }
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(b.parameters().get(i).toFloatArray(), a.parameters().get(i).toFloatArray(), rule.get().name() + ": parameter " + i);
            }
        }
    }

    @Test
    void float64ParametersBitForBit() {
        Tensor p = Tensor.of(new double[] {0.5, -1.5, 2, 0.25}, 2, 2).requiresGrad(true);
        Tensor q = Tensor.of(new double[] {0.5, -1.5, 2, 0.25}, 2, 2).requiresGrad(true);
        EagerOptimizer compiled = new EagerOptimizer(new Adam(0.1), List.of(p));
        OpByOp reference = new OpByOp(new Adam(0.1), List.of(q));
        for (int s = 0; s < 30; s++) {
            Tensor target = Tensor.of(new double[] {s, 1, -s, 2}, 2, 2);
            compiled.zeroGrad();
            p.sub(target).pow(2).sum().backward();
            compiled.step();
            q.zeroGrad();
            q.sub(target).pow(2).sum().backward();
            reference.step();
        }
        assertEquals(DType.FLOAT64, p.dtype());
        assertArrayEquals(q.toDoubleArray(), p.toDoubleArray());
    }

    /** What the program holds (a gradient, the logits kept for accuracy, earlier losses) keeps its values across steps. */
    @Test
    void nothingTheUserHoldsIsOverwritten() {
        NNSequential m = model();
        EagerOptimizer opt = new EagerOptimizer(new Adam(0.01), m.parameters());
        List<Tensor> held = new ArrayList<>();
        List<float[]> seen = new ArrayList<>();
        for (int s = 0; s < 50; s++) {
            opt.zeroGrad();
            Tensor logits = m.forward(x(s, 16));
            Tensor loss = new CrossEntropyLoss().forward(logits, y(s, 16));
            loss.backward();
            Tensor grad = m.parameters().get(0).grad();
            opt.step();
            for (Tensor t : List.of(logits, loss, grad)) {
                held.add(t);
                seen.add(t.toFloatArray());
            }
        }
        for (int i = 0; i < held.size(); i++) assertArrayEquals(seen.get(i), held.get(i).toFloatArray(), "held tensor " + i);
    }

    /** A graph kept with retainGraph cannot be gone back through once a step changed its parameters, as before. */
    @Test
    void backwardAfterAStepStillRefusesTheOldGraph() {
        NNSequential m = model();
        EagerOptimizer opt = new EagerOptimizer(new Adam(0.01), m.parameters());
        Tensor loss = new CrossEntropyLoss().forward(m.forward(x(0, 8)), y(0, 8));
        loss.backward(null, true);
        float[] firstGrad = m.parameters().get(0).grad().toFloatArray();
        loss.backward(null, true);
        float[] twice = m.parameters().get(0).grad().toFloatArray();
        for (int i = 0; i < twice.length; i++) assertEquals(firstGrad[i] * 2, twice[i], 1e-6f * Math.abs(twice[i]) + 1e-12f);
        opt.step();
        JanusException e = assertThrows(JanusException.class, () -> loss.backward(null, true));
        assertTrue(e.getMessage().contains("was changed in place after the forward used it"), e.getMessage());

        Tensor again = new CrossEntropyLoss().forward(m.forward(x(1, 8)), y(1, 8));
        again.backward();
        e = assertThrows(JanusException.class, again::backward);
        assertTrue(e.getMessage().startsWith("backward: trying to go back through the graph a second time"), e.getMessage());
    }

    /** Loading state replaces the tensors the plan was built on: the next steps follow the loaded state. */
    @Test
    void loadedStateAndAParameterWithoutGradient() {
        NNSequential a = model(), b = model();
        EagerOptimizer oa = new EagerOptimizer(new Adam(0.01), a.parameters());
        OpByOp reference = new OpByOp(new Adam(0.01), b.parameters());
        for (int s = 0; s < 5; s++) {
            Generator.manualSeed(s);
            step(a, oa::zeroGrad, oa::step, s, 8);
            Generator.manualSeed(s);
            step(b, () -> b.parameters().forEach(Tensor::zeroGrad), reference::step, s, 8);
        }
        // An optimizer that has stepped (its plan built on its own state) takes the saved state and
        // the parameters are put back: the steps after follow the saved run.
        Map<String, Tensor> saved = oa.stateDict();
        List<Tensor> values = new ArrayList<>();
        for (Tensor p : a.parameters()) values.add(p.detach().copy());
        EagerOptimizer restored = new EagerOptimizer(new Adam(0.01), a.parameters());
        for (int s = 100; s < 103; s++) step(a, restored::zeroGrad, restored::step, s, 8);
        restored.loadStateDict(saved);
        for (int i = 0; i < values.size(); i++) a.parameters().get(i).copyFrom(values.get(i));
        for (int s = 5; s < 10; s++) {
            Generator.manualSeed(s);
            step(a, restored::zeroGrad, restored::step, s, 8);
            Generator.manualSeed(s);
            step(b, () -> b.parameters().forEach(Tensor::zeroGrad), reference::step, s, 8);
        }
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(b.parameters().get(i).toFloatArray(), a.parameters().get(i).toFloatArray(), "parameter " + i);
        }

        // A parameter whose gradient is missing this step is skipped, then updated again when it has one.
        Tensor p = Tensor.ones(3).requiresGrad(true), q = Tensor.ones(3).requiresGrad(true);
        EagerOptimizer opt = new EagerOptimizer(new SGD(0.5), List.of(p, q));
        p.add(q).sum().backward();
        opt.step();
        opt.zeroGrad();
        p.sum().backward();
        opt.step();
        opt.zeroGrad();
        p.mul(q).sum().backward();
        opt.step();
        assertArrayEquals(new float[] {-0.25f, -0.25f, -0.25f}, p.toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, q.toFloatArray());
    }
}
