package dev.janus.serving;

import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Merging requests into one batch: padding to the sizes whose plans were compiled at load. */
class BatchRowsTest {
    @Test
    void concatPadsWithCopiesOfTheLastRow() {
        Tensor a = Tensor.of(new float[] {1, 2}, 1, 2), b = Tensor.of(new float[] {3, 4, 5, 6}, 2, 2);
        Tensor merged = BatchRows.concat(List.of(a, b), 5);
        assertArrayEquals(new int[] {5, 2}, merged.shape().dims());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 5, 6, 5, 6}, merged.toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, BatchRows.concat(List.of(a, b), 3).toFloatArray());
    }

    @Test
    void janusPadsToPowersOfTwoUpToTheMaximumAndOnnxRuntimeNotAtAll(@TempDir Path repo) throws Exception {
        byte[] onnx = Files.readAllBytes(TestModels.halfPlusThree(repo, "m", 1));
        try (JanusEngine janus = new JanusEngine(onnx); OrtEngine ort = new OrtEngine(onnx)) {
            int[] rows = {1, 2, 3, 4, 5, 9, 33, 47, 48};
            int[] expected = {1, 2, 4, 4, 8, 16, 48, 48, 48};
            for (int i = 0; i < rows.length; i++) {
                assertEquals(expected[i], janus.paddedRows(rows[i], 48), "rows " + rows[i]);
                assertEquals(rows[i], ort.paddedRows(rows[i], 48));
            }
        }
    }

    @Test
    void paddedRowsDoNotReachTheAnswers(@TempDir Path repo) throws Exception {
        // y = 0.5 x + 3 row by row: three requests of 1, 1 and 1 rows merged into a padded batch of 4.
        byte[] onnx = Files.readAllBytes(TestModels.halfPlusThree(repo, "m", 1));
        try (JanusEngine janus = new JanusEngine(onnx)) {
            Scheduler scheduler = new Scheduler("m/1", janus, 1, true, 8, 200_000, 16, new ServerMetrics().model("m", 1));
            var first = scheduler.submit(new Tensor[] {Tensor.of(new float[] {2}, 1)}, 1);
            var second = scheduler.submit(new Tensor[] {Tensor.of(new float[] {4}, 1)}, 1);
            var third = scheduler.submit(new Tensor[] {Tensor.of(new float[] {6}, 1)}, 1);
            assertArrayEquals(new float[] {4}, first.get().get(0).toFloatArray());
            assertArrayEquals(new float[] {5}, second.get().get(0).toFloatArray());
            assertArrayEquals(new float[] {6}, third.get().get(0).toFloatArray());
            scheduler.close(1000);
        }
    }
}
