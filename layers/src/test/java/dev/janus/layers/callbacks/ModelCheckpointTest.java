package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ModelCheckpoint's file names, formatted as Keras formats its filepath (the saving itself: CallbacksTest). */
class ModelCheckpointTest {
    @Test
    void theFileNameTakesTheEpochAndTheLogsInPythonsFormat() {
        assertEquals("best-epoch07-1.2346.janus", ModelCheckpoint.fileName("best-epoch{epoch:02d}-{loss:.4f}.janus", 7,
                Map.of("loss", 1.23456)));
        assertEquals("ModelCheckpoint: the format '.2f' does not fit epoch = 3",
                assertThrows(JanusException.class, () -> ModelCheckpoint.fileName("m{epoch:.2f}", 3, Map.of())).getMessage());
    }
}
