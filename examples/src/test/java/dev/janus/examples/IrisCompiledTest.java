package dev.janus.examples;

import dev.janus.layers.Weight;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IrisCompiledTest {
    @Test
    void reachesTheTargetAccuracyAndRepeatsBitForBit() {
        IrisCompiled.Result a = IrisCompiled.train(IrisCompiled.SEED, 50, 0);
        assertTrue(a.test.get("accuracy") >= 0.93, "test accuracy " + a.test.get("accuracy"));
        assertEquals(50, a.history.get("loss").size());

        IrisCompiled.Result b = IrisCompiled.train(IrisCompiled.SEED, 50, 0);
        assertEquals(a.history.get("loss"), b.history.get("loss"));
        for (int i = 0; i < a.model.weights().size(); i++) {
            Weight w = a.model.weights().get(i);
            assertArrayEquals(w.value().f32(), b.model.weights().get(i).value().f32(), w.name());
        }
    }
}
