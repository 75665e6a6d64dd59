package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One model, many threads: what each thread gets is bit for bit what it gets alone. Predict on one
 * compiled model from 8 threads once returned wrong rows silently (376 of 2,400: the cached plan's
 * buffers were shared); models trained with runEagerly in parallel threads, each with its own
 * generator, once differed between runs (their dropout borrowed the global generator's state).
 */
@Tag("reliability")
class ThreadsTest {
    private static final int THREADS = 8;

    /** Runs {@code task(t)} for t = 0..THREADS-1 on as many threads, started together. */
    private static <T> List<T> inParallel(java.util.function.IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                futures.add(pool.submit((Callable<T>) () -> {
                    start.await();
                    return task.apply(id);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A model whose weights, shuffling and dropout draw from a generator of its own, seeded with {@code seed}. */
    private static Sequential seeded(long seed, Layer... layers) {
        Sequential model = new Sequential().generator(new Generator(seed));
        for (Layer l : layers) model.add(l);
        return model;
    }

    private static Sequential mlp(boolean compiled) {
        Sequential model = seeded(3, new Input(12), new Dense(32, "relu"), new Dense(32, "tanh"), new Dense(5, "softmax"));
        if (compiled) model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return model;
    }

    private static Tensor samples(int seed, int rows) {
        return Tensor.randn(new Generator(100 + seed), rows, 12);
    }

    @Test
    void predictFromManyThreadsOnOneModelIsBitForBitTheSerialResult() throws Exception {
        for (boolean compiled : new boolean[] {false, true}) {
            Sequential model = mlp(compiled);
            int calls = 40;
            float[][][] serial = new float[THREADS][calls][];
            for (int t = 0; t < THREADS; t++) {
                for (int c = 0; c < calls; c++) serial[t][c] = model.predict(samples(t * calls + c, 16 + c % 3), 16).toFloatArray();
            }
            List<float[][]> parallel = inParallel(t -> {
                float[][] got = new float[calls][];
                for (int c = 0; c < calls; c++) got[c] = model.predict(samples(t * calls + c, 16 + c % 3), 16).toFloatArray();
                return got;
            });
            for (int t = 0; t < THREADS; t++) {
                for (int c = 0; c < calls; c++) {
                    assertArrayEquals(serial[t][c], parallel.get(t)[c], "compiled=" + compiled + ", thread " + t + ", call " + c);
                }
            }
        }
    }

    @Test
    void evaluateFromManyThreadsOnOneModelIsTheSerialResult() throws Exception {
        Sequential model = mlp(true);
        long[] labels = new long[20];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 5;
        Tensor y = Tensor.of(labels);
        List<Double> serial = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) serial.add(model.evaluate(samples(t, 20), y, 8, 0).get("loss"));
        List<Double> parallel = inParallel(t -> {
            double last = 0;
            for (int c = 0; c < 20; c++) last = model.evaluate(samples(t, 20), y, 8, 0).get("loss");
            return last;
        });
        assertEquals(serial, parallel);
    }

    /** A small model with dropout trained on its own generator: the final weights. */
    private static float[] trainWithDropout(int seed, boolean runEagerly) {
        Sequential model = seeded(seed, new Input(12), new Dense(16, "relu"), new Dropout(0.5), new Dense(5, "softmax"));
        model.compile("sgd", "sparse_categorical_crossentropy", List.of());
        model.runEagerly(runEagerly);
        long[] labels = new long[64];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7) % 5;
        model.fit(samples(seed, 64), Tensor.of(labels), new Fit().epochs(10).batchSize(8).verbose(0).shuffle(true));
        List<Float> all = new ArrayList<>();
        for (Tensor w : model.getWeights()) for (float v : w.toFloatArray()) all.add(v);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    @Test
    void independentTrainingsInParallelThreadsEqualTheirSerialRuns() throws Exception {
        for (boolean eagerly : new boolean[] {true, false}) {
            float[][] serial = new float[THREADS][];
            for (int t = 0; t < THREADS; t++) serial[t] = trainWithDropout(t, eagerly);
            // Meanwhile the global generator is drawn from, as other code in the process would.
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread other = new Thread(() -> {
                while (!done.get()) Generator.global().nextLong();
            });
            other.start();
            List<float[]> parallel;
            try {
                parallel = inParallel(t -> trainWithDropout(t, eagerly));
            } finally {
                done.set(true);
                other.join();
            }
            for (int t = 0; t < THREADS; t++) assertArrayEquals(serial[t], parallel.get(t), "runEagerly=" + eagerly + ", thread " + t);
        }
    }
}
