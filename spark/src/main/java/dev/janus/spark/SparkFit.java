package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;

/**
 * The settings of data-parallel training on Spark, with fit's names where fit has them:
 * {@code new SparkFit().inputCols("f0", "f1").labelCol("label").epochs(20).batchSize(32).workers(2)}.
 *
 * <p>By default every step averages the workers' gradients (synchronous data parallelism: the
 * result is the model single-process training gets on the same global batches).
 * {@link #averageEvery(int)} switches to Deeplearning4j's parameter averaging: each worker steps on
 * its own batches with its own optimizer state, and every N steps the workers' parameters and
 * optimizer states are averaged (and at the end of each epoch). It exchanges data N times less
 * often, at the price of workers that drift apart in between: with N = 1 it is close to, not equal
 * to, synchronous training (each worker's Adam moments see only its own gradients), and a larger N
 * converges more slowly per epoch.
 */
public final class SparkFit {
    /**
     * How the workers combine gradients each step. The driver reduction is the default: Spark's
     * allGather costs about a second per call whatever the model's size (in Spark 4.0 a task waiting
     * in a barrier call checks its reply once a second, and the first worker to arrive always
     * waits), which is fine once per epoch but not once per step (benchmarks/RESULTS.md).
     */
    public enum Exchange {
        /** A reduction on the driver: each worker sends its vector and gets back the mean. */
        DRIVER,
        /** Spark's {@link org.apache.spark.BarrierTaskContext#allGather}: each worker gets every worker's vector and combines them. */
        ALL_GATHER
    }

    private List<String> inputCols;
    private String vectorCol, labelCol = "label", checkpointDir;
    private int epochs = 1, batchSize = 32, workers, averageEvery, verbose = 1;
    private boolean shuffle = true;
    private long seed;
    private Exchange exchange = Exchange.DRIVER;
    private int[] sampleShape;
    private DType labelDType;
    private transient PrintStream output = System.out;

    /** The features: one numeric column each. */
    public SparkFit inputCols(String... cols) {
        inputCols = List.of(cols);
        vectorCol = null;
        return this;
    }

    /** The features: one column holding them all (an array of numbers or an ML vector). */
    public SparkFit vectorCol(String col) {
        vectorCol = Objects.requireNonNull(col, "vectorCol");
        inputCols = null;
        return this;
    }

    /** The label: a number (a class index or a value) or an array of numbers (default "label"). */
    public SparkFit labelCol(String col) {
        labelCol = Objects.requireNonNull(col, "labelCol");
        return this;
    }

    public SparkFit epochs(int n) {
        if (n < 0) throw new JanusException("fit: epochs must be >= 0, got " + n);
        epochs = n;
        return this;
    }

    /** The global batch: rows per step over all workers together. */
    public SparkFit batchSize(int n) {
        if (n < 1) throw new JanusException("fit: batch size must be >= 1, got " + n);
        batchSize = n;
        return this;
    }

    /** Workers (barrier tasks, one core each); default: Spark's default parallelism. All must fit on the cluster at once. */
    public SparkFit workers(int n) {
        if (n < 1) throw new JanusException("fit: workers must be >= 1, got " + n);
        workers = n;
        return this;
    }

    /** Average parameters every {@code n} steps instead of gradients every step (0, the default: gradients). */
    public SparkFit averageEvery(int n) {
        if (n < 0) throw new JanusException("fit: averageEvery must be >= 0, got " + n);
        averageEvery = n;
        return this;
    }

    public SparkFit exchange(Exchange e) {
        exchange = Objects.requireNonNull(e, "exchange");
        return this;
    }

    /** Shuffle each worker's rows before each epoch (default true), from the seed. */
    public SparkFit shuffle(boolean on) {
        shuffle = on;
        return this;
    }

    /** Seeds the shuffling and the dropout masks (per epoch and worker, so a retried epoch repeats them). */
    public SparkFit seed(long s) {
        seed = s;
        return this;
    }

    /**
     * A directory (any Hadoop path) for a checkpoint after each epoch, written atomically. A fit that
     * finds checkpoints there goes on after the last one, as Keras's BackupAndRestore does.
     */
    public SparkFit checkpointDir(String dir) {
        checkpointDir = dir;
        return this;
    }

    /** 0 silent, 1 or 2 one line per epoch on the driver (default 1). */
    public SparkFit verbose(int level) {
        if (level < 0 || level > 2) throw new JanusException("fit: verbose must be 0, 1 or 2, got " + level);
        verbose = level;
        return this;
    }

    /** Where the epoch lines go (System.out unless set). */
    public SparkFit output(PrintStream out) {
        output = Objects.requireNonNull(out, "output");
        return this;
    }

    /** An eager module's input shape per row (default: the features as a vector), for example 1, 8, 8. */
    public SparkFit sampleShape(int... shape) {
        sampleShape = shape.clone();
        return this;
    }

    /** An eager module's label dtype (default: INT64 for an integer label column, else FLOAT32). */
    public SparkFit labelDType(DType d) {
        labelDType = Objects.requireNonNull(d, "labelDType");
        return this;
    }

    List<String> inputCols() {
        return inputCols;
    }

    String vectorCol() {
        return vectorCol;
    }

    String labelCol() {
        return labelCol;
    }

    int epochs() {
        return epochs;
    }

    int batchSize() {
        return batchSize;
    }

    int workers() {
        return workers;
    }

    int averageEvery() {
        return averageEvery;
    }

    Exchange exchange() {
        return exchange;
    }

    boolean shuffle() {
        return shuffle;
    }

    long seed() {
        return seed;
    }

    String checkpointDir() {
        return checkpointDir;
    }

    int verbose() {
        return verbose;
    }

    PrintStream output() {
        return output;
    }

    int[] sampleShape() {
        return sampleShape == null ? null : sampleShape.clone();
    }

    DType labelDType() {
        return labelDType;
    }
}
