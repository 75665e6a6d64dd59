package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.core.Activation;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.core.Flatten;
import dev.janus.layers.core.Softmax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaveLoadTest {
    private static final Tensor X = Tensor.randn(new Generator(21), 32, 4);
    private static final Tensor Y;

    static {
        long[] y = new long[32];
        for (int i = 0; i < 32; i++) y[i] = i % 3;
        Y = Tensor.of(y);
    }

    private static Sequential trained() {
        Generator.manualSeed(9);
        Sequential m = new Sequential(new Input(4), new Dense(12, "tanh"), new Dropout(0.2), new Dense(3, "softmax")).named("keeper");
        m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        m.fit(X, Y, new Fit().epochs(2).batchSize(8).verbose(0));
        return m;
    }

    private static void sameWeights(Sequential a, Sequential b) {
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        assertEquals(wa.size(), wb.size());
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).f32(), wb.get(i).f32());
    }

    @Test
    void aSavedModelComesBackWholeAndTrainsOnIdentically(@TempDir Path dir) {
        Sequential original = trained();
        Path file = dir.resolve("model.janus");
        original.save(file);
        Sequential loaded = Sequential.load(file);
        assertEquals(original.toString(), loaded.toString());
        sameWeights(original, loaded);
        assertEquals(original.iterations(), loaded.iterations());
        Map<String, Tensor> s1 = original.optimizerState(), s2 = loaded.optimizerState();
        assertEquals(s1.keySet(), s2.keySet());
        for (String k : s1.keySet()) assertArrayEquals(s1.get(k).f32(), s2.get(k).f32(), k);
        assertEquals("adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-7, weight_decay=0.0)", loaded.optimizer().toString());

        // Training on from the same generator state gives the same weights, bit for bit.
        original.generator(new Generator(77));
        loaded.generator(new Generator(77));
        original.fit(X, Y, new Fit().epochs(2).batchSize(8).verbose(0));
        loaded.fit(X, Y, new Fit().epochs(2).batchSize(8).verbose(0));
        sameWeights(original, loaded);
    }

    @Test
    void anUncompiledModelLoadsUncompiled(@TempDir Path dir) {
        Generator.manualSeed(1);
        Sequential m = new Sequential(new Input(3), new Flatten(), new Dense(2, "sigmoid"), new Activation("tanh"), new Softmax());
        m.save(dir.resolve("plain.janus"));
        Sequential back = Sequential.load(dir.resolve("plain.janus"));
        assertNull(back.optimizer());
        Tensor probe = Tensor.randn(new Generator(3), 4, 3);
        assertArrayEquals(m.predict(probe).f32(), back.predict(probe).f32());
    }

    @Test
    void savingReplacesTheFileAtomically(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.janus");
        trained().save(file);
        byte[] first = Files.readAllBytes(file);
        Sequential custom = new Sequential(new Input(2), new Dense(2, new ActivationFunction() {
            public String name() {
                return "unregistered";
            }

            public <V> V apply(Emitter<V> e, V x) {
                return e.neg(x);
            }
        }));
        JanusException e = assertThrows(JanusException.class, () -> custom.save(file));
        assertTrue(e.getMessage().startsWith("cannot save sequential: layer dense (Dense): unknown activation 'unregistered' (a custom one is "
                + "registered with Activations.register)"), e.getMessage());
        assertArrayEquals(first, Files.readAllBytes(file), "a failed save leaves the old file");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
        JanusException noDir = assertThrows(JanusException.class, () -> trained().save(dir.resolve("missing/m.janus")));
        assertTrue(noDir.getMessage().startsWith("cannot write model keeper to " + dir.resolve("missing/m.janus")), noDir.getMessage());
    }

    @Test
    void damagedFilesAreRefusedClearly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.janus");
        trained().save(file);
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Files.write(file, flipped);
        assertEquals(file + ": the model file is truncated or damaged (checksum mismatch)",
                assertThrows(JanusException.class, () -> Sequential.load(file)).getMessage());

        Files.write(file, Arrays.copyOf(good, good.length - 100));
        assertEquals(file + ": the model file is truncated or damaged (checksum mismatch)",
                assertThrows(JanusException.class, () -> Sequential.load(file)).getMessage());

        Files.writeString(file, "PK\u0003\u0004 not a model");
        assertEquals(file + " is not a Janus model file (it does not start with JANUSMDL)",
                assertThrows(JanusException.class, () -> Sequential.load(file)).getMessage());

        assertEquals("cannot load model: no file " + dir.resolve("none.janus"),
                assertThrows(JanusException.class, () -> Sequential.load(dir.resolve("none.janus"))).getMessage());
    }

    @Test
    void everyTruncationIsRefusedWithTheLibrarysException(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.janus");
        trained().save(file);
        byte[] good = Files.readAllBytes(file);
        Generator g = new Generator(4);
        for (int i = 0; i < 200; i++) {
            byte[] bad = good.clone();
            bad[g.nextInt(bad.length)] = (byte) g.nextInt(256);
            if (Arrays.equals(bad, good)) continue;
            Files.write(file, bad);
            assertThrows(JanusException.class, () -> Sequential.load(file), "mutation " + i);
        }
    }

    @Test
    void registeredCustomActivationsRoundTrip(@TempDir Path dir) {
        ActivationFunction negate = new ActivationFunction() {
            public String name() {
                return "negate_for_test";
            }

            public <V> V apply(Emitter<V> e, V x) {
                return e.neg(x);
            }
        };
        Activations.register(negate);
        Sequential m = new Sequential(new Input(2), new Dense(3, negate));
        m.save(dir.resolve("c.janus"));
        Tensor probe = Tensor.randn(new Generator(8), 2, 2);
        assertArrayEquals(m.predict(probe).f32(), Sequential.load(dir.resolve("c.janus")).predict(probe).f32());
    }
}
