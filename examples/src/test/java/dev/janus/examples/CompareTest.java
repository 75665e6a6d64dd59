package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.SGD;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MSELoss;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.Tanh;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compare on models other than iris: a regression net with tanh and SGD, and a deeper classifier exported to ONNX. */
class CompareTest {
    /** y = sin(x0) + x1 x2 + noise, 200 samples of 3 features. */
    private static TensorDataset regression(long seed, int n) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, n, 3), y = Tensor.empty(dev.janus.core.DType.FLOAT32, dev.janus.core.Shape.of(n, 1));
        for (int i = 0; i < n; i++) {
            y.setDouble(i, Math.sin(x.readDouble(3 * i)) + x.readDouble(3 * i + 1) * x.readDouble(3 * i + 2) + 0.05 * g.nextGaussian());
        }
        return new TensorDataset(x, y);
    }

    /** Four Gaussian blobs in 5 dimensions, labels 0 to 3. */
    private static TensorDataset blobs(long seed, int n) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, n, 5);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 4;
            x.setDouble(5 * i + (int) y[i], x.readDouble(5 * i + (int) y[i]) + 2.5);
        }
        return new TensorDataset(x, Tensor.of(y));
    }

    @Test
    void regressionNetTrainsTheSameBothWays() {
        Generator.manualSeed(3);
        dev.janus.eager.nn.NNSequential eager = new dev.janus.eager.nn.NNSequential(new Linear(3, 16), new Tanh(), new Linear(16, 1));
        Sequential keras = new Sequential(new Input(3), new Dense(16, "tanh"), new Dense(1));
        Comparison c = Compare.run(eager, keras, regression(1, 160), regression(2, 40), new Compare.Options()
                .seed(7).epochs(12).batchSize(20).validationSplit(0.25).optimizer(() -> new SGD(0.05, 0.9)).loss(new MSELoss(), "mse"));

        assertEquals(120, c.trainSamples);
        assertEquals(40, c.validationSamples);
        assertNull(c.eager.get("accuracy"), "no accuracy for a regression");
        List<Double> a = c.eager.get("loss"), b = c.compiled.get("loss");
        assertEquals(12, a.size());
        for (int e = 0; e < a.size(); e++) {
            assertEquals(a.get(e), b.get(e), 1e-5 * Math.abs(a.get(e)), "training loss, epoch " + (e + 1));
            assertEquals(c.eager.get("val_loss").get(e), c.compiled.get("val_loss").get(e), 1e-5, "validation loss, epoch " + (e + 1));
        }
        assertTrue(a.get(11) < 0.6 * a.get(0), "it learns: " + a);
        assertTrue(c.maxWeightDifference < 1e-5, "weights differ by " + c.maxWeightDifference + " at " + c.maxWeightDifferenceAt);
        assertEquals(c.eager.test.get("loss"), c.compiled.test.get("loss"), 1e-5);
        assertEquals(12, c.eager.clock.microsPerStep().size());
        assertEquals(12 * 6, c.compiled.clock.steps());
        assertTrue(c.report().contains("time per step"));
        assertNull(c.eager.onnx, "no export unless asked");
    }

    @Test
    void deeperClassifierAgreesAndItsOnnxExportsMatchJanus(@TempDir Path dir) {
        Generator.manualSeed(11);
        dev.janus.eager.nn.NNSequential eager = new dev.janus.eager.nn.NNSequential(
                new Linear(5, 24), new ReLU(), new dev.janus.eager.nn.NNDropout(0.2), new Linear(24, 12), new ReLU(), new Linear(12, 4));
        Sequential keras = new Sequential(new Input(5), new Dense(24, "relu"), new dev.janus.layers.core.Dropout(0.2), new Dense(12, "relu"),
                new Dense(4, "softmax"));
        Comparison c = Compare.run(eager, keras, blobs(5, 200), blobs(6, 60), new Compare.Options()
                .seed(2).epochs(15).batchSize(32).optimizer(() -> new Adam(0.01)).exportTo(dir, "blobs"));

        for (String key : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            List<Double> a = c.eager.get(key), b = c.compiled.get(key);
            for (int e = 0; e < a.size(); e++) assertEquals(a.get(e), b.get(e), 1e-5, key + ", epoch " + (e + 1));
        }
        assertTrue(c.compiled.test.get("accuracy") > 0.8, "test accuracy " + c.compiled.test.get("accuracy"));
        assertEquals(c.eager.test.get("accuracy"), c.compiled.test.get("accuracy"));
        assertEquals(0, c.disagreements());
        assertTrue(c.maxWeightDifference < 1e-5, "weights differ by " + c.maxWeightDifference);

        for (Comparison.Side s : List.of(c.eager, c.compiled)) {
            assertNotNull(s.onnx);
            assertTrue(Files.isRegularFile(s.onnx.file), s.onnx.file.toString());
            assertTrue(s.onnx.maxError < 1e-5, s.style + ": ONNX Runtime differs from Janus by " + s.onnx.maxError);
            assertEquals(s.test.get("accuracy"), s.onnx.accuracy, 1e-12, s.style);
        }
        assertEquals(dir.resolve("blobs_eager.onnx"), c.eager.onnx.file);
        assertEquals(dir.resolve("blobs_compiled.onnx"), c.compiled.onnx.file);
    }

    @Test
    void modelsThatDoNotMatchAreRefusedBeforeAnyTraining() {
        Generator.manualSeed(0);
        dev.janus.eager.nn.NNSequential eager = new dev.janus.eager.nn.NNSequential(new Linear(5, 8), new ReLU(), new Linear(8, 4));
        Sequential keras = new Sequential(new Input(5), new Dense(9, "relu"), new Dense(4, "softmax"));
        List<Tensor> before = keras.getWeights();
        ShapeException e = assertThrows(ShapeException.class,
                () -> Compare.run(eager, keras, blobs(1, 40), blobs(2, 20), new Compare.Options().epochs(1)));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("dense/kernel"), e.getMessage());
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).type(), keras.getWeights().get(i).type());
            assertArrayEquals(before.get(i).f32(), keras.getWeights().get(i).f32());
        }

        Sequential fewer = new Sequential(new Input(5), new Dense(4, "softmax"));
        ShapeException count = assertThrows(ShapeException.class,
                () -> Compare.run(eager, fewer, blobs(1, 40), blobs(2, 20), new Compare.Options().epochs(1)));
        assertTrue(count.getMessage().contains("2 modules with parameters") && count.getMessage().contains("1 layers"), count.getMessage());
    }

    @Test
    void weightsAreCopiedTransposedIntoDenseKernels() {
        Generator.manualSeed(4);
        dev.janus.eager.nn.NNSequential eager = new dev.janus.eager.nn.NNSequential(new Linear(3, 2));
        Sequential keras = new Sequential(new Input(3), new Dense(2));
        WeightTransfer.copy(eager, keras);
        Tensor w = ((Linear) eager.get(0)).weight, kernel = keras.weights().get(0).value();
        for (int o = 0; o < 2; o++) for (int i = 0; i < 3; i++) assertEquals(w.getDouble(o, i), kernel.getDouble(i, o));
        assertArrayEquals(((Linear) eager.get(0)).bias.f32(), keras.weights().get(1).value().f32());
        assertEquals(0, WeightTransfer.maxDifference(eager, keras).value);
    }
}
