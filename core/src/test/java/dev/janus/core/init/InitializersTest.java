package dev.janus.core.init;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Close;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each initializer's bound or standard deviation against its published formula. */
class InitializersTest {
    private static final Shape TORCH_W = Shape.of(300, 200);   // [out, in]
    private static final Shape KERAS_K = Shape.of(200, 300);   // [in, out]

    private static double[] stats(Tensor t) {
        double max = 0, sum = 0, sq = 0;
        for (int i = 0; i < t.numel(); i++) {
            double v = t.readDouble(i);
            max = Math.max(max, Math.abs(v));
            sum += v;
            sq += v * v;
        }
        double mean = sum / t.numel();
        return new double[] {max, Math.sqrt(sq / t.numel() - mean * mean), mean};
    }

    private static void uniformWithin(Initializer init, Shape s, Fans f, double limit) {
        double[] st = stats(init.create(s, f, DType.FLOAT32, new Generator(1)));
        assertTrue(st[0] <= limit, "max " + st[0] + " exceeds " + limit);
        assertTrue(st[0] > 0.99 * limit, "max " + st[0] + " does not reach " + limit);
        assertEquals(limit / Math.sqrt(3), st[1], 0.01 * limit, "std of U(-l, l) is l / sqrt 3");
    }

    private static void normalWith(Initializer init, Shape s, Fans f, double std, double clip) {
        double[] st = stats(init.create(s, f, DType.FLOAT64, new Generator(2)));
        assertEquals(std, st[1], 0.02 * std);
        assertEquals(0, st[2], 0.02 * std);
        if (clip > 0) assertTrue(st[0] <= clip + 1e-12, "truncated at " + clip + ", max " + st[0]);
    }

    @Test
    void fansFollowEachLayout() {
        Fans t = Fans.torch(Shape.of(16, 3, 5, 5));
        assertEquals(75, t.fanIn());
        assertEquals(400, t.fanOut());
        Fans k = Fans.keras(Shape.of(5, 5, 3, 16));
        assertEquals(75, k.fanIn());
        assertEquals(400, k.fanOut());
        assertEquals(200, Fans.torch(TORCH_W).fanIn());
        assertEquals(200, Fans.keras(KERAS_K).fanIn());
        assertThrows(JanusException.class, () -> Fans.torch(Shape.of(5)));
    }

    @Test
    void kerasInitializers() {
        Fans f = Fans.keras(KERAS_K);
        uniformWithin(Initializers.glorotUniform(), KERAS_K, f, Math.sqrt(6.0 / 500));
        uniformWithin(Initializers.heUniform(), KERAS_K, f, Math.sqrt(6.0 / 200));
        uniformWithin(Initializers.lecunUniform(), KERAS_K, f, Math.sqrt(3.0 / 200));
        // Keras' truncated normals: the requested std is that of the truncated distribution.
        normalWith(Initializers.glorotNormal(), KERAS_K, f, Math.sqrt(2.0 / 500), 2 * Math.sqrt(2.0 / 500) / 0.87962566103423978);
        normalWith(Initializers.heNormal(), KERAS_K, f, Math.sqrt(2.0 / 200), 2 * Math.sqrt(2.0 / 200) / 0.87962566103423978);
        normalWith(Initializers.lecunNormal(), KERAS_K, f, Math.sqrt(1.0 / 200), 2 * Math.sqrt(1.0 / 200) / 0.87962566103423978);
    }

    @Test
    void pytorchInitializers() {
        Fans f = Fans.torch(TORCH_W);
        uniformWithin(Initializers.xavierUniform(1), TORCH_W, f, Math.sqrt(6.0 / 500));
        uniformWithin(Initializers.xavierUniform(2), TORCH_W, f, 2 * Math.sqrt(6.0 / 500));
        normalWith(Initializers.xavierNormal(1), TORCH_W, f, Math.sqrt(2.0 / 500), 0);
        // nn.Linear's default: kaiming_uniform(a = sqrt 5) gives the bound 1 / sqrt(fan_in).
        uniformWithin(Initializers.kaimingUniform(Math.sqrt(5), Initializers.Mode.FAN_IN, "leaky_relu"), TORCH_W, f, 1 / Math.sqrt(200));
        normalWith(Initializers.kaimingNormal(0, Initializers.Mode.FAN_OUT, "relu"), TORCH_W, f, Math.sqrt(2.0 / 300), 0);
        assertEquals(5.0 / 3, Initializers.calculateGain("tanh", 0));
        assertEquals(Math.sqrt(2 / 1.0001), Initializers.calculateGain("leaky_relu", 0.01), 1e-15);
        assertThrows(JanusException.class, () -> Initializers.calculateGain("swish", 0));
    }

    @Test
    void constantsAndSeeds() {
        assertArrayEquals(new float[] {0, 0}, Initializers.zeros().create(Shape.of(2), null, DType.FLOAT32, null).f32());
        assertArrayEquals(new float[] {0.5f, 0.5f}, Initializers.constant(0.5).create(Shape.of(2), null, DType.FLOAT32, null).f32());
        Fans f = Fans.keras(KERAS_K);
        assertArrayEquals(Initializers.heNormal().create(KERAS_K, f, DType.FLOAT32, new Generator(3)).f32(),
                Initializers.heNormal().create(KERAS_K, f, DType.FLOAT32, new Generator(3)).f32());
        assertThrows(JanusException.class, () -> Initializers.glorotUniform().create(KERAS_K, f, DType.INT64, new Generator(3)));
    }

    @Test
    void orthogonalizationMatchesNumpysQrWithTheSignFix() {
        Reference ref = Reference.load("/init/orthogonal.txt");
        int[][] cases = {{5, 3, 1}, {6, 6, 2}, {7, 1, 3}};
        for (int[] c : cases) {
            double[] a = Reference.pattern(c[2], DType.FLOAT64, c[0] * c[1]).f64();
            double[] q = Initializers.orthonormalColumns(a, c[0], c[1]);
            Close.assertClose(ref.get("qr_" + c[0] + "x" + c[1], "q"), Tensor.wrap(q, DType.FLOAT64, Shape.of(c[0], c[1])), 1e-12, 1e-12);
        }
    }

    /** Q Q^T (rows orthonormal) or Q^T Q (columns orthonormal) is gain^2 I. */
    private static void orthonormal(Tensor w, int rows, int cols, double gain) {
        boolean byRows = rows < cols;
        int k = byRows ? rows : cols, len = byRows ? cols : rows;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int i = 0; i < len; i++) {
                    dot += byRows ? w.readDouble(a * cols + i) * w.readDouble(b * cols + i) : w.readDouble(i * cols + a) * w.readDouble(i * cols + b);
                }
                assertEquals(a == b ? gain * gain : 0, dot, 1e-9, "entry " + a + ", " + b);
            }
        }
    }

    @Test
    void orthogonalInKerasAndPyTorchLayouts() {
        orthonormal(Initializers.orthogonal(1).create(Shape.of(8, 32), null, DType.FLOAT64, new Generator(1)), 8, 32, 1);
        orthonormal(Initializers.orthogonal(2).create(Shape.of(32, 8), null, DType.FLOAT64, new Generator(1)), 32, 8, 2);
        // Keras: [3, 3, 4, 5] is the matrix [36, 5]; PyTorch: [5, 4, 3, 3] is [5, 36].
        orthonormal(Initializers.orthogonal(1).create(Shape.of(3, 3, 4, 5), null, DType.FLOAT64, new Generator(2)), 36, 5, 1);
        orthonormal(Initializers.orthogonalTorch(1).create(Shape.of(5, 4, 3, 3), null, DType.FLOAT64, new Generator(2)), 5, 36, 1);
        orthonormal(Initializers.orthogonalTorch(0.5).create(Shape.of(12, 3), null, DType.FLOAT64, new Generator(3)), 12, 3, 0.5);
        Tensor a = Initializers.orthogonal(1).create(Shape.of(6, 6), null, DType.FLOAT32, new Generator(4));
        assertArrayEquals(a.f32(), Initializers.orthogonal(1).create(Shape.of(6, 6), null, DType.FLOAT32, new Generator(4)).f32(), "seeded");
        assertThrows(JanusException.class, () -> Initializers.orthogonal(1).create(Shape.of(6), null, DType.FLOAT32, new Generator(4)));
    }
}
