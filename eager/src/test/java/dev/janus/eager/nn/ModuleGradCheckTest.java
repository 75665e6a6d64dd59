package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.janus.core.testing.Close.check;

/**
 * Whole modules (Linear, an activation, Linear, a loss) in float64: the gradients backward gives
 * every parameter and the input against central finite differences of the loss.
 */
class ModuleGradCheckTest {
    private static final double H = 1e-6, RTOL = 1e-6, ATOL = 1e-8;
    private static final Tensor LABELS = Tensor.of(new long[] {2, 0, 1, 1, 2, 0});

    private static Tensor regression(boolean binary) {
        return Tensor.uniform(binary ? 0 : -1, 1, DType.FLOAT64, new Generator(3), 6, 3);
    }

    private static Arguments c(String activation, Supplier<NNModule> act, String loss, BiFunction<Tensor, Reduction, Tensor> fn, Reduction r) {
        return Arguments.of(activation + " + " + loss + " " + r.attr(), act, fn, r);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        BiFunction<Tensor, Reduction, Tensor> ce = (y, r) -> new CrossEntropyLoss(r).forward(y, LABELS);
        for (Reduction r : Reduction.values()) {
            out.add(c("relu", ReLU::new, "cross_entropy", ce, r));
            out.add(c("tanh", Tanh::new, "cross_entropy smoothing", (y, q) -> new CrossEntropyLoss(q, 0.1).forward(y, LABELS), r));
            out.add(c("sigmoid", Sigmoid::new, "nll", (y, q) -> new NLLLoss(q).forward(new LogSoftmax(1).forward(y), LABELS), r));
            out.add(c("gelu", GELU::new, "mse", (y, q) -> new MSELoss(q).forward(y, regression(false)), r));
            out.add(c("gelu tanh", () -> new GELU("tanh"), "l1", (y, q) -> new L1Loss(q).forward(y, regression(false)), r));
            out.add(c("leaky_relu", () -> new LeakyReLU(0.1), "bce_with_logits",
                    (y, q) -> new BCEWithLogitsLoss(q).forward(y, regression(true)), r));
        }
        out.add(c("softmax", () -> new NNSoftmax(1), "mse", (y, q) -> new MSELoss(q).forward(y, regression(false)), Reduction.MEAN));
        out.add(c("identity", Identity::new, "cross_entropy", ce, Reduction.SUM));
        out.add(c("flatten", NNFlatten::new, "cross_entropy", ce, Reduction.MEAN));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(String label, Supplier<NNModule> activation, BiFunction<Tensor, Reduction, Tensor> loss, Reduction r) {
        Generator.manualSeed(11);
        NNSequential model = new NNSequential(new Linear(5, 4, true, DType.FLOAT64), activation.get(), new Linear(4, 3, true, DType.FLOAT64));
        Tensor x = (Tensor.uniform(-2, 2, DType.FLOAT64, new Generator(4), 6, 5)).detach().requiresGrad(true);
        // Reduction none gives a vector; weight its elements so every one counts differently.
        Supplier<Tensor> objective = () -> {
            Tensor l = loss.apply(model.forward(x), r);
            if (l.numel() == 1) return l.sum();
            double[] w = new double[l.numel()];
            for (int i = 0; i < w.length; i++) w[i] = 1 + 0.1 * i;
            return l.mul(Tensor.of(w, l.shape().dims())).sum();
        };
        objective.get().backward();
        List<Tensor> checked = new ArrayList<>(model.parameters());
        checked.add(x);
        for (Tensor p : checked) {
            double[] v = p.f64(), g = p.grad().f64();
            for (int j = 0; j < v.length; j++) {
                double keep = v[j];
                v[j] = keep + H;
                double plus = evaluate(objective);
                v[j] = keep - H;
                double minus = evaluate(objective);
                v[j] = keep;
                check((plus - minus) / (2 * H), g[j], RTOL, ATOL, label + ": d/d " + p.shape() + " element " + j);
            }
        }
    }

    private static double evaluate(Supplier<Tensor> objective) {
        try (Grad.Scope ignored = Grad.noGrad()) {
            return objective.get().item();
        }
    }
}
