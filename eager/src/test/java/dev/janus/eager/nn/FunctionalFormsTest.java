package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.janus.core.testing.Close.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link F}'s convolutions, GELU and the two-argument losses, which the modules reach only through
 * other overloads: values computed by hand, gradients against central finite differences.
 */
class FunctionalFormsTest {
    private static final double H = 1e-6, RTOL = 1e-6, ATOL = 1e-8;

    private static double[] values(Tensor t) {
        return t.toDoubleArray();
    }

    private static Tensor random(long seed, int... shape) {
        return (Tensor.uniform(-1, 1, DType.FLOAT64, new Generator(seed), shape)).detach().requiresGrad(true);
    }

    /** backward of sum(w * f()), w different per element, against central differences in every leaf's every element. */
    private static void gradCheck(String what, Function<Tensor[], Tensor> f, Tensor... leaves) {
        Tensor y = f.apply(leaves);
        double[] w = new double[y.numel()];
        for (int i = 0; i < w.length; i++) w[i] = 1 + 0.125 * i;
        Tensor weights = Tensor.of(w, y.shape().dims());
        y.mul(weights).sum().backward();
        for (int l = 0; l < leaves.length; l++) {
            double[] v = leaves[l].f64(), g = values(leaves[l].grad());
            for (int j = 0; j < v.length; j++) {
                double keep = v[j];
                double plus, minus;
                try (Grad.Scope ignored = Grad.noGrad()) {
                    v[j] = keep + H;
                    plus = f.apply(leaves).mul(weights).sum().item();
                    v[j] = keep - H;
                    minus = f.apply(leaves).mul(weights).sum().item();
                } finally {
                    v[j] = keep;
                }
                check((plus - minus) / (2 * H), g[j], RTOL, ATOL, what + ": d/d input " + l + " element " + j);
            }
        }
    }

    @Test
    void conv1dByHand() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5}, 1, 1, 5);
        Tensor w = Tensor.of(new double[] {1, 2, -1}, 1, 1, 3);
        Tensor b = Tensor.of(new double[] {0.5}, 1);
        Tensor plain = F.conv1d(x, w, b, 1, 0, 1, 1);
        assertArrayEquals(new int[] {1, 1, 3}, plain.shape().dims());
        // out[i] = x[i] + 2 x[i+1] - x[i+2] + 0.5
        assertArrayEquals(new double[] {2.5, 4.5, 6.5}, values(plain));
        // Padded [0, 1, 2, 3, 4, 5, 0], windows at 0, 2, 4.
        assertArrayEquals(new double[] {0.5, 4.5, 14.5}, values(F.conv1d(x, w, b, 2, 1, 1, 1)));
        // Dilation 2: x[0] + 2 x[2] - x[4] + 0.5.
        assertArrayEquals(new double[] {2.5}, values(F.conv1d(x, w, b, 1, 0, 2, 1)));
        assertArrayEquals(new double[] {2, 4, 6}, values(F.conv1d(x, w, null, 1, 0, 1, 1)), "no bias");

        // Two groups: each channel with its own filter.
        Tensor two = Tensor.of(new double[] {1, 2, 3, 4, 1, 1, 2, 2}, 1, 2, 4);
        Tensor filters = Tensor.of(new double[] {1, 0, 0, 0, 0, 1}, 2, 1, 3);
        Tensor grouped = F.conv1d(two, filters, null, 1, 0, 1, 2);
        assertArrayEquals(new int[] {1, 2, 2}, grouped.shape().dims());
        assertArrayEquals(new double[] {1, 2, 2, 2}, values(grouped));

        gradCheck("conv1d", t -> F.conv1d(t[0], t[1], t[2], 2, 1, 1, 1), random(1, 2, 3, 7), random(2, 4, 3, 3), random(3, 4));
        gradCheck("conv1d groups", t -> F.conv1d(t[0], t[1], null, 1, 2, 2, 2), random(4, 1, 4, 6), random(5, 2, 2, 2));
    }

    @Test
    void conv2dByHand() {
        double[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Tensor x = Tensor.of(nine, 1, 1, 3, 3);
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor b = Tensor.of(new double[] {1}, 1);
        Tensor plain = F.conv2d(x, w, b, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
        assertArrayEquals(new int[] {1, 1, 2, 2}, plain.shape().dims());
        // out[i][j] = x[i][j] + 2 x[i][j+1] + 3 x[i+1][j] + 4 x[i+1][j+1] + 1
        assertArrayEquals(new double[] {38, 48, 68, 78}, values(plain));
        // Zero-padded to 5x5, windows at rows and columns 0 and 2.
        assertArrayEquals(new double[] {5, 19, 37, 78}, values(F.conv2d(x, w, b, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1)));
        // Dilation 2 over 3x3: the four corners, x[0][0] + 2 x[0][2] + 3 x[2][0] + 4 x[2][2].
        assertArrayEquals(new double[] {1 + 6 + 21 + 36}, values(F.conv2d(x, w, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}, 1)));
        // Padding only along the width: [3 rows] x [5 columns] padded, kernel 2x2 -> 2 x 4.
        Tensor wide = F.conv2d(x, w, null, new int[] {1, 1}, new int[] {0, 1}, new int[] {1, 1}, 1);
        assertArrayEquals(new int[] {1, 1, 2, 4}, wide.shape().dims());
        assertArrayEquals(new double[] {2 * 1 + 4 * 4, 37, 47, 3 + 3 * 6, 2 * 4 + 4 * 7, 67, 77, 6 + 3 * 9}, values(wide));

        gradCheck("conv2d", t -> F.conv2d(t[0], t[1], t[2], new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1),
                random(6, 2, 2, 5, 5), random(7, 3, 2, 2, 2), random(8, 3));
    }

    @Test
    void geluExactAndTanh() {
        double[] x = {-1, -0.5, 0, 0.5, 1, 2};
        // x Phi(x), with the standard normal CDF Phi at these points.
        double[] phi = {0.15865525393145707, 0.3085375387259869, 0.5, 0.6914624612740131, 0.8413447460685429, 0.9772498680518208};
        double[] exact = values(F.gelu(Tensor.of(x)));
        double[] tanh = values(F.gelu(Tensor.of(x), "tanh"));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * phi[i], exact[i], 1e-12, "gelu(" + x[i] + ")");
            double approx = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
            assertEquals(approx, tanh[i], 1e-12, "gelu(" + x[i] + ", tanh)");
        }
        assertArrayEquals(exact, values(F.gelu(Tensor.of(x), "none")), "\"none\" is the exact form");
        gradCheck("gelu", t -> F.gelu(t[0]), random(9, 2, 5));
        gradCheck("gelu tanh", t -> F.gelu(t[0], "tanh"), random(10, 2, 5));
    }

    @Test
    void twoArgumentLossesByHand() {
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 1, 1, 1}, 2, 3);
        Tensor labels = Tensor.of(new long[] {2, 0});
        // -log softmax: row 0 at class 2 is log(1 + e^-1 + e^-2), row 1 (all equal) log 3.
        double ce = (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + Math.log(3)) / 2;
        assertEquals(ce, F.crossEntropy(logits, labels).item(), 1e-14);

        Tensor logProbs = Tensor.of(new double[] {-0.5, -1, -2, -3, -0.1, -0.7}, 2, 3);
        assertEquals(0.6, F.nllLoss(logProbs, Tensor.of(new long[] {0, 2})).item(), 1e-14);

        Tensor input = Tensor.of(new double[] {1, 2, 3}), target = Tensor.of(new double[] {0, 2, 5});
        assertEquals(5.0 / 3, F.mseLoss(input, target).item(), 1e-14);
        assertEquals(1.0, F.l1Loss(input, target).item(), 1e-14);

        // softplus(x) - x y per element.
        Tensor z = Tensor.of(new double[] {0, 2, -1}), y = Tensor.of(new double[] {0, 1, 1});
        double bce = (Math.log(2) + Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + 1) / 3;
        assertEquals(bce, F.binaryCrossEntropyWithLogits(z, y).item(), 1e-14);

        // The two-argument forms are the mean reduction.
        assertEquals(F.crossEntropy(logits, labels, Reduction.MEAN, 0).item(), F.crossEntropy(logits, labels).item());
        assertEquals(F.mseLoss(input, target, Reduction.MEAN).item(), F.mseLoss(input, target).item());
        assertEquals(F.l1Loss(input, target, Reduction.MEAN).item(), F.l1Loss(input, target).item());
        assertEquals(F.binaryCrossEntropyWithLogits(z, y, Reduction.MEAN).item(), F.binaryCrossEntropyWithLogits(z, y).item());
    }
}
