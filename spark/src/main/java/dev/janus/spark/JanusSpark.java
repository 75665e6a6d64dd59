package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.optim.Optimizer;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.History;
import dev.janus.layers.Model;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/**
 * Janus on Apache Spark: scoring a DataFrame with a trained model, and synchronous data-parallel
 * training on a DataFrame.
 *
 * <p>Training ({@link #fit}): each worker (a barrier task) holds a replica of the model and a shard
 * of the rows; every step each computes the gradient on its part of the global batch, the workers
 * average them (weighted by rows) and all apply the same update, so the model is the one
 * single-process training reaches on the same global batches ({@link Shards} says which). The
 * gradients travel through a reduction on the driver, or through Spark's allGather
 * ({@link SparkFit.Exchange}); {@link SparkFit#averageEvery} averages parameters
 * instead, as Deeplearning4j does. Each epoch is one barrier stage started from the last epoch's
 * state (checkpointed to {@link SparkFit#checkpointDir} if given): a failed task makes Spark run
 * the stage again from there, and training ends with the model it would have had anyway.
 *
 * <p>Scoring: the model (a Janus model file or an ONNX file, as bytes) is broadcast once; each
 * executor thread compiles it once and runs the rows of its partitions through that plan in
 * batches. A model with more than one output per row is a classifier: {@code outputCol} gets the
 * predicted label (the index of the largest output, as a double, like Spark ML's "prediction") and
 * {@code outputCol + "_probability"} the probabilities (an array of floats: the softmax of the
 * outputs, unless the model ends in a softmax). Else {@code outputCol} gets the model's value
 * (regression).
 */
public final class JanusSpark {
    /** Rows per compiled batch when scoring. */
    public static final int SCORING_BATCH = 512;

    private JanusSpark() {
    }

    /** Scores with the model file at {@code modelPath} (any Hadoop path: local, hdfs://, s3a://), one column per input. */
    public static Dataset<Row> predict(Dataset<Row> df, String modelPath, List<String> inputCols, String outputCol) {
        return predict(df, readModel(df.sparkSession(), modelPath), modelPath, inputCols, null, outputCol);
    }

    /** Scores with the model file at {@code modelPath}, its inputs in one array (or ML vector) column. */
    public static Dataset<Row> predict(Dataset<Row> df, String modelPath, String vectorCol, String outputCol) {
        return predict(df, readModel(df.sparkSession(), modelPath), modelPath, null, vectorCol, outputCol);
    }

    /** Scores with a model in memory (sent as its model file). */
    public static Dataset<Row> predict(Dataset<Row> df, Model model, List<String> inputCols, String outputCol) {
        return predict(df, model.toBytes(), "model " + model.name(), inputCols, null, outputCol);
    }

    public static Dataset<Row> predict(Dataset<Row> df, Model model, String vectorCol, String outputCol) {
        return predict(df, model.toBytes(), "model " + model.name(), null, vectorCol, outputCol);
    }

    private static Dataset<Row> predict(Dataset<Row> df, byte[] model, String source, List<String> inputCols, String vectorCol, String outputCol) {
        if (outputCol == null || outputCol.isEmpty()) throw new JanusException("predict: no output column given");
        StructType schema = df.schema();
        // Compiled here once too: a model that cannot be scored fails on the driver, before any task.
        Scorer probe = new Scorer(Scorer.graph(model, source), 1);
        RowFeatures features = vectorCol != null ? RowFeatures.vector(schema, vectorCol, probe.width(), "predict")
                : RowFeatures.columns(schema, inputCols, "predict");
        if (features.width() != probe.width()) {
            throw new JanusException("predict: " + features.width() + " input columns " + features.names() + ", but " + source
                    + " takes " + probe.width() + " numbers per row");
        }
        StructType out = schema.add(outputCol, DataTypes.DoubleType, false);
        if (probe.classifier()) out = out.add(outputCol + "_probability", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        for (String name : Arrays.copyOfRange(out.fieldNames(), schema.size(), out.size())) {
            if (Arrays.asList(schema.fieldNames()).contains(name)) throw new JanusException("predict: the DataFrame already has a column '" + name + "'");
        }
        Broadcast<byte[]> shared = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext()).broadcast(model);
        return df.mapPartitions(new ScorePartition(shared, source, features, SCORING_BATCH), Encoders.row(out));
    }

    /**
     * Trains a compiled Keras-style model (a Sequential, or a Functional model with one input and
     * one output) on the DataFrame's rows (features as the model's input,
     * labels as its loss takes them), as {@code fit} does on one machine; the model ends trained
     * (weights and optimizer state). Dropout masks are drawn per worker.
     */
    public static History fit(Model model, Dataset<Row> df, SparkFit options) {
        return DataParallel.fit(Trainee.of(model), df, options);
    }

    /**
     * Trains an eager module with the user's training step: {@code module} gives the starting weights
     * and ends trained; {@code factory} makes the same architecture on each worker, and
     * {@code optimizer} the update rule. Rows become inputs of {@link SparkFit#sampleShape} (default:
     * a vector) and labels of {@link SparkFit#labelDType} (default: int64 for an integer column).
     */
    public static History fit(NNModule module, ReplicaFactory<? extends NNModule> factory, ReplicaFactory<? extends Optimizer> optimizer,
                              EagerTrainingStep step, Dataset<Row> df, SparkFit options) {
        StructType schema = df.schema();
        int[] sample = options.sampleShape();
        if (sample == null) {
            int width = options.vectorCol() == null ? (options.inputCols() == null ? 0 : options.inputCols().size())
                    : firstLength(df, options.vectorCol());
            sample = new int[] {width};
        }
        if (!Arrays.asList(schema.fieldNames()).contains(options.labelCol())) {
            throw new JanusException("fit: no label column '" + options.labelCol() + "'; the columns are " + Arrays.toString(schema.fieldNames()));
        }
        DataType labelType = schema.apply(options.labelCol()).dataType();
        boolean scalar = labelType instanceof NumericType;
        boolean integral = labelType instanceof IntegralType;
        int[] label = scalar ? new int[0] : new int[] {firstLength(df, options.labelCol())};
        DType labelDType = options.labelDType() != null ? options.labelDType() : integral ? DType.INT64 : DType.FLOAT32;
        return DataParallel.fit(Trainee.of(module, factory, optimizer, step, sample, labelDType, label), df, options);
    }

    /** How many numbers the first row's array (or vector) in this column holds. */
    private static int firstLength(Dataset<Row> df, String col) {
        List<Row> first = df.select(col).limit(1).collectAsList();
        if (first.isEmpty()) throw new JanusException("fit: the DataFrame has no rows");
        Object v = first.get(0).get(0);
        if (v instanceof scala.collection.Seq) return ((scala.collection.Seq<?>) v).length();
        throw new JanusException("fit: column '" + col + "' holds " + v + "; give SparkFit.sampleShape for it");
    }

    /** The bytes of a model file on any Hadoop file system, read on the driver. */
    static byte[] readModel(SparkSession spark, String path) {
        return HadoopFiles.read(spark.sparkContext().hadoopConfiguration(), path, "the model");
    }
}
