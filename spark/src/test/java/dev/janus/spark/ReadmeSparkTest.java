package dev.janus.spark;

import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Spark code, run: the Java API on a CSV, an eager module, and the spark-submit program's two commands. */
class ReadmeSparkTest {
    static final String[] COLUMNS = {"sepal_length", "sepal_width", "petal_length", "petal_width", "species"};

    /** Iris as a CSV with a header line (the species as 0, 1, 2). */
    static Path irisCsv(Path dir) throws IOException {
        TensorDataset iris = Iris.load();
        Tensor x = iris.tensor(0), y = iris.tensor(1);
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (int i = 0; i < x.dim(0); i++) {
            for (int j = 0; j < 4; j++) sb.append(x.readDouble(i * 4 + j)).append(',');
            sb.append((long) y.readDouble(i)).append('\n');
        }
        Path csv = dir.resolve("iris.csv");
        Files.writeString(csv, sb);
        return csv;
    }

    static final class Net extends NNModule {
        final Linear fc1 = registerModule("fc1", new Linear(4, 32));
        final Linear fc2 = registerModule("fc2", new Linear(32, 3));
        final ReLU relu = registerModule("relu", new ReLU());

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(relu.forward(fc1.forward(x)));
        }
    }

    @Test
    void theJavaApiTrainsAndScoresACsv(@TempDir Path dir) throws IOException {
        SparkSession spark = SharedSpark.get();
        String csv = irisCsv(dir).toString(), checkpoints = dir.resolve("checkpoints").toString();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream lines = new PrintStream(log, true, StandardCharsets.UTF_8);
        // README: spark-api
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true").csv(csv);
        List<String> features = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");

        Sequential model = new Sequential(new Input(4), new Dense(32, "relu"), new Dense(3, "softmax"));
        model.compile(new Adam(1e-2), "sparse_categorical_crossentropy", List.of("accuracy"));
        History history = JanusSpark.fit(model, df, new SparkFit()
                .inputCols(features.toArray(new String[0])).labelCol("species")
                .epochs(15).batchSize(16).workers(2).checkpointDir(checkpoints).output(lines));   // a line per epoch

        Dataset<Row> scored = JanusSpark.predict(df, model, features, "prediction");   // + "prediction_probability"
        double accuracy = scored.filter("prediction = species").count() / (double) scored.count();
        // README: end
        assertEquals(15, history.get("loss").size());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("Epoch 15/15 - 2 workers"), log.toString(StandardCharsets.UTF_8));
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);

        // README: spark-eager
        Net net = new Net();
        History eager = JanusSpark.fit(net, Net::new, () -> new Adam(1e-2),
                (m, x, y) -> new CrossEntropyLoss().forward(m.forward(x), y),
                df, new SparkFit().inputCols(features.toArray(new String[0])).labelCol("species").epochs(15).batchSize(16).workers(2));
        // README: end
        List<Double> loss = eager.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "eager loss " + loss);
    }

    @Test
    void theSparkSubmitProgramTrainsAndScoresACsv(@TempDir Path dir) throws IOException {
        SparkSession spark = SharedSpark.get();
        String csv = irisCsv(dir).toString(), model = dir.resolve("iris.janus").toString(), out = dir.resolve("scored").toString();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream lines = new PrintStream(log, true, StandardCharsets.UTF_8);
        CsvJob.run(spark, new String[] {"train", csv, "--label", "species", "--model", model, "--epochs", "15", "--batch", "16", "--workers", "2"}, lines);
        CsvJob.run(spark, new String[] {"score", csv, "--model", model, "--label", "species", "--out", out}, lines);
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("model written to " + model), printed);
        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(Path.of(out))) {
            for (Path p : parts.filter(p -> p.getFileName().toString().endsWith(".csv")).toList()) rows.addAll(Files.readAllLines(p));
        }
        assertTrue(rows.get(0).startsWith("sepal_length,sepal_width,petal_length,petal_width,species,prediction,probability"), rows.get(0));
        long right = rows.stream().filter(r -> !r.startsWith("sepal")).filter(r -> {
            String[] f = r.split(",");
            return Double.parseDouble(f[4]) == Double.parseDouble(f[5]);
        }).count();
        assertTrue(right > 0.9 * 150, right + " of 150 right");
    }
}
