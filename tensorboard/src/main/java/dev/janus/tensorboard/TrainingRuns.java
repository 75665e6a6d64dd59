package dev.janus.tensorboard;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The two runs a training writes as Keras lays them out: {@code logDir/train} and
 * {@code logDir/validation}, each file created when first written to. {@link #epoch} splits an
 * epoch's logs between them as Keras's {@link TensorBoard} callback does, so that any training loop
 * (an eager one too) gives TensorBoard the same tags: "epoch_loss" of the training in train/, of
 * the validation ("val_loss") in validation/, where TensorBoard draws them in one chart.
 *
 * <pre>{@code
 * try (TrainingRuns runs = new TrainingRuns(Path.of("logs/eager"))) {
 *     trainer.fit(train, validation, epochs, 16, Generator.global(), null, runs::epoch);
 * }
 * }</pre>
 */
public final class TrainingRuns implements AutoCloseable {
    private final Path logDir;
    private SummaryWriter train, validation;

    public TrainingRuns(Path logDir) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
    }

    public Path logDir() {
        return logDir;
    }

    /** The train/ run, for whatever else the training logs (histograms, the graph). */
    public synchronized SummaryWriter train() {
        if (train == null) train = new SummaryWriter(logDir.resolve("train"));
        return train;
    }

    public synchronized SummaryWriter validation() {
        if (validation == null) validation = new SummaryWriter(logDir.resolve("validation"));
        return validation;
    }

    /**
     * An epoch's logs: "loss", "accuracy" ... as "epoch_loss", "epoch_accuracy" ... in train/, and
     * "val_loss" ... as "epoch_loss" ... in validation/, as Keras writes them; step = epoch (from 0).
     */
    public void epoch(int epoch, Map<String, Double> logs) {
        epoch(epoch, -1, logs);
    }

    /**
     * As {@link #epoch(int, Map)}, and, given the training steps so far ({@code iterations} >= 0),
     * the validation logs also as "evaluation_loss_vs_iterations" ... at that step, as Keras does.
     */
    public void epoch(int epoch, long iterations, Map<String, Double> logs) {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getKey().startsWith("val_")) {
                String name = e.getKey().substring(4);
                validation().addScalar("epoch_" + name, e.getValue(), epoch);
                if (iterations >= 0) validation().addScalar("evaluation_" + name + "_vs_iterations", e.getValue(), iterations);
            } else {
                train().addScalar("epoch_" + e.getKey(), e.getValue(), epoch);
            }
        }
    }

    /** Closes both runs' files (a later write opens new ones, as a new Keras fit does). */
    @Override
    public synchronized void close() {
        try {
            if (train != null) train.close();
        } finally {
            train = null;
            try {
                if (validation != null) validation.close();
            } finally {
                validation = null;
            }
        }
    }
}
