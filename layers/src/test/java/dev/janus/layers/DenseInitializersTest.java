package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.init.Initializers;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Dense#kernelInitializer} and {@link Dense#biasInitializer}, by name and as objects. */
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

    @Test
    void theNamesAreSavedAndACustomInitializersWeightsComeFromTheFile(@TempDir Path dir) {
        Sequential m = new Sequential().generator(new Generator(8));
        m.add(new Input(3));
        m.add(new Dense(4, "relu").kernelInitializer("he_normal").biasInitializer("zeros"));
        m.add(new Dense(2).kernelInitializer((shape, fans, dtype, g) -> Tensor.full(0.25, dtype, shape)).biasInitializer(Initializers.constant(-1)));
        assertEquals("he_normal", m.layers().get(0).config().get("kernel_initializer"));
        assertEquals("zeros", m.layers().get(0).config().get("bias_initializer"));
        assertEquals("custom", m.layers().get(1).config().get("kernel_initializer"));
        assertEquals("custom", m.layers().get(1).config().get("bias_initializer"));

        Path file = dir.resolve("init.janus");
        m.save(file);
        Sequential back = Sequential.load(file);
        assertEquals("he_normal", back.layers().get(0).config().get("kernel_initializer"));
        assertEquals("zeros", back.layers().get(0).config().get("bias_initializer"));
        List<Tensor> w = m.getWeights(), wb = back.getWeights();
        for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i).toFloatArray(), wb.get(i).toFloatArray(), "weight " + i);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, wb.get(2).toFloatArray());
        assertArrayEquals(new float[] {-1, -1}, wb.get(3).toFloatArray());
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
