package dev.janus.core.optim;

import dev.janus.core.JanusException;
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
import java.util.Map;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.janus.core.testing.Close.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Learning-rate schedules against PyTorch's (resources/optim/make_schedules.py wrote the values). */
class LRSchedulerTest {
    private static final Map<String, Function<Optimizer, DoubleConsumer>> CONFIGS = Map.of(
            "step", o -> epochly(new StepLR(o, 7, 0.5)),
            "exponential", o -> epochly(new ExponentialLR(o, 0.9)),
            "cosine", o -> epochly(new CosineAnnealingLR(o, 15, 0.001)),
            "plateau", o -> new ReduceLROnPlateauLR(o)::step,
            "plateau_tuned", o -> new ReduceLROnPlateauLR(o, ReduceLROnPlateauLR.Mode.MAX, 0.5, 2, 0.01,
                    ReduceLROnPlateauLR.ThresholdMode.ABS, 3, 0.01, 1e-8)::step);

    private static DoubleConsumer epochly(LRScheduler s) {
        return metric -> s.step();
    }

    /** The metric the reference script feeds the plateau schedules. */
    private static double metric(int t) {
        return t < 10 ? 1.0 / (1 + t) : 0.09 + 0.001 * Math.sin(t);
    }

    static Stream<Arguments> references() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                LRSchedulerTest.class.getResourceAsStream("/optim/schedules.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                out.add(Arguments.of(f[0], Arrays.stream(f, 1, f.length).mapToDouble(Double::parseDouble).toArray()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void matchesPyTorch(String config, double[] expected) {
        Optimizer opt = new SGD(0.1);
        DoubleConsumer schedule = CONFIGS.get(config).apply(opt);
        for (int t = 0; t < expected.length; t++) {
            schedule.accept(metric(t));
            check(expected[t], opt.lr(), 1e-12, 0, config + " after epoch " + (t + 1));
        }
    }

    @Test
    void stateRestoresTheSchedule() {
        Optimizer a = new Adam(0.1);
        CosineAnnealingLR s = new CosineAnnealingLR(a, 10);
        for (int i = 0; i < 4; i++) s.step();
        Optimizer b = new Adam(0.5);
        CosineAnnealingLR t = new CosineAnnealingLR(b, 10);
        t.loadState(s.state());
        assertEquals(a.lr(), b.lr());
        s.step();
        t.step();
        assertEquals(a.lr(), b.lr());
        assertEquals(5, t.epoch());

        ReduceLROnPlateauLR p = new ReduceLROnPlateauLR(a);
        p.step(0.5);
        ReduceLROnPlateauLR q = new ReduceLROnPlateauLR(b);
        q.loadState(p.state());
        assertEquals(0.5, q.best());
    }

    @Test
    void badSettingsAreNamed() {
        Optimizer o = new SGD(0.1);
        assertEquals("StepLR: step size must be > 0, got 0", assertThrows(JanusException.class, () -> new StepLR(o, 0, 0.1)).getMessage());
        assertThrows(JanusException.class, () -> new ExponentialLR(o, -1));
        assertThrows(JanusException.class, () -> new CosineAnnealingLR(o, 0));
        assertThrows(JanusException.class, () -> new ReduceLROnPlateauLR(o, ReduceLROnPlateauLR.Mode.MIN, 1.5, 1, 0,
                ReduceLROnPlateauLR.ThresholdMode.REL, 0, 0, 0));
        assertEquals("ReduceLROnPlateau: the metric of epoch 1 is NaN",
                assertThrows(JanusException.class, () -> new ReduceLROnPlateauLR(o).step(Double.NaN)).getMessage());
        assertThrows(JanusException.class, () -> new StepLR(o, 2, 0.5).loadState(Map.of("epoch", 1.5, "base_lr", 0.1)));
    }
}
