package dev.janus.layers;

import dev.janus.core.optim.SGD;
import dev.janus.layers.callbacks.ReduceLROnPlateau;
import dev.janus.layers.callbacks.TerminateOnNaN;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ReduceLROnPlateau and TerminateOnNaN, stepped by hand through Keras's rules. */
class MoreCallbacksTest {
    private static Sequential model(ByteArrayOutputStream printed) {
        Sequential m = new Sequential(new Input(2), new Dense(1));
        m.compile(new SGD(1.0), "mse", List.of());
        m.output(new PrintStream(printed, true, StandardCharsets.UTF_8));
        return m;
    }

    @Test
    void reduceLrOnPlateauCutsAfterPatienceThenCoolsDown() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Sequential m = model(printed);
        ReduceLROnPlateau cb = new ReduceLROnPlateau("val_loss").factor(0.5).patience(2).cooldown(1).minLr(0.2);
        cb.setModel(m);
        cb.setParams(Map.of("verbose", 1, "epochs", 9, "steps", 1));
        cb.onTrainBegin(new HashMap<>());
        // Keras: wait counts epochs without an improvement of more than min_delta (1e-4); at patience the rate halves.
        double[] losses = {1.0, 0.99995, 0.99992, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98};
        List<Double> rates = new ArrayList<>();
        for (int e = 0; e < losses.length; e++) {
            Map<String, Double> logs = new HashMap<>();
            logs.put("val_loss", losses[e]);
            cb.onEpochEnd(e, logs);
            assertTrue(logs.containsKey("learning_rate"));
            rates.add(m.optimizer().lr());
        }
        // epochs 1 and 2 do not improve by 1e-4: cut at 2 (0.5); 3 ends the cooldown and improves; 4, 5 wait: cut at 5
        // (0.25); 6 ends the cooldown and, as in Keras, already waits; 7 waits: cut to max(0.125, min_lr 0.2); 8 is at min_lr.
        assertEquals(List.of(1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2), rates);
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.5."), out);
        assertTrue(out.contains("Epoch 8: ReduceLROnPlateau reducing learning rate to 0.2."), out);
    }

    @Test
    void terminateOnNaNStopsAtTheFirstBadBatchAndSaysSo() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Sequential m = model(printed);
        TerminateOnNaN cb = new TerminateOnNaN();
        cb.setModel(m);
        Map<String, Double> logs = new HashMap<>();
        logs.put("loss", 0.5);
        cb.onTrainBatchEnd(0, logs);
        assertFalse(m.stopTraining());
        logs.put("loss", Double.NaN);
        cb.onTrainBatchEnd(1, logs);
        assertTrue(m.stopTraining());
        assertEquals("Batch 1: Invalid loss, terminating training" + System.lineSeparator(), printed.toString(StandardCharsets.UTF_8));
    }
}
