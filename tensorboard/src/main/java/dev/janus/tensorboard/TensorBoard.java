package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.layers.Layer;
import dev.janus.layers.Model;
import dev.janus.layers.Weight;
import dev.janus.layers.callbacks.Callback;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Keras's {@code TensorBoard} callback: logs a Keras-style model's training for TensorBoard, in two
 * runs as Keras writes them, {@code logDir/train} and {@code logDir/validation}.
 *
 * <pre>{@code
 * model.fit(x, y, new Fit().epochs(50).validationSplit(0.2)
 *         .callbacks(new TensorBoard(Path.of("logs")).histogramFreq(1)));
 * }</pre>
 *
 * <ul>
 *   <li>Each epoch: the training logs as "epoch_loss", "epoch_accuracy" ... and the optimizer's
 *       "epoch_learning_rate" in train/, the validation logs under the same tags (their "val_"
 *       dropped) in validation/, step = epoch (from 0); in validation/ also
 *       "evaluation_loss_vs_iterations" ... with the training steps so far as step.</li>
 *   <li>{@code updateFreq("batch")} or {@code updateFreq(n)}: every n-th batch the running logs as
 *       "batch_loss" ... in train/, step = batches trained in this fit (from 1).</li>
 *   <li>{@code histogramFreq(n)}: every n-th epoch a histogram of each weight, "dense/kernel/histogram";
 *       with {@code writeImages(true)} also each weight as a picture, "dense/kernel/image" (Keras's
 *       layout: a Conv2D kernel as one image per filter, a Dense kernel as one image with its longer
 *       side across; scaled from the weight's smallest to its largest value).</li>
 *   <li>{@code writeGraph} (on by default): the model's graph before the first step, to train/: the
 *       training graph the compiler differentiates (layers, loss and metrics), or the inference graph
 *       when the model runs eagerly.</li>
 * </ul>
 *
 * <p>Keras's {@code profile_batch} is left out: Janus has no profiler trace for TensorBoard's
 * profile plugin. Nor are {@code write_steps_per_second} and the embeddings projector written.
 */
public final class TensorBoard implements Callback {
    private final Path logDir;
    private int histogramFreq;
    private boolean writeGraph = true, writeImages;
    private int updateFreq;   // 0: per epoch; n: every n-th batch
    private Model model;
    private final TrainingRuns runs;
    private long globalTrainBatch;

    /** Logs to "logs", Keras's default. */
    public TensorBoard() {
        this(Path.of("logs"));
    }

    public TensorBoard(Path logDir) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
        this.runs = new TrainingRuns(logDir);
    }

    /** Weight histograms every n-th epoch (0, the default: none). */
    public TensorBoard histogramFreq(int n) {
        if (n < 0) throw new JanusException("TensorBoard: histogramFreq must be >= 0, got " + n);
        histogramFreq = n;
        return this;
    }

    public TensorBoard writeGraph(boolean on) {
        writeGraph = on;
        return this;
    }

    /** Also write the weights as pictures when the histograms are written. */
    public TensorBoard writeImages(boolean on) {
        writeImages = on;
        return this;
    }

    /** "epoch" (the default): the logs once per epoch; "batch": also after every batch. */
    public TensorBoard updateFreq(String freq) {
        switch (freq) {
            case "epoch" -> updateFreq = 0;
            case "batch" -> updateFreq = 1;
            default -> throw new JanusException("TensorBoard: updateFreq must be \"epoch\", \"batch\" or a number of batches, got '" + freq + "'");
        }
        return this;
    }

    /** The logs after every n-th batch too. */
    public TensorBoard updateFreq(int batches) {
        if (batches < 1) throw new JanusException("TensorBoard: updateFreq must be >= 1 batches, got " + batches);
        updateFreq = batches;
        return this;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void setModel(Model m) {
        model = m;
        closeWriters();
    }

    private SummaryWriter train() {
        return runs.train();
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        globalTrainBatch = 0;
        // The training graph does not change once compiled: converted on the writer's I/O thread.
        if (writeGraph && model != null) train().addGraphInBackground(graphOf(model));
    }

    private static Graph graphOf(Model model) {
        return model.runEagerly() ? model.inferenceGraph() : model.compiledTrainingStep().model();
    }

    @Override
    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
        globalTrainBatch++;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (updateFreq == 0 || globalTrainBatch % updateFreq != 0) return;
        for (Map.Entry<String, Double> e : logs.entrySet()) train().addScalar("batch_" + e.getKey(), e.getValue(), globalTrainBatch);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        runs.epoch(epoch, globalTrainBatch, logs);
        if (model != null && model.optimizer() != null) train().addScalar("epoch_learning_rate", model.optimizer().lr(), epoch);
        if (histogramFreq > 0 && epoch % histogramFreq == 0 && model != null) logWeights(epoch);
    }

    private void logWeights(int epoch) {
        for (Layer layer : model.layers()) {
            for (Weight w : layer.weights()) {
                train().addHistogram(w.name() + "/histogram", w.value(), epoch);
                if (writeImages) {
                    Tensor picture = weightPicture(w.value());
                    if (picture != null) train().addImages(w.name() + "/image", Images.rescaled(picture), epoch, "NHWC");
                }
            }
        }
    }

    /**
     * Keras's layout of a weight as images [N, H, W, 1]: a vector as one column, a matrix with its
     * longer side across, a Conv2D kernel [kh, kw, in, out] with one input channel as one image per
     * filter; null for what Keras does not draw.
     */
    static Tensor weightPicture(Tensor w) {
        int[] d = java.util.Arrays.stream(w.shape().dims()).filter(k -> k != 1).toArray();   // squeezed, as Keras does
        double[] v = w.toDoubleArray();
        if (d.length == 1) return Tensor.of(v, 1, d[0], 1, 1);
        if (d.length == 2) {
            if (d[0] <= d[1]) return Tensor.of(v, 1, d[0], d[1], 1);
            double[] t = new double[v.length];
            for (int i = 0; i < d[0]; i++) for (int j = 0; j < d[1]; j++) t[j * d[0] + i] = v[i * d[1] + j];
            return Tensor.of(t, 1, d[1], d[0], 1);
        }
        if (d.length == 3) {   // [kh, kw, filters], channels last: one image per filter
            int h = d[0], wd = d[1], n = d[2];
            double[] t = new double[v.length];
            for (int y = 0; y < h; y++) for (int x = 0; x < wd; x++) for (int f = 0; f < n; f++) t[(f * h + y) * wd + x] = v[(y * wd + x) * n + f];
            return Tensor.of(t, n, h, wd, 1);
        }
        return null;
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        closeWriters();
    }

    private void closeWriters() {
        runs.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TensorBoard(%s, histogramFreq=%d, writeGraph=%s, writeImages=%s, updateFreq=%s)", logDir,
                histogramFreq, writeGraph, writeImages, updateFreq == 0 ? "epoch" : String.valueOf(updateFreq));
    }
}
