package dev.janus.spark;

import dev.janus.examples.IrisData;
import dev.janus.layers.History;
import dev.janus.layers.Sequential;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A task that dies mid-epoch makes Spark run the epoch's stage again from the last checkpoint; the model ends the same. */
class FaultToleranceTest {
    @AfterEach
    void noHook() {
        EpochTask.hook = null;
    }

    private static SparkFit options(Path dir) {
        return new SparkFit().inputCols(TrainingData.columns(4)).epochs(4).batchSize(16).workers(2).seed(9)
                .checkpointDir(dir.toString()).verbose(0);
    }

    @Test
    void aTaskKilledMidEpochIsRetriedAndTheModelIsTheUnfailedOne(@TempDir Path dir) throws IOException {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        Dataset<Row> df = TrainingData.frame(spark, iris.xTrain, iris.yTrain);
        Sequential unfailed = DataParallelTest.irisMlp(), failed = DataParallelTest.irisMlp();
        History a = JanusSpark.fit(unfailed, df, options(dir.resolve("a")));

        AtomicInteger injected = new AtomicInteger();
        // Worker 1 dies at step 5 of epoch 3 (0-based 2), on the stage's first attempt only.
        EpochTask.hook = (epoch, step, worker, attempt) -> {
            if (epoch == 2 && step == 5 && worker == 1 && attempt == 0) {
                injected.incrementAndGet();
                throw new IllegalStateException("injected failure");
            }
        };
        History b = JanusSpark.fit(failed, df, options(dir.resolve("b")));
        assertEquals(1, injected.get(), "the failure was injected once");
        assertEquals(0.0, TrainingData.weightDifference(failed.getWeights(), unfailed.getWeights()));
        assertEquals(a.get("loss"), b.get("loss"));
        try (Stream<Path> files = Files.list(dir.resolve("b"))) {
            // The two newest checkpoints, whole, and no temporary file (Hadoop's local file system adds hidden .crc files).
            assertEquals(List.of("epoch-00003.janus", "epoch-00004.janus"),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
        }
        Sequential last = Sequential.load(dir.resolve("b").resolve("epoch-00004.janus"));
        assertEquals(0.0, TrainingData.weightDifference(last.getWeights(), unfailed.getWeights()));
    }

    @Test
    void aFitThatFindsCheckpointsGoesOnAfterTheLast(@TempDir Path dir) {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        Dataset<Row> df = TrainingData.frame(spark, iris.xTrain, iris.yTrain);
        Sequential straight = DataParallelTest.irisMlp(), resumed = DataParallelTest.irisMlp(), first = DataParallelTest.irisMlp();
        JanusSpark.fit(straight, df, options(dir.resolve("straight")));
        // A driver that stopped after epoch 2, then a new one with the same directory.
        JanusSpark.fit(first, df, options(dir.resolve("resumed")).epochs(2));
        History rest = JanusSpark.fit(resumed, df, options(dir.resolve("resumed")));
        assertEquals(List.of(2, 3), rest.epochs());
        assertEquals(0.0, TrainingData.weightDifference(resumed.getWeights(), straight.getWeights()));
    }
}
