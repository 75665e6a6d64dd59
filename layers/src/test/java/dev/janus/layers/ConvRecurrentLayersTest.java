package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.layers.conv.AveragePooling2D;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Embedding;
import dev.janus.layers.core.Flatten;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.normalization.LayerNormalization;
import dev.janus.layers.recurrent.GRU;
import dev.janus.layers.recurrent.LSTM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, Keras's defaults, the summary and bad input of the convolutional, normalisation and recurrent layers. */
class ConvRecurrentLayersTest {
    private static String shapeError(Executable e) {
        return assertThrows(ShapeException.class, e).getMessage();
    }

    @Test
    void channelsLastShapesAndTheSummary() {
        Generator.manualSeed(1);
        Sequential m = new Sequential(new Input(28, 28, 3),
                new Conv2D(16, 3, "relu").padding("same"), new BatchNormalization(), new MaxPooling2D(),
                new Conv2D(32, new int[] {3, 5}, null).strides(2), new AveragePooling2D(2).padding("same"),
                new GlobalAveragePooling2D(), new Dense(10, "softmax"));
        List<String> shapes = new java.util.ArrayList<>();
        for (Layer l : m.layers()) shapes.add(Layer.describe(l.outputShape()));
        assertEquals(List.of("(None, 28, 28, 16)", "(None, 28, 28, 16)", "(None, 14, 14, 16)", "(None, 6, 5, 32)", "(None, 3, 3, 32)",
                "(None, 32)", "(None, 10)"), shapes);
        String summary = m.toString();
        assertTrue(summary.contains("conv2d (Conv2D)              (None, 28, 28, 16)        448"), summary);
        assertTrue(summary.contains("max_pooling2d (MaxPooling2D) (None, 14, 14, 16)        0"), summary);
        // 448 + 64 + 7,712 + 330 = 8,554; the moving averages (32) do not train.
        assertTrue(summary.contains("Total params: 8,554"), summary);
        assertTrue(summary.contains("Non-trainable params: 32 (128.00 B)"), summary);
        assertEquals(Shape.of(3, 3, 3, 16), m.layers().get(0).weights().get(0).value().shape());
        assertEquals(Shape.of(3, 5, 16, 32), m.layers().get(3).weights().get(0).value().shape());

        Sequential seq = new Sequential(new Input(7), new Embedding(20, 4), new LSTM(6).returnSequences(true), new GRU(5));
        assertThrows(ShapeException.class, () -> new Sequential(new Input(7, 4), new LSTM(6), new GRU(5)));
        Sequential rnn = new Sequential(new Input(7, 4), new LSTM(6).returnSequences(true), new LayerNormalization(), new GRU(5));
        assertEquals(Shape.of(-1, 5), rnn.outputShape());
        assertEquals(Shape.of(-1, 7, 4), seq.layers().get(0).outputShape());
    }

    @Test
    void kerasDefaults() {
        Generator.manualSeed(2);
        Sequential m = new Sequential(new Input(5, 6), new LSTM(8), new Dense(2));
        List<Weight> w = m.layers().get(0).weights();
        assertEquals(List.of("lstm/kernel", "lstm/recurrent_kernel", "lstm/bias"), w.stream().map(Weight::name).collect(java.util.stream.Collectors.toList()));
        double limit = Math.sqrt(6.0 / (6 + 32));
        for (float v : w.get(0).value().f32()) assertTrue(Math.abs(v) <= limit, "glorot_uniform");
        // Orthogonal: R R^T = I for the recurrent kernel [8, 32] (rows orthonormal).
        float[] r = w.get(1).value().f32();
        for (int a = 0; a < 8; a++) {
            for (int b = 0; b < 8; b++) {
                double dot = 0;
                for (int j = 0; j < 32; j++) dot += r[a * 32 + j] * r[b * 32 + j];
                assertEquals(a == b ? 1 : 0, dot, 1e-5);
            }
        }
        float[] bias = w.get(2).value().f32();
        for (int j = 0; j < 32; j++) assertEquals(j >= 8 && j < 16 ? 1f : 0f, bias[j], "unit_forget_bias");
        assertThrows(ShapeException.class, () -> new Sequential(new Input(5, 6), new GRU(4), new GRU(3)), "GRU(4) gives (None, 4), not sequences");
        Sequential gru = new Sequential(new Input(5, 6), new GRU(4));
        assertEquals(Shape.of(2, 12), gru.layers().get(0).weights().get(2).value().shape(), "reset_after: input and recurrent biases");
        Sequential bn = new Sequential(new Input(3), new BatchNormalization(), new LayerNormalization(), new Embedding(10, 2));
        assertArrayEquals(new float[] {1, 1, 1}, bn.layers().get(0).weights().get(0).value().f32());
        assertArrayEquals(new float[] {1, 1, 1}, bn.layers().get(0).weights().get(3).value().f32(), "moving_variance starts at 1");
        for (float v : bn.layers().get(2).weights().get(0).value().f32()) assertTrue(Math.abs(v) <= 0.05, "uniform(-0.05, 0.05)");
    }

    @Test
    void badInputNamesTheLayerAndTheShapes() {
        assertEquals("conv2d: Conv2D expected input (batch, height, width, channels) with height >= 3 and width >= 3, got (None, 2, 2, 1)",
                shapeError(() -> new Sequential(new Input(2, 2, 1), new Conv2D(8, 3))));
        assertEquals("max_pooling2d: MaxPooling2D expected input (batch, height, width, channels) with known height and width, got (None, 8, 8)",
                shapeError(() -> new Sequential(new Input(8, 8), new MaxPooling2D())));
        assertEquals("lstm: LSTM expected input (batch, timesteps, features) with known features, got (None, 8)",
                shapeError(() -> new Sequential(new Input(8), new LSTM(4))));
        assertEquals("conv2d: Conv2D with groups 2 expected input (batch, height, width, channels) with channels and filters 8 divisible by 2,"
                + " got (None, 8, 8, 3)", shapeError(() -> new Sequential(new Input(8, 8, 3), new Conv2D(8, 3).groups(2))));
        // A built layer reused on other channels, and data with other channels than the model's.
        Conv2D conv = new Conv2D(8, 3);
        new Sequential(new Input(8, 8, 3), conv);
        assertEquals("conv2d: this Conv2D was built for inputs (None, 8, 8, 3), got (None, 8, 8, 1)",
                shapeError(() -> new Sequential(new Input(8, 8, 1), conv)));
        Sequential m = new Sequential(new Input(8, 8, 3), new Conv2D(4, 3), new Flatten(), new Dense(2));
        m.compile("sgd", "sparse_categorical_crossentropy", List.of());
        assertEquals("fit: x has shape (16, 8, 8, 1), but the model expects (None, 8, 8, 3)",
                shapeError(() -> m.fit(Tensor.zeros(16, 8, 8, 1), Tensor.zeros(DType.INT64, 16))));
        assertEquals("Conv2D: padding must be \"valid\" or \"same\", got \"full\"",
                assertThrows(JanusException.class, () -> new Conv2D(8, 3).padding("full")).getMessage());
        Conv2D built = (Conv2D) new Sequential(new Input(8, 8, 3), new Conv2D(8, 3)).layers().get(0);
        assertEquals("conv2d: cannot change a layer that is already built", assertThrows(JanusException.class, () -> built.strides(2)).getMessage());
        assertFalse(built.weights().isEmpty());
    }

    @Test
    void modelsWithTheseLayersSaveAndLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Generator.manualSeed(4);
        Sequential cnn = new Sequential(new Input(8, 8, 1), new Conv2D(4, new int[] {3, 2}, Activations.RELU).padding("same").strides(1, 2),
                new BatchNormalization().momentum(0.9), new AveragePooling2D(2).padding("same"), new MaxPooling2D(1, 2),
                new GlobalAveragePooling2D(), new Dense(3, "softmax"));
        Sequential rnn = new Sequential(new Input(6), new Embedding(9, 4), new LSTM(5).returnSequences(true).unitForgetBias(false),
                new LayerNormalization().epsilon(1e-4), new GRU(3).resetAfter(false), new Dense(3, "softmax"));
        Tensor images = Tensor.rand(new Generator(1), 10, 8, 8, 1), tokens = Tensor.empty(DType.FLOAT32, Shape.of(10, 6));
        for (int i = 0; i < tokens.numel(); i++) tokens.setDouble(i, (i * 7) % 9);
        Tensor labels = Tensor.of(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        for (Sequential m : List.of(cnn, rnn)) {
            Tensor x = m == cnn ? images : tokens;
            m.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
            m.trainOnBatch(x, labels);
            java.nio.file.Path file = dir.resolve(m == cnn ? "cnn.janus" : "rnn.janus");
            m.save(file);
            Sequential loaded = Sequential.load(file);
            assertEquals(m.toString(), loaded.toString());
            dev.janus.core.testing.Close.assertClose(m.predict(x), loaded.predict(x), 0, 0);
            for (int i = 0; i < m.weights().size(); i++) {
                dev.janus.core.testing.Close.assertClose(m.weights().get(i).value(), loaded.weights().get(i).value(), 0, 0);
            }
            // Training goes on the same way from the file.
            m.trainOnBatch(x, labels);
            loaded.trainOnBatch(x, labels);
            dev.janus.core.testing.Close.assertClose(m.predict(x), loaded.predict(x), 0, 0);
        }
    }
}
