package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsData;
import dev.janus.examples.IrisData;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synchronous training on 2 workers gives the model that one JVM gets from the same global batches. */
class DataParallelTest {
    /** The README's iris MLP without its dropout (dropout masks are drawn per worker, so they cannot match one JVM's). */
    static Sequential irisMlp() {
        Sequential m = new Sequential().generator(new Generator(5));
        m.add(new Input(4));
        m.add(new Dense(64, "relu"));
        m.add(new Dense(32, "relu"));
        m.add(new Dense(3, "softmax"));
        m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    @Test
    void irisOnTwoWorkersEqualsOneJvmOnTheSameGlobalBatches() {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        int epochs = 10, batch = 16;
        Sequential distributed = irisMlp(), single = irisMlp();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        History h = JanusSpark.fit(distributed, TrainingData.frame(spark, iris.xTrain, iris.yTrain), new SparkFit()
                .inputCols(TrainingData.columns(4)).labelCol("label").epochs(epochs).batchSize(batch).workers(2).seed(3)
                .output(new PrintStream(log, true, StandardCharsets.UTF_8)));
        TrainingData.trainReference(single, iris.xTrain, iris.yTrain, 2, batch, 3, epochs, true);
        double diff = TrainingData.weightDifference(distributed.getWeights(), single.getWeights());
        System.out.print(log.toString(StandardCharsets.UTF_8));
        System.out.printf("iris, 2 workers vs one JVM: largest relative weight difference %.2e%n", diff);
        assertTrue(diff <= 1e-6, "relative weight difference " + diff);
        assertEquals(epochs, h.get("loss").size());
        assertEquals(List.of("loss", "accuracy"), List.copyOf(h.history().keySet()));
        assertTrue(h.get("loss").get(epochs - 1) < h.get("loss").get(0));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("Epoch 10/10 - 2 workers x 8 steps"), log.toString(StandardCharsets.UTF_8));
        // The optimizer state came back too: one more step goes on identically.
        Tensor x = TrainingData.rows(iris.xTest, new int[] {0, 1, 2, 3}), y = TrainingData.rows(iris.yTest, new int[] {0, 1, 2, 3});
        distributed.trainOnBatch(x, y);
        single.trainOnBatch(x, y);
        assertTrue(TrainingData.weightDifference(distributed.getWeights(), single.getWeights()) <= 1e-6);
    }

    /** One worker runs the same ops on the same batches as one JVM: the split gradient step and update change no bit. */
    @Test
    void oneWorkerEqualsOneJvmBitForBit() {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        Sequential distributed = irisMlp(), single = irisMlp();
        JanusSpark.fit(distributed, TrainingData.frame(spark, iris.xTrain, iris.yTrain), new SparkFit()
                .inputCols(TrainingData.columns(4)).epochs(3).batchSize(16).workers(1).seed(4).verbose(0));
        TrainingData.trainReference(single, iris.xTrain, iris.yTrain, 1, 16, 4, 3, true);
        assertEquals(0.0, TrainingData.weightDifference(distributed.getWeights(), single.getWeights()));
    }

    @Test
    void theDriverReductionGivesTheSameBitsAsAllGather() {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        Dataset<Row> df = TrainingData.frame(spark, iris.xTrain, iris.yTrain);
        Sequential gathered = irisMlp(), reduced = irisMlp();
        // Two steps: allGather takes about a second a step.
        SparkFit o = new SparkFit().inputCols(TrainingData.columns(4)).epochs(1).batchSize(60).workers(2).verbose(0);
        JanusSpark.fit(gathered, df, o.exchange(SparkFit.Exchange.ALL_GATHER));
        JanusSpark.fit(reduced, df, o.exchange(SparkFit.Exchange.DRIVER));
        assertEquals(0.0, TrainingData.weightDifference(gathered.getWeights(), reduced.getWeights()));
    }

    /**
     * The digits CNN with Adam, one epoch (45 steps). One JVM's result is itself only defined up to
     * the order in which float32 sums a batch's gradient: the same batches with each batch's rows in
     * another order (the second worker's part first) give other weights. The 2 workers must be as
     * close to one JVM as that; measured 2.0e-6 against 5.0e-6 for the reordered batches (Adam
     * divides by the gradient's size, so a gradient component that nearly cancels carries its
     * rounding into the step; with SGD the difference stays at float32's own level).
     */
    @Test
    void theDigitsCnnOnTwoWorkersEqualsOneJvmOnTheSameGlobalBatches() {
        SparkSession spark = SharedSpark.get();
        DigitsData digits = DigitsData.load();
        Tensor x = DigitsData.shaped(digits.train, 8, 8, 1), y = digits.train.tensor(1);
        int epochs = 1, batch = 32;
        Sequential distributed = digitsCnn(), single = digitsCnn(), reordered = digitsCnn();
        JanusSpark.fit(distributed, TrainingData.frame(spark, x, y), new SparkFit().inputCols(TrainingData.columns(64))
                .epochs(epochs).batchSize(batch).workers(2).seed(1));
        TrainingData.trainReference(single, x, y, 2, batch, 1, epochs, true);
        TrainingData.trainReference(reordered, x, y, 2, batch, 1, epochs, true, true);
        double diff = TrainingData.weightDifference(distributed.getWeights(), single.getWeights());
        double floor = TrainingData.weightDifference(reordered.getWeights(), single.getWeights());
        System.out.printf("digits CNN, 2 workers vs one JVM: largest relative weight difference %.2e; "
                + "one JVM with each batch's rows reordered: %.2e%n", diff, floor);
        assertTrue(diff <= Math.max(1e-6, 2 * floor), "relative weight difference " + diff + ", one JVM reordered " + floor);
    }

    private static Sequential digitsCnn() {
        Generator.manualSeed(0);
        Sequential m = DigitsCnn.kerasModel();
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }
}
