package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every loss and reduction, values and input gradients, against PyTorch (resources/losses/make_reference.py). */
class LossTest {
    private static final int N = 4, C = 3;

    private static Tensor input() {
        double[] x = new double[N * C];
        for (int i = 0; i < N; i++) for (int j = 0; j < C; j++) x[i * C + j] = 2 * Math.sin(1.3 * i + 0.7 * j);
        return Tensor.of(x, N, C).requiresGrad(true);
    }

    private static Tensor regressionTarget(boolean binary) {
        double[] y = new double[N * C];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < C; j++) {
                double c = Math.cos(0.9 * i + 0.4 * j);
                y[i * C + j] = binary ? (c + 1) / 2 : c;
            }
        }
        return Tensor.of(y, N, C);
    }

    private static final Tensor LABELS = Tensor.of(new long[] {0, 2, 1, 2});

    private static Function<Tensor, Tensor> loss(String name, Reduction r) {
        switch (name) {
            case "cross_entropy": return x -> new CrossEntropyLoss(r).forward(x, LABELS);
            case "cross_entropy_smoothing": return x -> new CrossEntropyLoss(r, 0.2).forward(x, LABELS);
            case "nll": return x -> new NLLLoss(r).forward(new LogSoftmax(1).forward(x), LABELS);
            case "mse": return x -> new MSELoss(r).forward(x, regressionTarget(false));
            case "l1": return x -> new L1Loss(r).forward(x, regressionTarget(false));
            case "bce_with_logits": return x -> new BCEWithLogitsLoss(r).forward(x, regressionTarget(true));
            default: throw new AssertionError(name);
        }
    }

    static List<Arguments> references() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                LossTest.class.getResourceAsStream("/losses/losses.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] parts = line.split("\\|");
                String[] head = parts[0].trim().split(" ");
                out.add(Arguments.of(head[0], Reduction.valueOf(head[1].toUpperCase(Locale.ROOT)), numbers(parts[1]), numbers(parts[2])));
            }
        }
        return out;
    }

    private static double[] numbers(String s) {
        return Arrays.stream(s.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("references")
    void matchesPyTorch(String name, Reduction reduction, double[] values, double[] grads) {
        Tensor x = input();
        Tensor out = loss(name, reduction).apply(x);
        assertClose(values, out, 1e-12, 1e-14);
        out.sum().backward();
        assertClose(grads, x.grad(), 1e-12, 1e-14);
    }

    @Test
    void functionalFormsAreTheSameComputation() {
        Tensor x = input();
        assertEquals(new CrossEntropyLoss().forward(x, LABELS).item(), F.crossEntropy(x, LABELS).item());
        assertEquals(new MSELoss(Reduction.SUM).forward(x, regressionTarget(false)).item(),
                F.mseLoss(x, regressionTarget(false), Reduction.SUM).item());
        assertEquals("CrossEntropyLoss(reduction='sum', label_smoothing=0.1)", new CrossEntropyLoss(Reduction.SUM, 0.1).toString());
        assertEquals("MSELoss()", new MSELoss().toString());
    }

    @Test
    void labelsOutOfRangeAreNamedBeforeAnythingChanges() {
        Tensor x = input();
        JanusException e = assertThrows(JanusException.class,
                () -> new CrossEntropyLoss().forward(x, Tensor.of(new long[] {0, 3, 1, 2})));
        assertEquals("CrossEntropyLoss: target 3 at position 1 is out of range for 3 classes (input [4, 3]; labels must be in [0, 2])",
                e.getMessage());
        assertThrows(JanusException.class, () -> new NLLLoss().forward(x, Tensor.of(new long[] {0, -1, 1, 2})));
        assertEquals("CrossEntropyLoss: the target must be int64 class indices of shape [4] for input [4, 3], got float64[4]",
                assertThrows(ShapeException.class, () -> F.crossEntropy(x, Tensor.of(new double[] {0, 1, 1, 2}))).getMessage());
        assertEquals("MSELoss: input and target must be float tensors of one shape and dtype, got float64[4, 3] and float64[4]",
                assertThrows(ShapeException.class, () -> F.mseLoss(x, Tensor.zeros(DType.FLOAT64, 4))).getMessage());
        assertNull(x.grad());
    }

    @Test
    void aNaNLossIsRefusedWithWhereItCameFrom() {
        Tensor w = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        double[] bad = {0, 1, 2, 3, Double.NaN, 5};
        Tensor logits = Tensor.of(bad, 2, 3).mul(w);
        JanusException e = assertThrows(JanusException.class, () -> F.crossEntropy(logits, Tensor.of(new long[] {0, 1})));
        assertEquals("CrossEntropyLoss: the loss is NaN; the input [2, 3] has 1 NaN or infinite values, the first NaN at [1, 1], "
                + "the target [2] is finite", e.getMessage());
        Tensor inf = Tensor.of(new double[] {1, Double.POSITIVE_INFINITY});
        e = assertThrows(JanusException.class, () -> F.l1Loss(Tensor.zeros(DType.FLOAT64, 2), inf, Reduction.NONE));
        assertEquals("L1Loss: the loss is infinite at element 1; the input [2] is finite, the target [2] has 1 NaN or infinite values, "
                + "the first Infinity at [1]", e.getMessage());
        assertNull(w.grad(), "nothing reached the parameters");
    }

    @Test
    void labelSmoothingIsChecked() {
        assertEquals("CrossEntropyLoss: label_smoothing must be in [0, 1], got 1.5",
                assertThrows(JanusException.class, () -> new CrossEntropyLoss(Reduction.MEAN, 1.5)).getMessage());
    }
}
