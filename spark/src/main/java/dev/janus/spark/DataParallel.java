package dev.janus.spark;

import dev.janus.core.JanusException;
import dev.janus.layers.History;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's loop of data-parallel training: the rows are split once into one shard per worker
 * ({@link Shards}) and cached; each epoch is one barrier stage whose tasks start from the state
 * broadcast for it and whose worker 0 returns the state at the end. The barrier stage feeds a
 * shuffle (to one partition, which the driver collects), which makes it a stage that Spark retries
 * whole when a task fails (a failed barrier result stage is not retried). After each epoch the
 * state goes to the checkpoint directory, a line is printed and the History records the epoch.
 */
final class DataParallel {
    private DataParallel() {
    }

    static History fit(Trainee trainee, Dataset<Row> df, SparkFit o) {
        SparkSession spark = df.sparkSession();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        StructType schema = df.schema();
        RowFeatures features = o.vectorCol() != null ? RowFeatures.vector(schema, o.vectorCol(), trainee.width(), "fit")
                : RowFeatures.columns(schema, o.inputCols(), "fit");
        if (features.width() != trainee.width()) {
            throw new JanusException("fit: " + features.width() + " input columns " + features.names() + ", but the model takes "
                    + trainee.width() + " numbers per row");
        }
        boolean scalarLabel = schema.fields()[fieldIndex(schema, o.labelCol())].dataType() instanceof NumericType;
        if (scalarLabel && trainee.labelWidth() != 1) {
            throw new JanusException("fit: label column '" + o.labelCol() + "' holds one number, the loss takes " + trainee.labelWidth() + " per row");
        }
        RowFeatures labels = scalarLabel ? RowFeatures.columns(schema, List.of(o.labelCol()), "fit")
                : RowFeatures.vector(schema, o.labelCol(), trainee.labelWidth(), "fit");
        int workers = o.workers() > 0 ? o.workers() : spark.sparkContext().defaultParallelism();
        if (o.batchSize() < workers) throw new JanusException("fit: batch size " + o.batchSize() + " is smaller than the " + workers + " workers");

        JavaRDD<Sample> shards = df.javaRDD().zipWithIndex().mapToPair(new ToSample(features, labels, workers))
                .partitionBy(new HashPartitioner(workers)).values().persist(StorageLevel.MEMORY_AND_DISK());
        DriverReduction reduction = null;
        List<Broadcast<byte[]>> broadcasts = new ArrayList<>();
        try {
            long rows = shards.count();
            if (rows == 0) throw new JanusException("fit: the DataFrame has no rows");
            int steps = Shards.steps(rows, o.batchSize(), workers);
            if (o.exchange() == SparkFit.Exchange.DRIVER) reduction = new DriverReduction(spark.sparkContext().conf().get("spark.driver.host", "localhost"), workers);

            Checkpoints checkpoints = o.checkpointDir() == null ? null
                    : new Checkpoints(o.checkpointDir(), trainee.suffix(), spark.sparkContext().hadoopConfiguration());
            int start = checkpoints == null ? 0 : Math.min(checkpoints.latest(), o.epochs());
            byte[] state;
            if (start > 0) {
                state = checkpoints.read(start);
                trainee.check(state, checkpoints.path(start).toString());
                if (o.verbose() > 0) o.output().println("resuming after epoch " + start + " from " + checkpoints.path(start));
            } else {
                state = trainee.state();
            }

            History history = new History();
            List<String> names = trainee.statNames();
            for (int epoch = start; epoch < o.epochs(); epoch++) {
                long t0 = System.nanoTime();
                Broadcast<byte[]> shared = jsc.broadcast(state);
                broadcasts.add(shared);
                EpochTask task = new EpochTask(trainee.spec(), shared, epoch, workers, o.batchSize(), steps, o.averageEvery(),
                        o.seed(), o.shuffle(), reduction == null ? null : reduction.address());
                RDD<EpochResult> done = shards.rdd().barrier().mapPartitions(task, false, ClassTag$.MODULE$.apply(EpochResult.class));
                List<EpochResult> results = new ArrayList<>(done.toJavaRDD().mapToPair(r -> new Tuple2<>(r.worker, r))
                        .partitionBy(new HashPartitioner(1)).values().collect());
                results.sort(Comparator.comparingInt(r -> r.worker));
                double[] sums = new double[names.size()];
                long seen = 0;
                for (EpochResult r : results) {
                    seen += r.rows;
                    for (int i = 0; i < sums.length; i++) sums[i] += r.sums[i];
                }
                state = results.get(0).state;
                shared.unpersist();
                if (checkpoints != null) checkpoints.write(epoch + 1, state);
                Map<String, Double> logs = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) logs.put(names.get(i), sums[i] / seen);
                history.record(epoch, logs);
                if (o.verbose() > 0) o.output().println(line(epoch, o.epochs(), workers, steps, seen, (System.nanoTime() - t0) / 1e9, logs));
            }
            trainee.restore(state);
            return history;
        } finally {
            if (reduction != null) reduction.close();
            for (Broadcast<byte[]> b : broadcasts) b.destroy();
            shards.unpersist(false);
        }
    }

    private static int fieldIndex(StructType schema, String name) {
        for (int i = 0; i < schema.fields().length; i++) if (schema.fields()[i].name().equals(name)) return i;
        throw new JanusException("fit: no label column '" + name + "'; the columns are " + List.of(schema.fieldNames()));
    }

    /** "Epoch 3/10 - 2 workers x 45 steps - 0.41 s (3504 rows/s) - loss: 0.1234 - accuracy: 0.9667". */
    static String line(int epoch, int epochs, int workers, int steps, long rows, double seconds, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder(String.format("Epoch %d/%d - %d workers x %d steps - %.2f s (%.0f rows/s)",
                epoch + 1, epochs, workers, steps, seconds, rows / seconds));
        logs.forEach((k, v) -> sb.append(String.format(" - %s: %.4f", k, v)));
        return sb.toString();
    }

    /** A row with its index, as a sample keyed by the worker it goes to; bad numbers fail naming the row. */
    static final class ToSample implements PairFunction<Tuple2<Row, Long>, Integer, Sample> {
        private static final long serialVersionUID = 1;
        private final RowFeatures features, labels;
        private final int workers;

        ToSample(RowFeatures features, RowFeatures labels, int workers) {
            this.features = features;
            this.labels = labels;
            this.workers = workers;
        }

        @Override
        public Tuple2<Integer, Sample> call(Tuple2<Row, Long> indexed) {
            float[] x = new float[features.width()], y = new float[labels.width()];
            features.read(indexed._1(), x, 0);
            labels.read(indexed._1(), y, 0);
            check(x, features, indexed._2());
            check(y, labels, indexed._2());
            return new Tuple2<>((int) (indexed._2() % workers), new Sample(indexed._2(), x, y));
        }

        private static void check(float[] v, RowFeatures from, long row) {
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new JanusException("fit: row " + row + " has " + v[i] + " in " + from.names() + (v.length > 1 ? " at " + i : ""));
                }
            }
        }
    }
}
