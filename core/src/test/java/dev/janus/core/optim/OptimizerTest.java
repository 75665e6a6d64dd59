package dev.janus.core.optim;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Immediate;
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

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each optimizer's update rule, run through the immediate emitter, against PyTorch on the same
 * parameter and gradient sequence (resources/optim/make_reference.py wrote the reference values).
 */
class OptimizerTest {
    private static final Map<String, Supplier<Optimizer>> CONFIGS = Map.of(
            "sgd", () -> new SGD(0.1),
            "sgd_momentum", () -> new SGD(0.1, 0.9, 0.1, 0.01, false),
            "sgd_nesterov", () -> new SGD(0.1, 0.9, 0, 0, true),
            "adam", () -> new Adam(0.01),
            "adam_l2", () -> new Adam(0.01, 0.8, 0.99, 1e-6, 0.1),
            "adamw", () -> new AdamW(0.01, 0.9, 0.999, 1e-8, 0.1),
            "rmsprop", () -> new RMSprop(0.01),
            "rmsprop_centered", () -> new RMSprop(0.01, 0.9, 1e-8, 0.01, 0.9, true));

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

    /** Steps an optimizer the way the eager engine does: host scalars, then the emitted update. */
    static Tensor train(Optimizer opt, DType dt, int steps) {
        Immediate e = Immediate.global();
        double[] p0 = new double[6];
        for (int i = 0; i < 6; i++) p0[i] = Math.cos(0.5 * i);
        Tensor p = e.cast(Tensor.of(p0, 2, 3), dt);
        List<Tensor> state = new ArrayList<>();
        for (String ignored : opt.stateNames()) state.add(Tensor.zeros(dt, 2, 3));
        for (int t = 1; t <= steps; t++) {
            double[] g = new double[6];
            for (int i = 0; i < 6; i++) g[i] = Math.sin(1.3 * i + 0.7 * t) * (1 + 0.1 * t);
            List<Tensor> scalars = new ArrayList<>();
            for (double s : opt.scalars(t)) scalars.add(Tensor.scalar(s, dt));
            List<Tensor> next = opt.update(e, p, e.cast(Tensor.of(g, 2, 3), dt), state, scalars);
            assertEquals(1 + opt.stateNames().size(), next.size());
            p = next.get(0);
            state = new ArrayList<>(next.subList(1, next.size()));
        }
        return p;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("references")
    void matchesPyTorch(String config, DType dt, double[] expected) {
        Tensor p = train(CONFIGS.get(config).get(), dt, 5);
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
