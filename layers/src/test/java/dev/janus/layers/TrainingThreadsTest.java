package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Flatten;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Compiled training steps large enough that every big node splits across threads (convolutions by
 * images, their weight gradients in fixed groups, products by output blocks, pooling by planes,
 * elementwise ops and sums by rows): one thread and two give the same weights bit for bit.
 */
class TrainingThreadsTest {
    private final int threads = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
    }

    private static float[][] train(Supplier<Sequential> build, int threads, Tensor x, Tensor y) {
        CpuThreads.setThreads(threads);
        Sequential model = build.get();
        model.compile("adam", "sparse_categorical_crossentropy", List.of());
        TrainingStep step = model.compiledTrainingStep();
        ExecContext ctx = new ExecContext(new Generator(3));
        for (int i = 0; i < 2; i++) step.run(ctx, x, y);
        List<Tensor> w = model.getWeights();
        float[][] r = new float[w.size()][];
        for (int i = 0; i < r.length; i++) r[i] = w.get(i).toFloatArray();
        return r;
    }

    private static void sameBits(Supplier<Sequential> build, Tensor x, Tensor y) {
        float[][] initial = weights(build.get());
        float[][] one = train(build, 1, x, y), two = train(build, 2, x, y);
        assertFalse(java.util.Arrays.equals(initial[0], one[0]), "the step trained");
        for (int i = 0; i < one.length; i++) {
            int[] a = new int[one[i].length], b = new int[two[i].length];
            for (int k = 0; k < a.length; k++) a[k] = Float.floatToRawIntBits(one[i][k]);
            for (int k = 0; k < b.length; k++) b[k] = Float.floatToRawIntBits(two[i][k]);
            assertArrayEquals(a, b, "weight " + i);
        }
    }

    private static float[][] weights(Sequential model) {
        List<Tensor> w = model.getWeights();
        float[][] r = new float[w.size()][];
        for (int i = 0; i < r.length; i++) r[i] = w.get(i).toFloatArray();
        return r;
    }

    private static Tensor labels(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7) % 10;
        return Tensor.of(y);
    }

    @Test
    void aCifarSizeCnnTrainsToTheSameBitsOnOneAndTwoThreads() {
        Supplier<Sequential> cnn = () -> {
            Generator.manualSeed(0);
            return new Sequential(new Input(32, 32, 3),
                    new Conv2D(32, 3, "relu").padding("same"), new MaxPooling2D(),
                    new Conv2D(64, 3, "relu").padding("same"), new MaxPooling2D(),
                    new Flatten(), new Dense(128, "relu"), new Dense(10, "softmax"));
        };
        sameBits(cnn, Tensor.randn(new Generator(7), 64, 32, 32, 3), labels(64));
    }

    @Test
    void a784By512MlpTrainsToTheSameBitsOnOneAndTwoThreads() {
        Supplier<Sequential> mlp = () -> {
            Generator.manualSeed(42);
            return new Sequential(new Input(784), new Dense(512, "relu"), new Dense(512, "relu"), new Dense(10, "softmax"));
        };
        sameBits(mlp, Tensor.randn(new Generator(1), 512, 784), labels(512));
    }
}
