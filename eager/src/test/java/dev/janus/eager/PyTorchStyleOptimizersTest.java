package dev.janus.eager;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.AdamW;
import dev.janus.core.optim.Adamax;
import dev.janus.core.optim.NAdam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;
import dev.janus.core.optim.StepLR;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.F;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers made as PyTorch makes them, {@code new Adam(model.parameters(), 1e-3)}: PyTorch's
 * defaults, the same steps as the update rule in an {@link EagerOptimizer}, schedules that take
 * them, and a clear error where a rule without parameters is asked to step.
 */
class PyTorchStyleOptimizersTest {
    private static NNModule net() {
        Generator.manualSeed(3);
        return new NNSequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    }

    /** Trains {@code model} for 5 steps on fixed data, stepping with the given zeroGrad/step pair. */
    private static void train(NNModule model, Runnable zeroGrad, Runnable step) {
        Generator g = new Generator(11);
        Tensor x = Tensor.randn(g, 16, 4);
        Tensor y = Tensor.of(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        for (int i = 0; i < 5; i++) {
            zeroGrad.run();
            F.crossEntropy(model.forward(x), y).backward();
            step.run();
        }
    }

    private static float[] weights(NNModule m) {
        List<Tensor> ps = m.parameters();
        int n = 0;
        for (Tensor p : ps) n += p.numel();
        float[] out = new float[n];
        int at = 0;
        for (Tensor p : ps) for (float v : p.toFloatArray()) out[at++] = v;
        return out;
    }

    @Test
    void theyStepAsTheRuleInAnEagerOptimizerDoes() {
        List<Function<List<Tensor>, Optimizer>> pytorch = List.of(
                ps -> new Adam(ps, 1e-2), ps -> new AdamW(ps, 1e-2), ps -> new SGD(ps, 0.1, 0.9), ps -> new RMSprop(ps, 1e-2),
                ps -> new NAdam(ps, 1e-2), ps -> new Adamax(ps, 1e-2), ps -> new Adagrad(ps, 1e-2, 0, 0, 0.1, 1e-10));
        List<Optimizer> rules = List.of(new Adam(1e-2), new AdamW(1e-2), new SGD(0.1, 0.9), new RMSprop(1e-2),
                new NAdam(1e-2), new Adamax(1e-2), new Adagrad(1e-2, 0, 0, 0.1, 1e-10, false));
        for (int k = 0; k < rules.size(); k++) {
            NNModule a = net(), b = net();
            Optimizer opt = pytorch.get(k).apply(a.parameters());
            EagerOptimizer old = new EagerOptimizer(rules.get(k), b.parameters());
            train(a, opt::zeroGrad, opt::step);
            train(b, old::zeroGrad, old::step);
            assertArrayEquals(weights(b), weights(a), opt.name() + ": the PyTorch form steps as the rule in an EagerOptimizer");
            assertFalse(java.util.Arrays.equals(weights(net()), weights(a)), opt.name() + ": the weights moved");
            assertEquals(old.stateDict().keySet(), opt.stateDict().keySet());
        }
    }

    /** PyTorch 2.13's {@code torch.optim.X([p]).defaults}, printed by /work/pyenv/bin/python (the eps_* flags are the Keras forms, off). */
    @Test
    void leftOutSettingsArePyTorchsDefaults() {
        List<Tensor> ps = net().parameters();
        assertEquals(Map.of("lr", 1e-3, "momentum", 0.0, "dampening", 0.0, "weight_decay", 0.0, "nesterov", 0.0), new SGD(ps).hyperparameters());
        assertEquals(Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0), new Adam(ps).hyperparameters());
        assertEquals(Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.01), new AdamW(ps).hyperparameters());
        assertEquals(Map.of("lr", 1e-2, "alpha", 0.99, "eps", 1e-8, "weight_decay", 0.0, "momentum", 0.0, "centered", 0.0),
                new RMSprop(ps).hyperparameters());
        assertEquals(Map.of("lr", 2e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0, "momentum_decay", 4e-3),
                new NAdam(ps).hyperparameters());
        assertEquals(Map.of("lr", 2e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0, "eps_after_max", 0.0),
                new Adamax(ps).hyperparameters());
        assertEquals(Map.of("lr", 1e-2, "lr_decay", 0.0, "weight_decay", 0.0, "initial_accumulator_value", 0.0, "eps", 1e-10,
                "eps_inside_sqrt", 0.0), new Adagrad(ps).hyperparameters());
        assertEquals(0.5, new SGD(ps, 0.5, 0.9).hyperparameters().get("lr"));
        assertEquals(0.9, new SGD(ps, 0.5, 0.9).hyperparameters().get("momentum"));
    }

    @Test
    void schedulesTakeThemAsTheyAre() {
        NNModule m = net();
        Adam opt = new Adam(m.parameters(), 0.1);
        StepLR schedule = new StepLR(opt, 2, 0.5);
        train(m, opt::zeroGrad, opt::step);
        schedule.step();
        assertEquals(0.1, opt.lr());
        schedule.step();
        assertEquals(0.05, opt.lr(), 1e-15);
        assertTrue(opt.hasParameters());
        assertEquals(m.parameters(), opt.parameters());
    }

    @Test
    void aRuleWithoutParametersSaysHowToGiveThem() {
        Adam rule = new Adam(1e-3);
        assertFalse(rule.hasParameters());
        JanusException e = assertThrows(JanusException.class, rule::step);
        assertEquals("adam.step: this optimizer was made without parameters (the form a Keras model's compile takes); to step a"
                + " module's parameters make it with them, as PyTorch does: new Adam(model.parameters(), lr)", e.getMessage());
        JanusException empty = assertThrows(JanusException.class, () -> new SGD(List.of(), 0.1));
        assertTrue(empty.getMessage().startsWith("sgd: got an empty parameter list"), empty.getMessage());
    }

    /** Adagrad's accumulator starts at initial_accumulator_value: one step by hand (torch.optim.Adagrad's formula). */
    @Test
    void adagradStartsItsSumAtTheInitialValue() {
        Tensor p = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Adagrad opt = new Adagrad(List.of(p), 0.5, 0, 0, 0.1, 1e-10);
        p.mul(Tensor.of(new double[] {3, 4})).sum().backward();   // gradient [3, 4]
        opt.step();
        assertArrayEquals(new double[] {9.1, 16.1}, opt.stateDict().get("state.0.sum").toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1 - 0.5 * 3 / (Math.sqrt(9.1) + 1e-10), 2 - 0.5 * 4 / (Math.sqrt(16.1) + 1e-10)},
                p.toDoubleArray(), 1e-12);
    }
}
