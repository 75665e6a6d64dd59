package dev.janus.core.optim;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.janus.core.testing.OptimizerSteps;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each optimizer's update rule, run through the immediate emitter, against PyTorch on the same
 * parameter and gradient sequence (resources/optim/make_reference.py wrote the reference values).
 */
class OptimizerTest {
    private static final Map<String, Supplier<Optimizer>> CONFIGS = Map.ofEntries(
            Map.entry("sgd", () -> new SGD(0.1)),
            Map.entry("sgd_momentum", () -> new SGD(0.1, 0.9, 0.1, 0.01, false)),
            Map.entry("sgd_nesterov", () -> new SGD(0.1, 0.9, 0, 0, true)),
            Map.entry("adam", () -> new Adam(0.01)),
            Map.entry("adam_l2", () -> new Adam(0.01, 0.8, 0.99, 1e-6, 0.1)),
            Map.entry("adamw", () -> new AdamW(0.01, 0.9, 0.999, 1e-8, 0.1)),
            Map.entry("rmsprop", () -> new RMSprop(0.01)),
            Map.entry("rmsprop_centered", () -> new RMSprop(0.01, 0.9, 1e-8, 0.01, 0.9, true)),
            Map.entry("nadam", () -> new NAdam(0.01)),
            Map.entry("nadam_l2", () -> new NAdam(0.01, 0.8, 0.99, 1e-6, 0.1, 0.5)),
            Map.entry("adamax", () -> new Adamax(0.01)),
            Map.entry("adamax_l2", () -> new Adamax(0.01, 0.8, 0.99, 1e-6, 0.1, false)),
            Map.entry("adagrad", () -> new Adagrad(0.1)),
            Map.entry("adagrad_decays", () -> new Adagrad(0.1, 0.05, 0.1, 0.2, 1e-6, false)));

    static Stream<Arguments> references() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                OptimizerTest.class.getResourceAsStream("/optim/reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                double[] v = Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray();
                out.add(Arguments.of(f[0], DType.parse(f[1]), v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("references")
    void matchesPyTorch(String config, DType dt, double[] expected) {
        Tensor p = OptimizerSteps.run(CONFIGS.get(config).get(), dt, 5).get(4);
        double tol = dt == DType.FLOAT64 ? 1e-13 : 2e-6;
        assertClose(expected, p, tol, tol);
    }

    @Test
    void hyperparametersAreChecked() {
        assertThrows(JanusException.class, () -> new Adam(-1));
        assertThrows(JanusException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(JanusException.class, () -> new SGD(0.1, 0, 0, 0, true));
        Optimizer adam = new Adam(0.01);
        adam.setLr(0.5);
        assertEquals(0.5, adam.scalars(1)[0] * (1 - 0.9), 1e-15);
        assertEquals("adam(lr=0.5, beta1=0.9, beta2=0.999, eps=1.0E-8, weight_decay=0.0)", adam.toString());
        assertEquals(new HashMap<>(adam.hyperparameters()).keySet().size(), 5);
    }
}
