package dev.janus.spark;

import dev.janus.examples.IrisData;
import dev.janus.layers.Sequential;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/**
 * The checks of the suite that matter most, on {@code local-cluster[2,1,1024]}: two executor JVMs
 * beside the driver, so closures, broadcasts and the driver reduction cross processes as on a
 * cluster. Spark starts such executors from its own build only; the Maven jars do with Spark's
 * testing switches, which {@code spark/local-cluster.sh} sets. Too slow for the suite (each executor
 * JVM starts with the whole class path); prints what it compared and exits 1 on a mismatch.
 */
public final class LocalClusterCheck {
    private LocalClusterCheck() {
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("janus-local-cluster")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        System.out.printf("local-cluster[2,1,1024] up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        IrisData iris = IrisData.load();
        Dataset<Row> df = TrainingData.frame(spark, iris.xTrain, iris.yTrain);
        Sequential distributed = DataParallelTest.irisMlp(), single = DataParallelTest.irisMlp();
        JanusSpark.fit(distributed, df, new SparkFit().inputCols(TrainingData.columns(4)).epochs(5).batchSize(16).workers(2).seed(3));
        TrainingData.trainReference(single, iris.xTrain, iris.yTrain, 2, 16, 3, 5, true);
        double diff = TrainingData.weightDifference(distributed.getWeights(), single.getWeights());
        System.out.printf("iris MLP, 2 executors vs one JVM on the same global batches: largest relative weight difference %.2e%n", diff);

        int n = 20_000;
        float[] expected = single.predict(ScoringTest.features(n)).toFloatArray();
        List<Row> scored = JanusSpark.predict(ScoringTest.rows(spark, n).repartition(2), single, List.of("f0", "f1", "f2", "f3"), "prediction")
                .orderBy("id").collectAsList();
        double worst = 0;
        for (int i = 0; i < n; i++) {
            List<Float> p = scored.get(i).getList(6);
            for (int j = 0; j < 3; j++) worst = Math.max(worst, Math.abs(p.get(j) - expected[i * 3 + j]));
        }
        System.out.printf("scoring %d rows on 2 executors vs predict on one JVM: largest difference %.2e%n", n, worst);
        spark.stop();
        System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.exit(diff > 1e-6 || worst > 1e-6 ? 1 : 0);
    }
}
