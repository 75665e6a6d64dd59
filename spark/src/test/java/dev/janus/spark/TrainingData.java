package dev.janus.spark;

import dev.janus.core.Tensor;
import dev.janus.layers.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** Tensors as DataFrames, and the reference: single-process training on the global batches the workers see. */
final class TrainingData {
    private TrainingData() {
    }

    /** Columns f0..f{k-1} (doubles) and "label" (long), one row per sample, in order. */
    static Dataset<Row> frame(SparkSession spark, Tensor x, Tensor y) {
        int n = x.dim(0), k = x.numel() / n;
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < k; j++) fields.add(DataTypes.createStructField("f" + j, DataTypes.DoubleType, false));
        fields.add(DataTypes.createStructField("label", DataTypes.LongType, false));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] v = new Object[k + 1];
            for (int j = 0; j < k; j++) v[j] = x.readDouble(i * k + j);
            v[k] = (long) y.readDouble(i);
            rows.add(RowFactory.create(v));
        }
        return spark.createDataFrame(rows, DataTypes.createStructType(fields));
    }

    static String[] columns(int k) {
        String[] c = new String[k];
        for (int j = 0; j < k; j++) c[j] = "f" + j;
        return c;
    }

    /** The rows of global batch {@code step} in {@code epoch}: each worker's part in worker order (as {@link Shards} defines it). */
    static int[] globalBatch(int n, int workers, int batch, long seed, int epoch, int step, boolean shuffle) {
        return globalBatch(n, workers, batch, seed, epoch, step, shuffle, false);
    }

    /** The same rows, with the workers' parts in reverse order when {@code reversed}: the same batch, summed in another order. */
    static int[] globalBatch(int n, int workers, int batch, long seed, int epoch, int step, boolean shuffle, boolean reversed) {
        List<Integer> rows = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            int w = reversed ? workers - 1 - k : k;
            int size = Shards.size(n, workers, w), b = Shards.localBatch(batch, workers, w);
            int[] order = Shards.order(seed, epoch, w, size, shuffle);
            for (int i = step * b; i < Math.min(size, (step + 1) * b); i++) rows.add(order[i] * workers + w);
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    static Tensor rows(Tensor t, int[] idx) {
        int width = t.numel() / t.dim(0);
        int[] shape = t.shape().dims().clone();
        shape[0] = idx.length;
        Tensor out = Tensor.empty(t.dtype(), dev.janus.core.Shape.of(shape));
        for (int i = 0; i < idx.length; i++) for (int j = 0; j < width; j++) out.setDouble(i * width + j, t.readDouble(idx[i] * width + j));
        return out;
    }

    /** Trains {@code model} on one JVM with trainOnBatch on exactly the global batches of the Spark run. */
    static void trainReference(Model model, Tensor x, Tensor y, int workers, int batch, long seed, int epochs, boolean shuffle) {
        trainReference(model, x, y, workers, batch, seed, epochs, shuffle, false);
    }

    /** The same, with each batch's rows in reversed worker order when {@code reversed}. */
    static void trainReference(Model model, Tensor x, Tensor y, int workers, int batch, long seed, int epochs, boolean shuffle,
                               boolean reversed) {
        int n = x.dim(0), steps = Shards.steps(n, batch, workers);
        for (int e = 0; e < epochs; e++) {
            for (int s = 0; s < steps; s++) {
                int[] idx = globalBatch(n, workers, batch, seed, e, s, shuffle, reversed);
                model.trainOnBatch(rows(x, idx), rows(y, idx));
            }
        }
    }

    /** The largest |a - b| of any weight, relative to the largest |b| of that weight. */
    static double weightDifference(List<Tensor> a, List<Tensor> b) {
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            double diff = 0, scale = 0;
            for (int j = 0; j < a.get(i).numel(); j++) {
                diff = Math.max(diff, Math.abs(a.get(i).readDouble(j) - b.get(i).readDouble(j)));
                scale = Math.max(scale, Math.abs(b.get(i).readDouble(j)));
            }
            worst = Math.max(worst, diff / Math.max(scale, 1e-12));
        }
        return worst;
    }
}
