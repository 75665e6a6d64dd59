package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.Shape;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializer;
import dev.janus.core.init.Initializers;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Dense#kernelInitializer} and {@link Dense#biasInitializer}, by name and as objects, and how a saved model holds them. */
class DenseInitializersTest {
    @Test
    void constantInitializersGiveTheWeightsAndOutputsByHand() {
        Sequential m = new Sequential(new Input(3), new Dense(2).kernelInitializer("ones").biasInitializer(Initializers.constant(0.5)));
        List<Tensor> w = m.getWeights();
        assertArrayEquals(new int[] {3, 2}, w.get(0).shape().dims());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, w.get(0).toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0.5f}, w.get(1).toFloatArray());
        // [1, 2, 3] . [1, 1, 1] + 0.5 and [-1, 0, 4] . [1, 1, 1] + 0.5
        assertArrayEquals(new float[] {6.5f, 6.5f, 3.5f, 3.5f}, m.predict(Tensor.of(new float[] {1, 2, 3, -1, 0, 4}, 2, 3)).toFloatArray());

        Sequential zero = new Sequential(new Input(2), new Dense(3).kernelInitializer(Initializers.zeros()).biasInitializer("ones"));
        assertArrayEquals(new float[] {1, 1, 1}, zero.predict(Tensor.of(new float[] {7, -9}, 1, 2)).toFloatArray());
    }

    @Test
    void randomInitializersDrawFromTheModelsGeneratorKernelFirst() {
        Sequential m = new Sequential().generator(new Generator(5));
        m.add(new Input(3));
        m.add(new Dense(4).kernelInitializer("random_uniform").biasInitializer("random_normal"));
        Generator g = new Generator(5);
        // Keras's defaults for these names: uniform in [-0.05, 0.05], normal with standard deviation 0.05.
        Tensor kernel = Tensor.uniform(-0.05, 0.05, DType.FLOAT32, g, 3, 4), bias = Tensor.normal(0, 0.05, DType.FLOAT32, g, 4);
        assertArrayEquals(kernel.toFloatArray(), m.getWeights().get(0).toFloatArray());
        assertArrayEquals(bias.toFloatArray(), m.getWeights().get(1).toFloatArray());
        for (float v : m.getWeights().get(0).toFloatArray()) assertEquals(0, v, 0.05);
    }

    /** A registered initializer, as a user writes one: every value 2. */
    static final class Twos implements Initializer {
        public Tensor create(Shape shape, Fans fans, DType dtype, Generator g) {
            return Tensor.full(2, dtype, shape);
        }
    }

    static {
        Serialization.registerInitializer("dense_test_twos", Twos::new);
    }

    /** The model's file with one string ({@code from}, as writeUTF writes it) replaced by another, the checksum made right. */
    private static byte[] replaced(byte[] file, String from, String to) throws IOException {
        ByteArrayOutputStream a = new ByteArrayOutputStream(), b = new ByteArrayOutputStream();
        new DataOutputStream(a).writeUTF(from);
        new DataOutputStream(b).writeUTF(to);
        byte[] body = Arrays.copyOf(file, file.length - 8), needle = a.toByteArray();
        int at = -1;
        for (int i = 0; at < 0 && i + needle.length <= body.length; i++) if (Arrays.equals(body, i, i + needle.length, needle, 0, needle.length)) at = i;
        assertTrue(at >= 0, from + " is in the file");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.write(b.toByteArray());
        out.write(body, at + needle.length, body.length - at - needle.length);
        CRC32 crc = new CRC32();
        crc.update(out.toByteArray());
        new DataOutputStream(out).writeLong(crc.getValue());
        return out.toByteArray();
    }

    @Test
    void builtInAndRegisteredNamesAreSavedAndLoadBack(@TempDir Path dir) {
        Sequential m = new Sequential().generator(new Generator(8));
        m.add(new Input(3));
        m.add(new Dense(4, "relu").kernelInitializer("he_normal").biasInitializer("zeros"));
        m.add(new Dense(2).kernelInitializer("dense_test_twos").biasInitializer("dense_test_twos"));
        assertEquals("he_normal", m.layers().get(0).config().get("kernel_initializer"));
        assertEquals("zeros", m.layers().get(0).config().get("bias_initializer"));
        assertEquals("dense_test_twos", m.layers().get(1).config().get("kernel_initializer"));
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2, 2, 2}, m.getWeights().get(2).toFloatArray());

        Path file = dir.resolve("init.janus");
        m.save(file);
        Sequential back = Sequential.load(file);
        for (int i = 0; i < 2; i++) assertEquals(m.layers().get(i).config(), back.layers().get(i).config());
        List<Tensor> w = m.getWeights(), wb = back.getWeights();
        for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i).toFloatArray(), wb.get(i).toFloatArray(), "weight " + i);
        // The loaded layer holds the initializer itself: a copy built from its config draws the same values.
        Sequential copy = new Sequential(new Input(3), Dense.fromConfig(LayerConfig.of(back.layers().get(1))));
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, copy.getWeights().get(0).toFloatArray());
        assertArrayEquals(new float[] {2, 2}, copy.getWeights().get(1).toFloatArray());
    }

    @Test
    void anInitializerObjectIsRefusedBySaveNamingTheLayerAndNothingIsWritten(@TempDir Path dir) {
        Sequential m = new Sequential(new Input(3), new Dense(2).named("head").kernelInitializer((shape, fans, dtype, g) -> Tensor.full(0.25, dtype, shape)));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, m.getWeights().get(0).toFloatArray());
        Path file = dir.resolve("object.janus");
        JanusException e = assertThrows(JanusException.class, () -> m.save(file));
        assertEquals("cannot save " + m.name() + ": layer head (Dense): kernel_initializer is an Initializer object, which a saved model cannot"
                + " name: register it (Serialization.registerInitializer(name, factory)) and set it by that name", e.getMessage());
        assertFalse(Files.exists(file));
        assertThrows(JanusException.class, () -> new Sequential(new Input(2), new Dense(1).biasInitializer(Initializers.ones())).toBytes());
    }

    @Test
    void aFileNamingAnUnregisteredInitializerIsRefusedNamingTheLayer() throws IOException {
        Sequential m = new Sequential(new Input(3), new Dense(2).named("head").kernelInitializer("dense_test_twos"));
        byte[] unknown = replaced(m.toBytes(), "dense_test_twos", "dense_test_none");
        JanusException e = assertThrows(JanusException.class, () -> Model.fromBytes(unknown, "crafted"));
        assertTrue(e.getMessage().startsWith("crafted: cannot read the model: layer 'head': kernel_initializer: unknown initializer 'dense_test_none'; known initializers:"
                + " glorot_uniform, "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (a custom initializer must be registered with Serialization.registerInitializer before the model is"
                + " loaded)"), e.getMessage());
    }

    @Test
    void anOlderFilesCustomMarkLoadsWithTheWeightsOfTheFile() throws IOException {
        Sequential m = new Sequential(new Input(3), new Dense(2).kernelInitializer("dense_test_twos"));
        Model back = Model.fromBytes(replaced(m.toBytes(), "dense_test_twos", "custom"), "older");
        assertEquals("glorot_uniform", back.layers().get(0).config().get("kernel_initializer"));
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, back.getWeights().get(0).toFloatArray());
    }

    @Test
    void aNullNameOrFactoryIsRefusedNamingIt() {
        assertEquals("registerInitializer: name is null",
                assertThrows(JanusException.class, () -> Serialization.registerInitializer(null, Twos::new)).getMessage());
        assertEquals("registerInitializer: factory for 'dense_test_null' is null",
                assertThrows(JanusException.class, () -> Serialization.registerInitializer("dense_test_null", null)).getMessage());
        assertNull(Serialization.initializer("dense_test_null"), "nothing registered");
    }

    @Test
    void aRegisteredInitializerCannotTakeABuiltInName() {
        assertEquals("registerInitializer: 'HeNormal' is a built-in initializer's name",
                assertThrows(JanusException.class, () -> Serialization.registerInitializer("HeNormal", Twos::new)).getMessage());
    }

    @Test
    void aBuiltLayersInitializersCannotChangeAndUnknownNamesAreRefused() {
        Dense d = new Dense(2);
        new Sequential(new Input(3), d);
        assertThrows(JanusException.class, () -> d.kernelInitializer("ones"));
        assertThrows(JanusException.class, () -> d.biasInitializer(Initializers.ones()));
        assertEquals("unknown initializer 'glorot'; known initializers: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
                        + "lecun_normal, zeros, ones, random_uniform, uniform, random_normal, truncated_normal, orthogonal",
                assertThrows(JanusException.class, () -> new Dense(3).biasInitializer("glorot")).getMessage());
    }
}
