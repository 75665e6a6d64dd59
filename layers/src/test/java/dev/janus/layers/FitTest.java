package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FitTest {
    private static Tensor x(int rows) {
        return Tensor.randn(new Generator(rows), rows, 4);
    }

    private static Tensor y(int rows) {
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) y[i] = i % 3;
        return Tensor.of(y);
    }

    private static Sequential compiled() {
        Generator.manualSeed(7);
        Sequential model = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3, "softmax"));
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return model;
    }

    @Test
    void validationSplitHoldsOutTheLastSamplesBeforeShuffling() {
        Sequential model = compiled();
        Tensor x = x(10), y = y(10);
        Tensor head = Rows.slice(x, 0, 8), tail = Rows.slice(x, 8, 10);
        Map<String, Double> before = model.evaluate(head, Rows.slice(y, 0, 8), 8, 0);
        History h = model.fit(x, y, new Fit().epochs(1).batchSize(8).validationSplit(0.2).verbose(0));
        // One batch of the first 8 samples: its loss is theirs before the step.
        assertEquals(before.get("loss"), h.get("loss").get(0), 1e-6);
        Map<String, Double> after = model.evaluate(tail, Rows.slice(y, 8, 10), 8, 0);
        assertEquals(after.get("loss"), h.get("val_loss").get(0), 1e-6);
        assertEquals(after.get("accuracy"), h.get("val_accuracy").get(0), 1e-12);
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(h.history().keySet()));
    }

    @Test
    void validationDataIsUsedAsGiven() {
        Sequential model = compiled();
        History h = model.fit(x(12), y(12), new Fit().epochs(2).batchSize(4).validationData(x(6), y(6)).verbose(0));
        assertEquals(List.of(0, 1), h.epochs());
        assertEquals(model.evaluate(x(6), y(6), 32, 0).get("loss"), h.get("val_loss").get(1), 1e-6);
    }

    @Test
    void theSameSeedRepeatsTraining() {
        double[][] runs = new double[2][];
        for (int r = 0; r < 2; r++) {
            Sequential model = compiled();
            History h = model.fit(x(30), y(30), new Fit().epochs(3).batchSize(8).verbose(0));
            runs[r] = h.get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        }
        assertArrayEquals(runs[0], runs[1], 0.0);
    }

    @Test
    void newCompileOptionsKeepTheTrainingWhereItWas() {
        Sequential straight = compiled();
        straight.fit(x(24), y(24), new Fit().epochs(4).batchSize(8).verbose(0));
        Sequential switched = compiled();
        switched.fit(x(24), y(24), new Fit().epochs(2).batchSize(8).verbose(0));
        switched.compileOptions(dev.janus.graph.CompileOptions.none());
        switched.fit(x(24), y(24), new Fit().epochs(2).batchSize(8).verbose(0));
        assertEquals(12, switched.iterations());
        List<Tensor> a = straight.getWeights(), b = switched.getWeights();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).f32(), b.get(i).f32(), "weight " + i);
    }

    /** Plans whose buffers are ND4J native storage train to the same weights, bit for bit. */
    @Test
    void compiledOnNativeStorageTrainsAsOnTheHeap() {
        Sequential heap = compiled();
        History a = heap.fit(x(24), y(24), new Fit().epochs(3).batchSize(8).verbose(0));
        Sequential nat = compiled();
        nat.compileOptions(dev.janus.graph.CompileOptions.defaults().storage(dev.janus.core.backend.StorageKind.NATIVE));
        History b = nat.fit(x(24), y(24), new Fit().epochs(3).batchSize(8).verbose(0));
        assertEquals(a.get("loss"), b.get("loss"));
        List<Tensor> wa = heap.getWeights(), wb = nat.getWeights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).toFloatArray(), wb.get(i).toFloatArray(), "weight " + i);
        assertArrayEquals(heap.predict(x(5)).toFloatArray(), nat.predict(x(5)).toFloatArray());
    }

    @Test
    void anUnavailableDeviceIsRefusedBeforeCompiling() {
        dev.janus.core.JanusException e = org.junit.jupiter.api.Assertions.assertThrows(dev.janus.core.JanusException.class,
                () -> dev.janus.graph.CompileOptions.defaults().device(dev.janus.core.Device.cuda()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("no CUDA backend is registered"), e.getMessage());
    }

    @Test
    void trainOnBatchIsOneStepOfFit() {
        Sequential a = compiled(), b = compiled();
        Map<String, Double> logs = a.trainOnBatch(x(8), y(8));
        History h = b.fit(x(8), y(8), new Fit().epochs(1).batchSize(8).shuffle(false).verbose(0));
        assertEquals(h.get("loss").get(0), logs.get("loss"));
        assertEquals(h.get("accuracy").get(0), logs.get("accuracy"));
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).f32(), wb.get(i).f32());
        assertEquals("trainOnBatch: x has 8 samples but y has 7",
                assertThrows(ShapeException.class, () -> a.trainOnBatch(x(8), y(7))).getMessage());
    }

    @Test
    void verboseTwoPrintsOneLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sequential model = compiled().output(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        model.fit(x(20), y(20), new Fit().epochs(2).batchSize(8).validationSplit(0.2).verbose(2));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("Epoch 1/2", lines[0]);
        String number = "\\d\\.\\d{4}(e-\\d\\d)?";
        assertTrue(lines[1].matches("2/2 - \\d+s - \\d+(s|ms|us)/step - loss: " + number + " - accuracy: " + number
                + " - val_loss: " + number + " - val_accuracy: " + number), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);
    }

    @Test
    void verboseOneDrawsAProgressBarWithEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sequential model = compiled().output(new PrintStream(bytes, true, StandardCharsets.UTF_8), 120);
        model.fit(x(24), y(24), new Fit().epochs(1).batchSize(8).verbose(1));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("Epoch 1/1" + System.lineSeparator() + "\r1/3 [=========>....................] - ETA: "), out);
        String last = out.substring(out.lastIndexOf('\r') + 1);
        assertTrue(last.matches("3/3 \\[==============================] - \\d+s \\d+(s|ms|us)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}\\R"), last);
    }

    @Test
    void theBarFitsANarrowTerminalAndAFileGetsPlainLines() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sequential model = compiled().output(new PrintStream(bytes, true, StandardCharsets.UTF_8), 60);
        model.fit(x(24), y(24), new Fit().epochs(2).batchSize(8).validationSplit(0.25).verbose(1));
        for (String frame : bytes.toString(StandardCharsets.UTF_8).split("\r|\\R")) {
            assertTrue(frame.length() <= 59, "wider than 59 columns: [" + frame + "] (" + frame.length() + ")");
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains(" ["), "a bar is drawn");
        bytes.reset();
        model.output(new PrintStream(bytes, true, StandardCharsets.UTF_8)).fit(x(24), y(24), new Fit().epochs(2).batchSize(8).verbose(1));
        String plain = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(plain.contains("\r"), plain);
        String[] lines = plain.split("\\R");
        assertEquals(4, lines.length, plain);
        assertTrue(lines[1].matches("3/3 - \\d+s - \\d+(s|ms|us)/step - loss: .*"), lines[1]);
    }

    @Test
    void verboseZeroPrintsNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sequential model = compiled().output(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        model.fit(x(8), y(8), new Fit().epochs(2).verbose(0));
        model.evaluate(x(8), y(8), 4, 0);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    /** Each bad input fails before training starts and leaves the weights as they were. */
    @Test
    void badDataFailsBeforeAnyStep() {
        Sequential model = compiled();
        List<Tensor> before = model.getWeights();
        ShapeException rows = assertThrows(ShapeException.class, () -> model.fit(x(10), y(9), new Fit().verbose(0)));
        assertEquals("fit: x has 10 samples but y has 9", rows.getMessage());
        long[] labels = {0, 1, 2, 1, 3, 0};
        JanusException range = assertThrows(JanusException.class, () -> model.fit(x(6), Tensor.of(labels), new Fit().verbose(0)));
        assertEquals("sparse_categorical_crossentropy: label 3 at row 4 is not a class index in [0, 3) (the model outputs 3 classes)",
                range.getMessage());
        ShapeException features = assertThrows(ShapeException.class,
                () -> model.fit(Tensor.zeros(6, 5), y(6), new Fit().verbose(0)));
        assertEquals("fit: x has shape (6, 5), but the model expects (None, 4)", features.getMessage());
        Tensor nan = x(6);
        nan.f32()[9] = Float.NaN;
        JanusException finite = assertThrows(JanusException.class, () -> model.fit(nan, y(6), new Fit().verbose(0)));
        assertEquals("fit: x has NaN at sample 2, feature 1", finite.getMessage());
        // float64 data beyond float32's range once became infinity in the float32 model and trained NaN weights.
        double[] huge = new double[24];
        huge[13] = 1e39;
        JanusException range32 = assertThrows(JanusException.class, () -> model.fit(Tensor.of(huge, 6, 4), y(6), new Fit().verbose(0)));
        assertEquals("fit: x has 1.0E39 at sample 3, feature 1, beyond the range of float32 (the model's dtype, largest 3.4028235E38)",
                range32.getMessage());
        Sequential regression = new Sequential(new Input(4), new Dense(1));
        regression.compile("sgd", "mse", List.of());
        List<Tensor> regressionBefore = regression.getWeights();
        JanusException target = assertThrows(JanusException.class,
                () -> regression.fit(x(2), Tensor.of(new double[] {1, -4e38}, 2, 1), new Fit().verbose(0)));
        assertEquals("fit: y has -4.0E38 at element 1, beyond the range of float32 (the model's dtype, largest 3.4028235E38)", target.getMessage());
        assertArrayEquals(regressionBefore.get(0).f32(), regression.getWeights().get(0).f32());
        JanusException split = assertThrows(JanusException.class, () -> model.fit(x(1), y(1), new Fit().validationSplit(0.5).verbose(0)));
        assertEquals("fit: validation split 0.5 of 1 samples leaves none to train on", split.getMessage());
        List<Tensor> after = model.getWeights();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).f32(), after.get(i).f32());
    }

    @Test
    void fitNeedsCompile() {
        Sequential model = new Sequential(new Input(4), new Dense(3));
        JanusException e = assertThrows(JanusException.class, () -> model.fit(x(4), y(4)));
        assertEquals("sequential is not compiled: call compile(optimizer, loss, metrics) before fit or evaluate", e.getMessage());
    }
}
