package dev.janus.eager.nn;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayersTest {
    @Test
    void linearComputesXWTransposedPlusB() {
        Linear l = new Linear(2, 2);
        l.weight.copyFrom(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        l.bias.copyFrom(Tensor.of(new float[] {1, -1}));
        Tensor y = l.forward(Tensor.of(new float[][] {{1, 1}, {2, 0}}));
        assertArrayEquals(new float[] {4, 6, 3, 5}, y.toFloatArray());
        assertEquals("LinearBackward", y.gradFn());
    }

    @Test
    void activationsApplyTheirOps() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0.5f, 2}, 2, 2);
        assertArrayEquals(new float[] {0, 0, 0.5f, 2}, new ReLU().forward(x).toFloatArray());
        assertArrayEquals(new float[] {-0.2f, -0.05f, 0.5f, 2}, new LeakyReLU(0.1).forward(x).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {(float) Math.tanh(-2), (float) Math.tanh(-0.5), (float) Math.tanh(0.5), (float) Math.tanh(2)},
                new Tanh().forward(x).toFloatArray(), 1e-7f);
        assertEquals(1 / (1 + Math.exp(-2)), new Sigmoid().forward(x).getDouble(1, 1), 1e-7);
        // GELU(0.5) = 0.5 Phi(0.5) = 0.345731...
        assertEquals(0.3457312306, new GELU().forward(x).getDouble(1, 0), 1e-6);
        Tensor s = new NNSoftmax(1).forward(x);
        assertEquals(1, s.getDouble(0, 0) + s.getDouble(0, 1), 1e-6);
        Tensor ls = new LogSoftmax(0).forward(x);
        assertEquals(1, Math.exp(ls.getDouble(0, 1)) + Math.exp(ls.getDouble(1, 1)), 1e-6);
        assertSame(x, new Identity().forward(x));
    }

    @Test
    void flattenMergesTheDimensionsAsked() {
        Tensor x = Tensor.randn(2, 3, 4);
        Tensor f = new NNFlatten().forward(x);
        assertEquals("[2, 12]", f.shape().toString());
        assertArrayEquals(x.toFloatArray(), f.toFloatArray());
        assertEquals("[24]", new NNFlatten(0, -1).forward(x).shape().toString());
        assertEquals("[6, 4]", new NNFlatten(0, 1).forward(x).shape().toString());
        assertSame(x, new NNFlatten(1, 1).forward(x));
        assertThrows(JanusException.class, () -> new NNFlatten(2, 1).forward(x));
    }

    @Test
    void dropoutIsActiveOnlyInTraining() {
        Generator.manualSeed(1);
        Tensor x = Tensor.ones(4, 50);
        NNDropout d = new NNDropout(0.5);
        float[] y = d.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0) zeros++;
            else assertEquals(2f, v);
        }
        assertEquals(100, zeros, 25);
        d.eval();
        assertSame(x, d.forward(x));
        assertSame(x, new NNDropout(0).forward(x));
        assertArrayEquals(new float[200], new NNDropout(1).forward(x).toFloatArray());
        assertEquals("Dropout: p must be in [0, 1], got 1.5", assertThrows(JanusException.class, () -> new NNDropout(1.5)).getMessage());
    }
}
