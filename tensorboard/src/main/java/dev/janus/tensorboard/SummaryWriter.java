package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.eager.Tracer;
import dev.janus.eager.nn.NNModule;
import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes TensorBoard logs as PyTorch's {@code torch.utils.tensorboard.SummaryWriter} does, with its
 * method names in Java casing: one event file in {@code logDir}, and {@code addScalars} and
 * {@code addHparams} write runs in folders beneath it, as PyTorch's do.
 *
 * <pre>{@code
 * try (SummaryWriter w = new SummaryWriter(Path.of("runs/iris"))) {
 *     w.addGraph(model, x);
 *     for (int epoch = 0; epoch < 50; epoch++) {
 *         ...
 *         w.addScalar("loss", loss, epoch);
 *         w.addHistogram("fc1.weight", fc1.weight, epoch);
 *     }
 *     w.addHparams(Map.of("lr", 1e-3, "batch_size", 16), Map.of("hparam/accuracy", accuracy));
 * }
 * }</pre>
 *
 * <p>Events reach the file as whole records every 10 events, every 2 minutes, on {@link #flush()}
 * and on {@link #close()} ({@link EventFileWriter}). Methods are safe to call from several threads.
 */
public final class SummaryWriter implements AutoCloseable {
    private final Path logDir;
    private final int maxQueue;
    private final Duration flushInterval;
    private final String filenameSuffix;
    private final EventFileWriter file;
    private final Map<Path, EventFileWriter> scalarsWriters = new LinkedHashMap<>();

    /** Logs to runs/{date}_{host}, PyTorch's default folder (for example runs/Dec07_15-58-16_myhost). */
    public SummaryWriter() {
        this(Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMMdd_HH-mm-ss", Locale.ROOT))
                + "_" + EventFileWriter.hostName()));
    }

    /** Logs to {@code logDir} (created if missing), flushing every 10 events and every 120 seconds, as PyTorch's default. */
    public SummaryWriter(Path logDir) {
        this(logDir, 10, Duration.ofSeconds(120), "");
    }

    public SummaryWriter(Path logDir, int maxQueue, Duration flushInterval, String filenameSuffix) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
        this.maxQueue = maxQueue;
        this.flushInterval = flushInterval;
        this.filenameSuffix = filenameSuffix;
        this.file = new EventFileWriter(logDir, maxQueue, flushInterval, filenameSuffix);
    }

    public Path logDir() {
        return logDir;
    }

    /** The event file this writer writes (not those of addScalars' and addHparams' runs). */
    public Path file() {
        return file.file();
    }

    public void addScalar(String tag, double value, long step) {
        addScalar(tag, value, step, EventFileWriter.now());
    }

    public void addScalar(String tag, double value, long step, double wallTime) {
        file.addScalar(tag, value, step, wallTime);
    }

    /**
     * Several scalars in one chart, as PyTorch's add_scalars: each goes to its own run,
     * {@code logDir/{mainTag}_{key}} ("/" in mainTag becoming "_"), under the tag {@code mainTag}.
     */
    public void addScalars(String mainTag, Map<String, ? extends Number> values, long step) {
        Summaries.checkTag(mainTag);
        double now = EventFileWriter.now();
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            Path run = logDir.resolve(mainTag.replace('/', '_') + "_" + e.getKey());
            EventFileWriter w;
            synchronized (scalarsWriters) {
                w = scalarsWriters.computeIfAbsent(run, p -> new EventFileWriter(p, maxQueue, flushInterval, filenameSuffix));
            }
            w.add(Summaries.scalar(mainTag, e.getValue().doubleValue()), step, now);
        }
    }

    /** The histogram of the tensor's values, in TensorBoard's buckets ({@link Histograms}). */
    public void addHistogram(String tag, Tensor values, long step) {
        addHistogram(tag, values.toDoubleArray(), step);
    }

    public void addHistogram(String tag, double[] values, long step) {
        try {
            file.add(Summaries.histogram(tag, values), step, EventFileWriter.now());
        } catch (JanusException e) {
            throw new JanusException("addHistogram '" + tag + "': " + e.getMessage(), e);
        }
    }

    /** One image [C, H, W], float values in [0, 1] or integers 0..255 ({@link Images#fromTensor}). */
    public void addImage(String tag, Tensor image, long step) {
        addImage(tag, image, step, "CHW");
    }

    /** One image laid out as {@code dataformats}: "CHW", "HWC" or "HW". */
    public void addImage(String tag, Tensor image, long step, String dataformats) {
        addImage(tag, Images.fromTensor(image, dataformats), step);
    }

    /** A picture drawn in Java (a chart, a confusion matrix), written as PNG. */
    public void addImage(String tag, BufferedImage image, long step) {
        file.add(Summaries.image(tag, image), step, EventFileWriter.now());
    }

    /** Several images [N, C, H, W] in one grid, 8 to a row ({@link Images#grid}). */
    public void addImages(String tag, Tensor images, long step) {
        addImages(tag, images, step, "NCHW");
    }

    /** Several images laid out as "NCHW" or "NHWC", in one grid. */
    public void addImages(String tag, Tensor images, long step, String dataformats) {
        addImage(tag, Images.grid(images, dataformats), step);
    }

    /** Text (markdown) for the text dashboard, under "{tag}/text_summary" as PyTorch writes it. */
    public void addText(String tag, String text, long step) {
        file.add(Summaries.text(tag, text), step, EventFileWriter.now());
    }

    /** The hyperparameters and their metrics, in a run named after the current time (see below). */
    public void addHparams(Map<String, ?> hparams, Map<String, ? extends Number> metrics) {
        addHparams(hparams, metrics, String.valueOf(EventFileWriter.now()));
    }

    /**
     * One row of the hparams dashboard, as PyTorch's add_hparams: in the run {@code logDir/runName},
     * the plugin's experiment (which hyperparameters and which metric tags), this session's values,
     * its end, and each metric as a scalar under its own tag (the dashboard shows the last value
     * of each metric tag of the run). Values are numbers, strings or booleans.
     */
    public void addHparams(Map<String, ?> hparams, Map<String, ? extends Number> metrics, String runName) {
        if (hparams.isEmpty()) throw new JanusException("addHparams: no hyperparameters given");
        if (runName == null || runName.isEmpty()) throw new JanusException("addHparams: the run needs a name");
        List<String> tags = new ArrayList<>(metrics.keySet());
        Summary experiment = Summaries.hparamsExperiment(hparams, tags);
        double now = EventFileWriter.now();
        Summary start = Summaries.hparamsSessionStart(hparams, now);
        try (EventFileWriter w = new EventFileWriter(logDir.resolve(runName), maxQueue, flushInterval, filenameSuffix)) {
            w.add(experiment, 0, now);
            w.add(start, 0, now);
            w.add(Summaries.hparamsSessionEnd(now), 0, now);
            for (Map.Entry<String, ? extends Number> m : metrics.entrySet()) w.add(Summaries.scalar(m.getKey(), m.getValue().doubleValue()), 0, now);
        }
    }

    /**
     * The model's graph for the graph dashboard, as PyTorch's add_graph: the forward traced on the
     * example ({@link Tracer}), in the module's present mode (call {@code eval()} first to leave
     * dropout out).
     */
    public void addGraph(NNModule model, Tensor exampleInput) {
        addGraph(Tracer.trace(model, exampleInput));
    }

    /** Any Janus IR graph (a Keras model's {@code inferenceGraph()}, a traced or imported one). */
    public void addGraph(Graph graph) {
        file.add(graphEvent(graph, EventFileWriter.now()));
    }

    /**
     * As {@link #addGraph(Graph)}, the conversion done on the writer's I/O thread: for a graph that
     * nobody changes any more (the callback's training graph), so a short fit does not wait for it.
     */
    void addGraphInBackground(Graph graph) {
        double now = EventFileWriter.now();
        file.addBuiltLater(() -> graphEvent(graph, now));
    }

    private static Event graphEvent(Graph graph, double wallTime) {
        return Event.newBuilder().setWallTime(wallTime).setGraphDef(GraphDefs.of(graph).toByteString()).build();
    }

    /** Writes what is pending in every file of this writer. */
    public void flush() {
        file.flush();
        synchronized (scalarsWriters) {
            for (EventFileWriter w : scalarsWriters.values()) w.flush();
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        synchronized (scalarsWriters) {
            for (EventFileWriter w : scalarsWriters.values()) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
        }
        try {
            file.close();
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        if (first != null) throw first;
    }
}
