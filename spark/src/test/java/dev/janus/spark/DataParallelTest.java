package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.examples.DigitsCnn;
import dev.janus.examples.DigitsData;
import dev.janus.examples.IrisData;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.KerasTensor;
import dev.janus.layers.Model;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.merge.Concatenate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertTrue(diff <= 1e-6, "iris, 2 workers vs one JVM: relative weight difference " + diff + "\n" + log.toString(StandardCharsets.UTF_8));
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

    /** A Functional model (two branches joined): iris on a wide path and a narrow one, concatenated. */
    static Model irisFunctional() {
        Generator.manualSeed(6);
        Input x = new Input(4);
        KerasTensor wide = new Dense(32, "relu").apply(x), narrow = new Dense(8, "tanh").apply(x);
        KerasTensor out = new Dense(3, "softmax").apply(new Concatenate().apply(wide, narrow));
        Model m = new Model(List.of(x), List.of(out));
        m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    @Test
    void aFunctionalModelTrainsAndScoresAsOnOneJvm() {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        Model distributed = irisFunctional(), single = irisFunctional();
        single.setWeights(distributed.getWeights());
        JanusSpark.fit(distributed, TrainingData.frame(spark, iris.xTrain, iris.yTrain), new SparkFit()
                .inputCols(TrainingData.columns(4)).labelCol("label").epochs(5).batchSize(16).workers(2).seed(3).verbose(0));
        TrainingData.trainReference(single, iris.xTrain, iris.yTrain, 2, 16, 3, 5, true);
        double diff = TrainingData.weightDifference(distributed.getWeights(), single.getWeights());
        assertTrue(diff <= 1e-6, "relative weight difference " + diff);

        // Scoring the trained Functional model in memory: the labels its own predict gives.
        List<Row> scored = JanusSpark.predict(TrainingData.frame(spark, iris.xTest, iris.yTest), distributed,
                Arrays.asList(TrainingData.columns(4)), "prediction").collectAsList();
        float[] p = distributed.predict(iris.xTest).toFloatArray();
        for (int i = 0; i < scored.size(); i++) {
            int best = 0;
            for (int c = 1; c < 3; c++) if (p[i * 3 + c] > p[i * 3 + best]) best = c;
            assertEquals(best, scored.get(i).getDouble(scored.get(i).fieldIndex("prediction")), "row " + i);
        }
    }

    @Test
    void aModelWithTwoInputsIsRefusedBeforeAnyTask() {
        Input a = new Input(2), b = new Input(2);
        Model m = new Model(List.of(a, b), List.of(new Dense(3, "softmax").apply(new Concatenate().apply(a, b))));
        m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of());
        IrisData iris = IrisData.load();
        JanusException e = assertThrows(JanusException.class, () -> JanusSpark.fit(m, TrainingData.frame(SharedSpark.get(), iris.xTrain, iris.yTrain),
                new SparkFit().inputCols(TrainingData.columns(4)).epochs(1).workers(2).verbose(0)));
        assertTrue(e.getMessage().contains("one input (the features) and one output") && e.getMessage().contains("2 inputs"), e.getMessage());
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
        assertTrue(diff <= Math.max(1e-6, 2 * floor), "relative weight difference " + diff + ", one JVM reordered " + floor);
    }

    private static Sequential digitsCnn() {
        Generator.manualSeed(0);
        Sequential m = DigitsCnn.kerasModel();
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }
}
