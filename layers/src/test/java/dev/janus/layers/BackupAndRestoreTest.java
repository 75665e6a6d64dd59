package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.layers.callbacks.BackupAndRestore;
import dev.janus.layers.callbacks.Callback;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BackupAndRestore: a fit killed after an epoch and started again in a fresh model (as after a
 * crash) goes on from the backup and ends with the weights, losses and optimizer state of the fit
 * that never stopped, bit for bit (shuffling and dropout included); a half-written backup is
 * skipped; a normal end removes the backups.
 */
class BackupAndRestoreTest {
    private static final Iris DATA = Iris.load(42);

    /** A crash at the end of an epoch, after the backup of that epoch was written. */
    private static final class Crash implements Callback {
        private final int at;

        Crash(int at) {
            this.at = at;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            if (epoch == at) throw new IllegalStateException("killed after epoch " + epoch);
        }
    }

    private static Sequential fresh(boolean eager) {
        Generator.manualSeed(11);
        Sequential m = SequentialTest.iris().runEagerly(eager);
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    private static Fit fit(Callback... callbacks) {
        return new Fit().epochs(6).batchSize(16).validationSplit(0.2).verbose(0).callbacks(callbacks);
    }

    @ParameterizedTest(name = "eager {0}")
    @ValueSource(booleans = {false, true})
    void aKilledFitResumesAsIfNeverStopped(boolean eager, @TempDir Path tmp) {
        Path dir = tmp.resolve("backup");
        Sequential straight = fresh(eager);
        History all = straight.fit(DATA.xTrain, DATA.yTrain, fit());

        Sequential first = fresh(eager);
        IllegalStateException killed = assertThrows(IllegalStateException.class,
                () -> first.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir), new Crash(2))));
        assertEquals("killed after epoch 2", killed.getMessage());
        assertTrue(Files.exists(dir.resolve("epoch-3.janus")) && !Files.exists(dir.resolve("epoch-2.janus")), "the last backup only");

        Sequential second = fresh(eager);   // a new process: the model as the program builds it
        History rest = second.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir)));
        assertEquals(List.of(3, 4, 5), rest.epochs());
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            assertEquals(all.get(k).subList(3, 6), rest.get(k), k + " of epochs 4 to 6");
        }
        List<Tensor> a = straight.getWeights(), b = second.getWeights();
        for (int i = 0; i < a.size(); i++) dev.janus.core.testing.Close.assertClose(a.get(i), b.get(i), 0, 0);
        assertEquals(straight.iterations(), second.iterations());
        assertFalse(Files.exists(dir), "a fit that ends normally removes its backups");
    }

    @Test
    void aHalfWrittenBackupIsSkippedAndBackupsCanBeKept(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("backup");
        Sequential first = fresh(false);
        assertThrows(IllegalStateException.class, () -> first.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir), new Crash(1))));
        Files.writeString(dir.resolve("epoch-3.rng"), "1\n2\n");   // killed between the two files of epoch 3's backup
        Sequential second = fresh(false);
        History rest = second.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir).deleteCheckpoint(false)));
        assertEquals(List.of(2, 3, 4, 5), rest.epochs());
        assertTrue(Files.exists(dir.resolve("epoch-6.janus")));
        // Everything done: a new fit restores epoch 6 and has nothing left to train.
        Sequential third = fresh(false);
        assertEquals(List.of(), third.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir))).epochs());
        assertEquals(second.getWeights().get(0).readDouble(0), third.getWeights().get(0).readDouble(0));
    }

    /** A stray file named like a backup, with an epoch no int holds, is refused by name (was a bare NumberFormatException). */
    @Test
    void aBackupNameWithAnEpochTooLargeIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("backup"));
        Files.writeString(dir.resolve("epoch-99999999999.janus"), "");
        Sequential m = fresh(false);
        List<Tensor> before = m.getWeights();
        JanusException e = assertThrows(JanusException.class, () -> m.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().contains("epoch-99999999999.janus") && e.getMessage().contains("did not write it"), e.getMessage());
        for (int i = 0; i < before.size(); i++) dev.janus.core.testing.Close.assertClose(before.get(i), m.getWeights().get(i), 0, 0);
    }

    @Test
    void aBackupOfAnotherModelIsRefusedBeforeAnythingChanges(@TempDir Path tmp) {
        Path dir = tmp.resolve("backup");
        Sequential first = fresh(false);
        assertThrows(IllegalStateException.class, () -> first.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir), new Crash(0))));
        Generator.manualSeed(11);
        Sequential other = new Sequential(new Input(4), new dev.janus.layers.core.Dense(8, "relu"), new dev.janus.layers.core.Dense(3, "softmax"));
        other.compile("adam", "sparse_categorical_crossentropy", List.of());
        List<Tensor> before = other.getWeights();
        JanusException e = assertThrows(JanusException.class, () -> other.fit(DATA.xTrain, DATA.yTrain, fit(new BackupAndRestore(dir))));
        assertTrue(e.getMessage().contains("holds the weights"), e.getMessage());
        for (int i = 0; i < before.size(); i++) dev.janus.core.testing.Close.assertClose(before.get(i), other.getWeights().get(i), 0, 0);
    }
}
