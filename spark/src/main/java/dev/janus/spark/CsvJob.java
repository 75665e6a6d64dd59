package dev.janus.spark;

import dev.janus.core.JanusException;
import dev.janus.core.optim.Adam;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spark-submit program: trains an MLP classifier on a CSV's numeric columns, or scores a CSV
 * with a model file, on whatever cluster spark-submit names.
 *
 * <pre>
 * train &lt;csv&gt; --label COL --model FILE [--hidden 64,32] [--lr 0.01] [--epochs 20] [--batch 32] [--workers N] [--checkpoints DIR]
 * score &lt;csv&gt; --model FILE --out DIR [--label COL]
 * </pre>
 *
 * The CSV has a header line; every numeric column but the label (when scoring: if named) is a feature; the label holds class
 * indices 0..k-1. Paths are Hadoop paths (local, hdfs://, s3a:// ...). Scoring writes the rows with
 * "prediction" and, for a classifier, "probability" (the probabilities joined by ';') as CSV.
 */
public final class CsvJob {
    private CsvJob() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("janus " + String.join(" ", args)).getOrCreate();
        try {
            run(spark, args, System.out);
        } finally {
            spark.stop();
        }
    }

    /** Runs one command on the session; the options after the CSV are "--name value" pairs. */
    public static void run(SparkSession spark, String[] args, PrintStream out) {
        if (args.length < 2 || !(args[0].equals("train") || args[0].equals("score"))) {
            throw new JanusException("usage: train <csv> --label COL --model FILE [--hidden 64,32] [--lr 0.01] [--epochs N] [--batch N] [--workers N]"
                    + " [--checkpoints DIR] | score <csv> --model FILE --out DIR [--label COL]");
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) throw new JanusException("expected --name value, got " + args[i]);
            o.put(args[i].substring(2), args[i + 1]);
        }
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true").csv(args[1]);
        String model = required(o, "model");
        if (args[0].equals("train")) train(spark, df, o, model, out);
        else score(df, model, o.get("label"), required(o, "out"), out);
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) throw new JanusException("--" + name + " is missing");
        return v;
    }

    private static void train(SparkSession spark, Dataset<Row> df, Map<String, String> o, String path, PrintStream out) {
        String label = required(o, "label");
        List<String> features = features(df, label);
        int classes = (int) Math.round(((Number) df.agg(org.apache.spark.sql.functions.max(label)).first().get(0)).doubleValue()) + 1;
        Sequential model = new Sequential(new Input(features.size()));
        for (String h : o.getOrDefault("hidden", "64,32").split(",")) model.add(new Dense(Integer.parseInt(h.trim()), "relu"));
        model.add(new Dense(classes, "softmax"));
        model.compile(new Adam(Double.parseDouble(o.getOrDefault("lr", "0.01"))), "sparse_categorical_crossentropy", List.of("accuracy"));
        SparkFit fit = new SparkFit().inputCols(features.toArray(new String[0])).labelCol(label)
                .epochs(Integer.parseInt(o.getOrDefault("epochs", "20"))).batchSize(Integer.parseInt(o.getOrDefault("batch", "32")))
                .checkpointDir(o.get("checkpoints")).output(out);
        if (o.containsKey("workers")) fit.workers(Integer.parseInt(o.get("workers")));
        History h = JanusSpark.fit(model, df.withColumn(label, df.col(label).cast("long")), fit);
        HadoopFiles.write(spark.sparkContext().hadoopConfiguration(), path, model.toBytes(), "the model");
        out.printf("trained on %s (%d features, %d classes): final loss %.4f, accuracy %.4f; model written to %s%n",
                features, features.size(), classes, last(h, "loss"), last(h, "accuracy"), path);
    }

    /** Every numeric column but the label. */
    private static List<String> features(Dataset<Row> df, String label) {
        List<String> features = new ArrayList<>();
        for (StructField f : df.schema().fields()) if (f.dataType() instanceof NumericType && !f.name().equals(label)) features.add(f.name());
        if (features.isEmpty()) throw new JanusException("the CSV has no numeric feature columns" + (label == null ? "" : " besides " + label));
        return features;
    }

    private static double last(History h, String key) {
        List<Double> v = h.get(key);
        return v.get(v.size() - 1);
    }

    private static void score(Dataset<Row> df, String model, String label, String dir, PrintStream out) {
        List<String> features = features(df, label);
        Dataset<Row> scored = JanusSpark.predict(df, model, features, "prediction");
        if (List.of(scored.columns()).contains("prediction_probability")) {
            scored = scored.withColumn("probability", org.apache.spark.sql.functions.array_join(
                    scored.col("prediction_probability").cast("array<string>"), ";")).drop("prediction_probability");
        }
        scored.write().mode("overwrite").option("header", "true").csv(dir);
        out.printf("scored %s with %s into %s%n", features, model, dir);
    }
}
