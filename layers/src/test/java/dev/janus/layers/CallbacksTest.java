package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.callbacks.CSVLogger;
import dev.janus.layers.callbacks.Callback;
import dev.janus.layers.callbacks.EarlyStopping;
import dev.janus.layers.callbacks.LearningRateScheduler;
import dev.janus.layers.callbacks.ModelCheckpoint;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbacksTest {
    private static final Tensor X = Tensor.randn(new Generator(11), 24, 4);
    private static final Tensor Y;

    static {
        long[] y = new long[24];
        for (int i = 0; i < 24; i++) y[i] = (i * 7) % 3;
        Y = Tensor.of(y);
    }

    private static Sequential model() {
        Generator.manualSeed(5);
        Sequential m = new Sequential(new Input(4), new Dense(16, "relu"), new Dense(3, "softmax"));
        m.compile(new dev.janus.core.optim.Adam(0.05), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    private static Map<String, Double> logs(double valLoss) {
        Map<String, Double> m = new HashMap<>();
        m.put("val_loss", valLoss);
        return m;
    }

    @Test
    void earlyStoppingWaitsPatienceEpochsAndRestoresTheBest() {
        Sequential m = model();
        EarlyStopping stop = new EarlyStopping("val_loss").patience(2).restoreBestWeights(true);
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        m.output(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        stop.setModel(m);
        stop.setParams(Map.of("verbose", 1, "epochs", 5, "steps", 1));
        stop.onTrainBegin(new HashMap<>());
        double[] losses = {1.0, 0.8, 0.9, 0.85, 0.95};
        List<List<Tensor>> seen = new ArrayList<>();
        for (int e = 0; e < losses.length && !m.stopTraining(); e++) {
            m.weights().get(0).value().fill(e);       // stands for an epoch of training
            seen.add(m.getWeights());
            stop.onEpochEnd(e, logs(losses[e]));
        }
        assertEquals(3, stop.stoppedEpoch(), "two epochs without improvement after epoch 1");
        assertEquals(1, stop.bestEpoch());
        stop.onTrainEnd(new HashMap<>());
        assertArrayEquals(seen.get(1).get(0).f32(), m.weights().get(0).value().f32(), "the weights of epoch 1 are back");
        assertEquals("Epoch 4: early stopping; restoring weights from epoch 2" + System.lineSeparator(),
                printed.toString(java.nio.charset.StandardCharsets.UTF_8), "epochs counted from 1, as the progress display counts them");
    }

    /** As Keras's min_delta: an improvement of less than minDelta counts as none (it was public and untested). */
    @Test
    void earlyStoppingCountsImprovementsSmallerThanMinDeltaAsNone() {
        Sequential m = model();
        EarlyStopping stop = new EarlyStopping("val_loss").patience(1).minDelta(0.05);
        stop.setModel(m);
        stop.onTrainBegin(new HashMap<>());
        double[] losses = {1.0, 0.9, 0.87, 0.86, 0.5};
        int e = 0;
        for (; e < losses.length && !m.stopTraining(); e++) stop.onEpochEnd(e, logs(losses[e]));
        assertEquals(2, stop.stoppedEpoch(), "0.9 -> 0.87 improves by 0.03 < 0.05: no improvement, and patience 1 ends it");
        assertEquals(1, stop.bestEpoch());

        Sequential n = model();
        EarlyStopping plain = new EarlyStopping("val_loss").patience(1);
        plain.setModel(n);
        plain.onTrainBegin(new HashMap<>());
        for (e = 0; e < losses.length && !n.stopTraining(); e++) plain.onEpochEnd(e, logs(losses[e]));
        assertEquals(0, plain.stoppedEpoch(), "without minDelta every epoch improves");
        assertEquals(4, plain.bestEpoch());
    }

    @Test
    void earlyStoppingEndsFitAtTheFirstEpochThatDoesNotImprove() {
        Sequential m = model();
        EarlyStopping stop = new EarlyStopping("val_loss").patience(0);
        History h = m.fit(X, Y, new Fit().epochs(40).batchSize(8).validationSplit(0.25).callbacks(stop).verbose(0));
        List<Double> v = h.get("val_loss");
        int expected = v.size();
        double best = v.get(0);
        for (int e = 1; e < v.size(); e++) {
            if (!(v.get(e) < best)) {
                expected = e + 1;
                break;
            }
            best = v.get(e);
        }
        assertEquals(expected, v.size());
        assertTrue(v.size() < 40, "val_loss " + v);
    }

    @Test
    void aMonitoredValueThatIsNotLoggedIsNamed() {
        Sequential m = model();
        Exception e = assertThrows(dev.janus.core.JanusException.class,
                () -> m.fit(X, Y, new Fit().epochs(2).callbacks(new EarlyStopping("val_accuracy")).verbose(0)));
        assertEquals("EarlyStopping monitors 'val_accuracy', which is not logged; logged: [loss, accuracy]", e.getMessage());
    }

    @Test
    void modelCheckpointSavesEachEpochOrTheBest(@TempDir Path dir) throws IOException {
        Sequential m = model();
        m.fit(X, Y, new Fit().epochs(3).batchSize(8).validationSplit(0.25).verbose(0)
                .callbacks(new ModelCheckpoint(dir.resolve("all-{epoch:02d}.janus").toString())));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("all-01.janus", "all-02.janus", "all-03.janus"),
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        Tensor probe = Tensor.randn(new Generator(2), 5, 4);
        assertArrayEquals(m.predict(probe).f32(), Sequential.load(dir.resolve("all-03.janus")).predict(probe).f32());

        Sequential n = model();
        History h = n.fit(X, Y, new Fit().epochs(6).batchSize(8).validationSplit(0.25).verbose(0)
                .callbacks(new ModelCheckpoint(dir.resolve("best.janus").toString()).saveBestOnly(true)));
        List<Double> v = h.get("val_loss");
        int bestEpoch = 0;
        for (int e = 1; e < v.size(); e++) if (v.get(e) < v.get(bestEpoch)) bestEpoch = e;
        Sequential best = Sequential.load(dir.resolve("best.janus"));
        assertEquals(v.get(bestEpoch), best.evaluate(Rows.slice(X, 18, 24), Rows.slice(Y, 18, 24), 8, 0).get("loss"), 1e-6);
    }

    @Test
    void learningRateSchedulerChangesTheRateWithoutRecompiling() {
        Sequential m = model();
        History h = m.fit(X, Y, new Fit().epochs(3).batchSize(8).verbose(0)
                .callbacks(new LearningRateScheduler((epoch, lr) -> 0.01 * Math.pow(0.5, epoch))));
        assertEquals(List.of(0.01, 0.005, 0.0025), h.get("learning_rate"));
        assertEquals(0.0025, m.optimizer().lr());
        assertEquals(1, ((CompiledBackend) m.backend()).trainingStep().planCount());
    }

    @Test
    void csvLoggerWritesOneRowPerEpoch(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("log.csv");
        Sequential m = model();
        History h = m.fit(X, Y, new Fit().epochs(2).batchSize(8).validationSplit(0.25).verbose(0).callbacks(new CSVLogger(csv)));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size());
        assertEquals("epoch,accuracy,loss,val_accuracy,val_loss", lines.get(0));
        String[] row = lines.get(2).split(",");
        assertEquals("1", row[0]);
        assertEquals(h.get("loss").get(1), Double.parseDouble(row[2]));
        assertEquals(h.get("val_loss").get(1), Double.parseDouble(row[4]));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aCallbackCanStopTrainingWithinAnEpoch() {
        Sequential m = model();
        Callback stopAfterTwoBatches = new Callback() {
            @Override
            public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
                if (batch == 1) m.stopTraining(true);
            }
        };
        History h = m.fit(X, Y, new Fit().epochs(5).batchSize(8).verbose(0).callbacks(stopAfterTwoBatches));
        assertEquals(1, h.epochs().size(), "the epoch in progress ends, no other starts");
        assertEquals(2, m.iterations());
    }

    @Test
    void anExceptionInACallbackLeavesTheLastCompletedStep() {
        Sequential m = model();
        RuntimeException boom = new IllegalStateException("boom");
        List<Tensor> snapshot = new ArrayList<>();
        Callback failing = new Callback() {
            @Override
            public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
                if (batch == 1 && snapshot.isEmpty()) {
                    snapshot.addAll(m.getWeights());
                    throw boom;
                }
            }
        };
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> m.fit(X, Y, new Fit().epochs(3).batchSize(8).verbose(0).callbacks(failing)));
        assertSame(boom, thrown);
        List<Tensor> now = m.getWeights();
        for (int i = 0; i < now.size(); i++) assertArrayEquals(snapshot.get(i).f32(), now.get(i).f32());
        assertEquals(2, m.iterations(), "two steps completed before the callback failed");
        History h = m.fit(X, Y, new Fit().epochs(1).batchSize(8).verbose(0));
        assertEquals(1, h.get("loss").size(), "the model trains on");
        assertEquals(5, m.iterations());
    }
}
