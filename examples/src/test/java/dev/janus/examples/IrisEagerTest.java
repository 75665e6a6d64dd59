package dev.janus.examples;

import dev.janus.eager.Tensor;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IrisEagerTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void reachesTheTargetAccuracyAndRepeatsBitForBit() {
        IrisEager.Result a = IrisEager.train(IrisEager.SEED, 50, QUIET);
        assertTrue(a.testAccuracy >= 0.93, "test accuracy " + a.testAccuracy);
        assertTrue(a.finalLoss < 0.2, "final training loss " + a.finalLoss);

        IrisEager.Result b = IrisEager.train(IrisEager.SEED, 50, QUIET);
        assertEquals(a.finalLoss, b.finalLoss);
        for (Map.Entry<String, Tensor> p : a.model.namedParameters().entrySet()) {
            assertArrayEquals(p.getValue().toFloatArray(), b.model.namedParameters().get(p.getKey()).toFloatArray(), p.getKey());
        }
    }
}
