package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoringTest {
    /**
     * Rows scored in the big test: 50,000 in the suite (98 batches over 2 partitions, the last one
     * padded); -Djanus.spark.scoringRows=1000000 runs the million rows (spark/bench.sh scores a
     * million too, timed).
     */
    static final int ROWS = Integer.getInteger("janus.spark.scoringRows", 50_000);
    private static final List<String> COLS = List.of("f0", "f1", "f2", "f3");

    static Sequential irisModel(long seed) {
        Sequential m = new Sequential().generator(new Generator(seed));
        m.add(new Input(4));
        m.add(new Dense(64, "relu"));
        m.add(new Dropout(0.3));
        m.add(new Dense(32, "relu"));
        m.add(new Dense(3, "softmax"));
        return m;
    }

    /** Feature j of row id: a value in [-2, 2] that Java computes as Spark's sin does. */
    static double feature(long id, int j) {
        return 2 * Math.sin(id * (0.37 + 0.11 * j) + j);
    }

    static Dataset<Row> rows(SparkSession spark, int n) {
        return spark.range(n).selectExpr("id",
                "2 * sin(id * 0.37 + 0) as f0", "2 * sin(id * 0.48 + 1) as f1",
                "2 * sin(id * 0.59 + 2) as f2", "2 * sin(id * 0.70 + 3) as f3");
    }

    static Tensor features(int n) {
        float[] x = new float[n * 4];
        for (int i = 0; i < n; i++) for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) feature(i, j);
        return Tensor.of(x, n, 4);
    }

    /** The largest |Spark - one JVM| over every probability, and how many labels differ, computed where the rows are. */
    private static double[] compare(Dataset<Row> scored, float[] expected, int k) {
        Broadcast<float[]> ref = JavaSparkContext.fromSparkContext(scored.sparkSession().sparkContext()).broadcast(expected);
        int label = List.of(scored.columns()).indexOf("prediction"), probability = label + 1;
        Dataset<double[]> diffs = scored.map((MapFunction<Row, double[]>) r -> {
            int id = (int) r.getLong(0), best = 0;
            float[] e = ref.value();
            List<Float> p = r.getList(probability);
            double worst = 0;
            for (int j = 0; j < k; j++) {
                worst = Math.max(worst, Math.abs(p.get(j) - e[id * k + j]));
                if (e[id * k + j] > e[id * k + best]) best = j;
            }
            return new double[] {worst, r.getDouble(label) == best ? 0 : 1};
        }, Encoders.kryo(double[].class));
        return diffs.reduce((org.apache.spark.api.java.function.ReduceFunction<double[]>) (a, b) -> new double[] {Math.max(a[0], b[0]), a[1] + b[1]});
    }

    @Test
    void scoringAMillionRowsGivesWhatPredictGivesOnOneJvm(@TempDir Path dir) {
        SparkSession spark = SharedSpark.get();
        Sequential model = irisModel(7);
        Path file = dir.resolve("iris.janus");
        model.save(file);
        float[] expected = model.predict(features(ROWS), JanusSpark.SCORING_BATCH).toFloatArray();

        Dataset<Row> scored = JanusSpark.predict(rows(spark, ROWS).repartition(2), file.toString(), COLS, "prediction");
        double[] d = compare(scored, expected, 3);
        assertEquals(0, d[1], "labels that differ from the single-JVM predict");
        assertTrue(d[0] <= 1e-6, "largest probability difference " + d[0]);
    }

    @Test
    void anOnnxFileScoresAsTheModelThatWroteIt(@TempDir Path dir) {
        SparkSession spark = SharedSpark.get();
        Sequential model = irisModel(11);
        Path onnx = ModelExport.toOnnx(model, dir.resolve("iris.onnx"), ExportOptions.defaults());
        int n = 5000;
        float[] expected = model.predict(features(n)).toFloatArray();
        Dataset<Row> scored = JanusSpark.predict(rows(spark, n), onnx.toString(), COLS, "prediction");
        assertEquals(List.of("id", "f0", "f1", "f2", "f3", "prediction", "prediction_probability"), List.of(scored.columns()));
        double[] d = compare(scored, expected, 3);
        assertEquals(0, d[1]);
        assertTrue(d[0] <= 1e-6, "largest probability difference " + d[0]);
    }

    @Test
    void aRegressionModelGivesOneValueFromAnArrayColumn() {
        SparkSession spark = SharedSpark.get();
        Sequential model = new Sequential().generator(new Generator(3));
        model.add(new Input(4));
        model.add(new Dense(8, "tanh"));
        model.add(new Dense(1));
        int n = 1000;
        float[] expected = model.predict(features(n)).toFloatArray();
        Dataset<Row> df = rows(spark, n).selectExpr("id", "array(f0, f1, f2, f3) as x");
        List<Row> got = JanusSpark.predict(df, model, "x", "y").orderBy("id").collectAsList();
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) assertEquals(expected[i], got.get(i).getDouble(2), 1e-6 * Math.max(1, Math.abs(expected[i])));
    }

    @Test
    void badColumnsAreClearErrorsOnTheDriver() {
        SparkSession spark = SharedSpark.get();
        Sequential model = irisModel(1);
        Dataset<Row> df = rows(spark, 10).selectExpr("id", "f0", "f1", "f2", "cast(f3 as string) as s");
        JanusException missing = assertThrows(JanusException.class, () -> JanusSpark.predict(df, model, COLS, "p"));
        assertTrue(missing.getMessage().contains("no column 'f3'"), missing.getMessage());
        JanusException text = assertThrows(JanusException.class, () -> JanusSpark.predict(df, model, List.of("f0", "f1", "f2", "s"), "p"));
        assertTrue(text.getMessage().contains("'s' is string"), text.getMessage());
        JanusException count = assertThrows(JanusException.class, () -> JanusSpark.predict(df, model, List.of("f0", "f1", "f2"), "p"));
        assertTrue(count.getMessage().contains("takes 4 numbers per row"), count.getMessage());
        JanusException taken = assertThrows(JanusException.class, () -> JanusSpark.predict(df, model, List.of("f0", "f1", "f2", "f0"), "id"));
        assertTrue(taken.getMessage().contains("already has a column 'id'"), taken.getMessage());
        JanusException file = assertThrows(JanusException.class, () -> JanusSpark.predict(df, "/no/such/model.janus", COLS, "p"));
        assertTrue(file.getMessage().contains("no file /no/such/model.janus"), file.getMessage());
    }
}
