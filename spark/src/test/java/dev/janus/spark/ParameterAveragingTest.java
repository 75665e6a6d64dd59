package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.examples.DigitsData;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deeplearning4j's way, parameters averaged every few steps, reaches the test accuracy of synchronous training. */
class ParameterAveragingTest {
    /**
     * An MLP on the 8x8 digits (64 -> 64 relu -> 10) with Adam at 5e-3: its test accuracy is on its
     * plateau after 5 epochs (the same as after 15 at 1e-3), so both runs are compared converged.
     */
    static Sequential digitsMlp() {
        Sequential m = new Sequential().generator(new Generator(0));
        m.add(new Input(64));
        m.add(new Dense(64, "relu"));
        m.add(new Dense(10, "softmax"));
        m.compile(new Adam(5e-3), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    @Test
    void averagingEveryFourStepsReachesTheSynchronousTestAccuracyWithinOnePoint() {
        SparkSession spark = SharedSpark.get();
        DigitsData digits = DigitsData.load();
        Tensor x = digits.train.tensor(0), xTest = digits.test.tensor(0);
        Dataset<Row> df = TrainingData.frame(spark, x, digits.train.tensor(1)).cache();
        double[] accuracy = new double[2];
        int[] every = {0, 4};
        for (int k = 0; k < 2; k++) {
            Sequential m = digitsMlp();
            JanusSpark.fit(m, df, new SparkFit().inputCols(TrainingData.columns(64)).epochs(5).batchSize(32).workers(2)
                    .averageEvery(every[k]).seed(2).verbose(k == 0 ? 0 : 1));
            accuracy[k] = DigitsData.accuracy(m.predict(xTest), digits.test.tensor(1));
        }
        assertTrue(accuracy[0] > 0.9, "synchronous accuracy " + accuracy[0]);
        assertTrue(Math.abs(accuracy[0] - accuracy[1]) <= 0.01, "test accuracy " + accuracy[0] + " synchronous, "
                + accuracy[1] + " averaging every 4 steps");
        df.unpersist();
    }
}
