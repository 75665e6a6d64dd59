package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.core.Dense;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every optimizer's state through a model file, in float32 and float64 models: a model saved
 * after two epochs and loaded trains on to the weights of the model that never stopped, bit for
 * bit, and its weights and optimizer state come back with their dtype.
 */
class SavedOptimizerResumeTest {
    static Stream<Arguments> optimizers() {
        List<Arguments> out = new ArrayList<>();
        List<Object[]> rules = List.of(
                new Object[] {"adam", (Supplier<Optimizer>) () -> Optimizers.get("adam")},
                new Object[] {"adamw", (Supplier<Optimizer>) () -> Optimizers.get("adamw")},
                new Object[] {"sgd", (Supplier<Optimizer>) () -> Optimizers.get("sgd")},
                new Object[] {"rmsprop", (Supplier<Optimizer>) () -> Optimizers.get("rmsprop")},
                new Object[] {"nadam", (Supplier<Optimizer>) () -> Optimizers.get("nadam")},
                new Object[] {"adamax", (Supplier<Optimizer>) () -> Optimizers.get("adamax")},
                new Object[] {"adagrad", (Supplier<Optimizer>) () -> Optimizers.get("adagrad")},
                new Object[] {"adagrad, PyTorch's form, decays", (Supplier<Optimizer>) () -> new Adagrad(0.05, 0.01, 1e-3, 0, 1e-10, false)},
                new Object[] {"sgd nesterov, weight decay", (Supplier<Optimizer>) () -> new SGD(0.05, 0.9, 0, 1e-3, true)},
                new Object[] {"rmsprop centered, momentum", (Supplier<Optimizer>) () -> new RMSprop(0.01, 0.9, 1e-7, 0, 0.5, true)},
                new Object[] {"adam weight decay", (Supplier<Optimizer>) () -> new Adam(0.01, 0.8, 0.99, 1e-7, 0.01)});
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (Object[] r : rules) out.add(Arguments.of(r[0] + " " + dtype, r[1], dtype));
        }
        return out.stream();
    }

    private static Sequential model(DType dtype, Optimizer optimizer) {
        Sequential m = new Sequential().generator(new Generator(5));
        m.add(new Input(dtype, 4));
        m.add(new Dense(6, "tanh"));
        m.add(new Dense(3, "softmax"));
        m.compile(optimizer, "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    private static void train(Sequential m, Tensor x, Tensor y, long shuffleSeed) {
        m.generator(new Generator(shuffleSeed));
        m.fit(x, y, new Fit().epochs(2).batchSize(8).verbose(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void aLoadedModelTrainsOnAsTheOneThatNeverStopped(String label, Supplier<Optimizer> make, DType dtype, @TempDir Path dir) {
        Tensor x = Tensor.normal(0, 1, dtype, new Generator(21), 32, 4);
        long[] labels = new long[32];
        for (int i = 0; i < 32; i++) labels[i] = (i * 7) % 3;
        Tensor y = Tensor.of(labels);

        Sequential original = model(dtype, make.get());
        train(original, x, y, 77);
        Path file = dir.resolve("model.janus");
        original.save(file);
        Sequential loaded = Sequential.load(file);

        assertEquals(original.optimizer().toString(), loaded.optimizer().toString(), label);
        assertEquals(original.iterations(), loaded.iterations(), label);
        Map<String, Tensor> s1 = original.optimizerState(), s2 = loaded.optimizerState();
        assertEquals(s1.keySet(), s2.keySet(), label);
        for (String k : s1.keySet()) {
            assertEquals(s1.get(k).type(), s2.get(k).type(), label + ": " + k);
            assertArrayEquals(s1.get(k).toDoubleArray(), s2.get(k).toDoubleArray(), label + ": " + k);
        }
        for (Tensor w : loaded.getWeights()) assertEquals(dtype, w.dtype(), label + ": the weights keep their dtype");

        train(original, x, y, 78);
        train(loaded, x, y, 78);
        List<Tensor> wa = original.getWeights(), wb = loaded.getWeights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).toDoubleArray(), wb.get(i).toDoubleArray(), label + ": weight " + i);
    }
}
