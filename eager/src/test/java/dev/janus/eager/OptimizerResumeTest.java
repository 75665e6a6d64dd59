package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Generator;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.AdamW;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adamax;
import dev.janus.core.optim.NAdam;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;
import dev.janus.eager.nn.F;
import dev.janus.eager.nn.Linear;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every update rule's state through a file: training saved after three steps, restored into fresh
 * objects and continued gives the parameters of the run that never stopped, bit for bit; the
 * same continuation from a fresh optimizer (no state) does not, where the rule has state.
 */
class OptimizerResumeTest {
    private static Arguments rule(String label, Supplier<Optimizer> make) {
        return Arguments.of(label, make);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                rule("sgd", () -> new SGD(0.1)),
                rule("sgd momentum, dampening, weight decay", () -> new SGD(0.1, 0.9, 0.1, 0.01, false)),
                rule("sgd nesterov", () -> new SGD(0.1, 0.9, 0, 0, true)),
                rule("adam", () -> new Adam(0.01)),
                rule("adam weight decay", () -> new Adam(0.01, 0.8, 0.9, 1e-6, 0.05)),
                rule("adamw", () -> new AdamW(0.01)),
                rule("rmsprop", () -> new RMSprop(0.01)),
                rule("rmsprop centered, momentum, weight decay", () -> new RMSprop(0.01, 0.9, 1e-8, 0.01, 0.5, true)),
                rule("nadam", () -> new NAdam(0.01)),
                rule("nadam, Keras's momentum decay, weight decay", () -> new NAdam(0.01, 0.8, 0.99, 1e-7, 0.01, 1)),
                rule("adamax", () -> new Adamax(0.01)),
                rule("adamax, Keras's epsilon", () -> new Adamax(0.01, 0.9, 0.999, 1e-7, 0, true)),
                rule("adagrad", () -> new Adagrad(0.1)),
                rule("adagrad, Keras's accumulator and epsilon, decays", () -> new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-7, true)));
    }

    /** Two Linear layers with a ReLU between. */
    private static final class Net {
        final Linear first, second;

        Net(long seed) {
            Generator.manualSeed(seed);
            first = new Linear(3, 5);
            second = new Linear(5, 2);
        }

        Tensor forward(Tensor x) {
            return second.forward(F.relu(first.forward(x)));
        }

        List<Tensor> parameters() {
            List<Tensor> all = new ArrayList<>(first.parameters());
            all.addAll(second.parameters());
            return all;
        }
    }

    private static void steps(Net net, EagerOptimizer opt, int from, int to) {
        for (int t = from; t < to; t++) {
            Tensor x = Tensor.randn(new Generator(100 + t), 4, 3);
            Tensor y = Tensor.of(new long[] {t % 2, 1, 0, (t + 1) % 2});
            opt.zeroGrad();
            F.crossEntropy(net.forward(x), y).backward();
            opt.step();
        }
    }

    private static List<float[]> values(Net net) {
        List<float[]> out = new ArrayList<>();
        for (Tensor p : net.parameters()) out.add(p.toFloatArray());
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void aRestoredStateContinuesAsTheRunThatNeverStopped(String label, Supplier<Optimizer> make, @TempDir Path dir) {
        Net a = new Net(21);
        EagerOptimizer optA = new EagerOptimizer(make.get(), a.parameters());
        steps(a, optA, 0, 3);
        SafeTensors.save(dir.resolve("first.safetensors"), a.first.stateDict());
        SafeTensors.save(dir.resolve("second.safetensors"), a.second.stateDict());
        SafeTensors.save(dir.resolve("optim.safetensors"), optA.stateDict());
        steps(a, optA, 3, 6);

        Net b = new Net(99);
        b.first.loadStateDict(SafeTensors.load(dir.resolve("first.safetensors")));
        b.second.loadStateDict(SafeTensors.load(dir.resolve("second.safetensors")));
        EagerOptimizer optB = new EagerOptimizer(make.get(), b.parameters());
        optB.setLr(0.5);
        optB.loadStateDict(SafeTensors.load(dir.resolve("optim.safetensors")));
        assertEquals(optA.lr(), optB.lr(), "the learning rate comes back");
        steps(b, optB, 3, 6);
        List<float[]> va = values(a), vb = values(b);
        for (int i = 0; i < va.size(); i++) assertArrayEquals(va.get(i), vb.get(i), label + ": parameter " + i);

        // The same three steps from the saved parameters but a fresh optimizer.
        Net c = new Net(99);
        c.first.loadStateDict(SafeTensors.load(dir.resolve("first.safetensors")));
        c.second.loadStateDict(SafeTensors.load(dir.resolve("second.safetensors")));
        Optimizer fresh = make.get();
        steps(c, new EagerOptimizer(fresh, c.parameters()), 3, 6);
        List<float[]> vc = values(c);
        boolean same = true;
        for (int i = 0; i < va.size(); i++) same &= Arrays.equals(va.get(i), vc.get(i));
        if (fresh.stateNames().isEmpty()) {
            assertTrue(same, label + " keeps no state: a fresh optimizer continues identically");
        } else {
            assertFalse(same, label + ": without its state " + fresh.stateNames() + " the continuation differs (so the state was restored, not ignored)");
        }
    }
}
