package dev.janus.spark;

import dev.janus.core.Tensor;
import dev.janus.examples.DigitsData;
import dev.janus.layers.Fit;
import dev.janus.layers.Sequential;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Throughput on Spark against its peers, side by side in one run (benchmarks/RESULTS.md):
 * scoring rows/s on local[2] against the same model's predict in a plain Java loop on one thread,
 * and training rows/s with 1 and 2 workers against fit on one JVM, and the cost of one gradient
 * exchange (driver reduction and allGather). Not a test: run it on a quiet machine with
 * {@code spark/bench.sh}.
 */
public final class SparkBenchmark {
    private SparkBenchmark() {
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        SparkSession spark = SharedSpark.get();
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "machine: %d cores, Java %s, Spark %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), spark.version(), spark.sparkContext().master());

        // Scoring: the iris MLP on `rows` rows of 4 features.
        Sequential model = ScoringTest.irisModel(7);
        Dataset<Row> df = ScoringTest.rows(spark, rows).repartition(2).cache();
        df.count();
        Tensor x = ScoringTest.features(rows);
        List<Double> spk = new ArrayList<>(), loop = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            JanusSpark.predict(df, model, List.of("f0", "f1", "f2", "f3"), "prediction").write().format("noop").mode("overwrite").save();
            spk.add(rows / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            Tensor p = model.predict(x, JanusSpark.SCORING_BATCH);
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                int best = 0;
                for (int j = 1; j < 3; j++) if (p.readDouble(i * 3 + j) > p.readDouble(i * 3 + best)) best = j;
                labels[i] = best;
            }
            loop.add(rows / ((System.nanoTime() - t0) / 1e9));
        }
        df.unpersist();
        out.printf(Locale.ROOT, "scoring %d rows (iris MLP, batches of %d), median of 5 after the first: Spark local[2] %.0f rows/s; "
                + "plain Java loop (predict, one thread) %.0f rows/s; ratio %.2f%n", rows, JanusSpark.SCORING_BATCH,
                median(spk.subList(1, 5)), median(loop.subList(1, 5)), median(spk.subList(1, 5)) / median(loop.subList(1, 5)));

        // Training: the digits MLP, 1 and 2 workers, against fit on one JVM.
        DigitsData digits = DigitsData.load();
        Dataset<Row> train = TrainingData.frame(spark, digits.train.tensor(0), digits.train.tensor(1)).cache();
        train.count();
        int epochs = 6;
        for (int workers : new int[] {1, 2}) {
            Sequential m = ParameterAveragingTest.digitsMlp();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            long t0 = System.nanoTime();
            JanusSpark.fit(m, train, new SparkFit().inputCols(TrainingData.columns(64)).epochs(epochs).batchSize(32).workers(workers)
                    .output(new PrintStream(log, true, StandardCharsets.UTF_8)));
            double s = (System.nanoTime() - t0) / 1e9;
            List<Double> perEpoch = new ArrayList<>();
            for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
                perEpoch.add(Double.parseDouble(line.replaceAll(".*\\((\\d+) rows/s\\).*", "$1")));
            }
            out.printf(Locale.ROOT, "training the digits MLP, batch 32, %d worker(s): %.0f rows/s (median epoch of %d after the first; %.1f s in all)%n",
                    workers, median(perEpoch.subList(1, epochs)), epochs, s);
        }
        Sequential m = ParameterAveragingTest.digitsMlp();
        m.fit(digits.train.tensor(0), digits.train.tensor(1), new Fit().epochs(1).batchSize(32).verbose(0));
        long t0 = System.nanoTime();
        m.fit(digits.train.tensor(0), digits.train.tensor(1), new Fit().epochs(epochs).batchSize(32).verbose(0));
        out.printf(Locale.ROOT, "training the digits MLP, batch 32, fit on one JVM (one thread): %.0f rows/s%n",
                epochs * digits.train.size() / ((System.nanoTime() - t0) / 1e9));

        // The exchange: one epoch of 12 steps each way.
        for (SparkFit.Exchange e : SparkFit.Exchange.values()) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            long t1 = System.nanoTime();
            JanusSpark.fit(ParameterAveragingTest.digitsMlp(), train, new SparkFit().inputCols(TrainingData.columns(64)).epochs(1)
                    .batchSize(128).workers(2).exchange(e).output(new PrintStream(log, true, StandardCharsets.UTF_8)));
            out.printf(Locale.ROOT, "one epoch of 12 steps (digits MLP, batch 128, 2 workers) with the %s exchange: %.2f s (%s)%n",
                    e, (System.nanoTime() - t1) / 1e9, log.toString(StandardCharsets.UTF_8).trim());
        }
        train.unpersist();
        spark.stop();
    }
}
