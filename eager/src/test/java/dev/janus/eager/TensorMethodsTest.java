package dev.janus.eager;

import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.core.DType;
import dev.janus.core.ShapeException;
import dev.janus.core.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.janus.core.testing.Close.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The tensor's methods that no other test called: values computed by hand, and every
 * gradient against central finite differences in float64.
 */
class TensorMethodsTest {
    private static final double H = 1e-6, RTOL = 1e-6, ATOL = 1e-8;

    private static double[] values(Tensor t) {
        return t.toDoubleArray();
    }

    /**
     * backward of sum(w * f(x)), with weights w that differ per element, against
     * (L(x + h) - L(x - h)) / 2h for every element of x.
     */
    private static void gradCheck(String what, Function<Tensor, Tensor> f, double[] x0, int... shape) {
        Tensor x = Tensor.of(x0, shape).requiresGrad(true);
        Tensor y = f.apply(x);
        double[] w = new double[y.numel()];
        for (int i = 0; i < w.length; i++) w[i] = 1 + 0.25 * i;
        Tensor weights = Tensor.of(w, y.shape().dims());
        y.mul(weights).sum().backward();
        double[] g = values(x.grad());
        assertEquals(x0.length, g.length, what + ": one gradient per element");
        for (int j = 0; j < x0.length; j++) {
            double[] plus = x0.clone(), minus = x0.clone();
            plus[j] += H;
            minus[j] -= H;
            double numeric;
            try (Grad.Scope ignored = Grad.noGrad()) {
                numeric = (f.apply(Tensor.of(plus, shape)).mul(weights).sum().item()
                        - f.apply(Tensor.of(minus, shape)).mul(weights).sum().item()) / (2 * H);
            }
            check(numeric, g[j], RTOL, ATOL, what + ": d/dx element " + j);
        }
    }

    private static final double[] M23 = {1, 2, 3, 4, 5, 6};

    @Test
    void meanAlongADimensionKeepsItOrNot() {
        Tensor x = Tensor.of(M23, 2, 3);
        Tensor rows = x.mean(1, true);
        assertArrayEquals(new int[] {2, 1}, rows.shape().dims());
        assertArrayEquals(new double[] {2, 5}, values(rows));
        Tensor cols = x.mean(0, false);
        assertArrayEquals(new int[] {3}, cols.shape().dims());
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, values(cols));
        assertArrayEquals(new double[] {2, 5}, values(x.mean(-1, false)), "a negative dimension counts from the end");
        gradCheck("mean(1, true)", t -> t.mean(1, true), new double[] {0.3, -1.2, 2.5, 0.7, 1.1, -0.4}, 2, 3);
        gradCheck("mean(0, false)", t -> t.mean(0, false), new double[] {0.3, -1.2, 2.5, 0.7, 1.1, -0.4}, 2, 3);
    }

    @Test
    void amaxTakesTheLargestAndPassesTheGradientToIt() {
        Tensor x = Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3);
        Tensor rows = x.amax(1, false);
        assertArrayEquals(new int[] {2}, rows.shape().dims());
        assertArrayEquals(new double[] {5, 6}, values(rows));
        Tensor cols = x.amax(0, true);
        assertArrayEquals(new int[] {1, 3}, cols.shape().dims());
        assertArrayEquals(new double[] {4, 5, 6}, values(cols));

        Tensor leaf = Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3).requiresGrad(true);
        leaf.amax(1, false).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 1}, values(leaf.grad()));
        gradCheck("amax(0, true)", t -> t.amax(0, true), new double[] {0.3, -1.2, 2.5, 0.7, 1.1, -0.4}, 2, 3);
    }

    @Test
    void permuteReordersDimensions() {
        double[] v = new double[24];
        for (int i = 0; i < 24; i++) v[i] = i;
        Tensor p = Tensor.of(v, 2, 3, 4).permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape().dims());
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) assertEquals(i * 12 + j * 4 + k, p.getDouble(k, i, j), "[" + k + ", " + i + ", " + j + "]");
            }
        }
        double[] x0 = new double[24];
        for (int i = 0; i < 24; i++) x0[i] = Math.sin(i);
        gradCheck("permute(2, 0, 1)", t -> t.permute(2, 0, 1), x0, 2, 3, 4);
        gradCheck("permute(1, 0, 2)", t -> t.permute(1, 0, 2), x0, 2, 3, 4);
    }

    @Test
    void tTransposesAMatrixOnly() {
        Tensor t = Tensor.of(M23, 2, 3).t();
        assertArrayEquals(new int[] {3, 2}, t.shape().dims());
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, values(t));
        gradCheck("t()", Tensor::t, new double[] {0.3, -1.2, 2.5, 0.7, 1.1, -0.4}, 2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3, 4).t());
        assertEquals("t: expects a 2-D tensor, got shape [2, 3, 4]", e.getMessage());
    }

    @Test
    void divByANumber() {
        assertArrayEquals(new double[] {0.25, 0.5, -0.75}, values(Tensor.of(new double[] {1, 2, -3}).div(4)));
        Tensor f = Tensor.of(new float[] {1, 2, -3}).div(4);
        assertEquals(DType.FLOAT32, f.dtype(), "the number takes the tensor's dtype");
        assertArrayEquals(new float[] {0.25f, 0.5f, -0.75f}, f.toFloatArray());
        gradCheck("div(4)", t -> t.div(4), new double[] {1, 2, -3});
    }

    @Test
    void logAndSqrt() {
        assertArrayEquals(new double[] {0, 1, Math.log(0.5)}, values(Tensor.of(new double[] {1, Math.E, 0.5}).log()), 1e-15);
        double[] edge = values(Tensor.of(new double[] {0, -1}).log());
        assertEquals(Double.NEGATIVE_INFINITY, edge[0], "log(0) is -inf, as PyTorch's");
        assertEquals(Double.NaN, edge[1], "log(-1) is NaN, as PyTorch's");
        gradCheck("log", Tensor::log, new double[] {0.5, 1, 2.5, 7});

        assertArrayEquals(new double[] {2, 1.5, 0, 3}, values(Tensor.of(new double[] {4, 2.25, 0, 9}).sqrt()));
        Tensor leaf = Tensor.of(new double[] {4, 0.25}).requiresGrad(true);
        leaf.sqrt().sum().backward();
        assertArrayEquals(new double[] {0.25, 1}, values(leaf.grad()), "d sqrt(x)/dx = 1 / (2 sqrt(x))");
        gradCheck("sqrt", Tensor::sqrt, new double[] {0.5, 1, 2.5, 7});
    }

    @Test
    void reluAndSigmoid() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0.5, 3}).requiresGrad(true);
        Tensor r = x.relu();
        assertArrayEquals(new double[] {0, 0, 0.5, 3}, values(r));
        r.sum().backward();
        assertArrayEquals(new double[] {0, 0, 1, 1}, values(x.grad()));
        gradCheck("relu", Tensor::relu, new double[] {-2, -0.5, 0.5, 3});

        double[] s = values(Tensor.of(new double[] {0, 2, -2, 40}).sigmoid());
        assertEquals(0.5, s[0]);
        assertEquals(1 / (1 + Math.exp(-2)), s[1], 1e-15);
        assertEquals(1 / (1 + Math.exp(2)), s[2], 1e-15);
        assertEquals(1, s[3], 1e-15);
        gradCheck("sigmoid", Tensor::sigmoid, new double[] {-3, -0.5, 0, 0.5, 3});
    }

    @Test
    void setGradReplacesTheGradientThatBackwardAddsToAndStepUses() {
        Tensor p = Tensor.of(new double[] {1, 1}).requiresGrad(true);
        p.setGrad(Tensor.of(new double[] {2, 4}));
        assertArrayEquals(new double[] {2, 4}, values(p.grad()));
        p.mul(3).sum().backward();
        assertArrayEquals(new double[] {5, 7}, values(p.grad()), "backward adds into the gradient set");

        p.setGrad(Tensor.of(new double[] {2, 4}));
        new EagerOptimizer(new SGD(0.5), List.of(p)).step();
        assertArrayEquals(new double[] {0, -1}, values(p), "the step used the gradient set");

        p.setGrad(null);
        assertNull(p.grad());
        ShapeException e = assertThrows(ShapeException.class, () -> p.setGrad(Tensor.of(new double[] {1, 2, 3})));
        assertEquals("setGrad: gradient float64[3] does not match tensor float64[2]", e.getMessage());
        assertThrows(ShapeException.class, () -> p.setGrad(Tensor.of(new float[] {1, 2})), "a float32 gradient of a float64 tensor");
        assertNull(p.grad(), "a refused gradient leaves none");
    }

    private static Tensor longs(long[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    private static final double[] DISTINCT = {0.3, -1.2, 2.5, 0.7, 1.1, -0.4};

    @Test
    void gatherPicksAlongADimension() {
        Tensor x = Tensor.of(M23, 2, 3);
        Tensor idx = longs(new long[] {2, 0, 1, 1}, 2, 2);
        assertArrayEquals(new double[] {3, 1, 5, 5}, values(x.gather(1, idx)), "out[i][j] = x[i][idx[i][j]]");
        assertArrayEquals(new double[] {4, 2, 6}, values(x.gather(0, longs(new long[] {1, 0, 1}, 1, 3))), "out[i][j] = x[idx[i][j]][j]");
        assertArrayEquals(new double[] {3, 6}, values(x.gather(1, longs(new long[] {-1, -1}, 2, 1))), "negative indices count from the end");
        gradCheck("gather(1, idx)", t -> t.gather(1, idx), DISTINCT, 2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> x.gather(1, longs(new long[] {3, 0}, 2, 1)));
        assertEquals("gather_elements: index 3 at [0, 0] is out of range for axis 1 of size 3", e.getMessage());
    }

    @Test
    void scatterWritesAndScatterAddAdds() {
        Tensor idx = longs(new long[] {2, 0, 1, 0}, 2, 2), src = Tensor.of(new double[] {10, 20, 30, 40}, 2, 2);
        assertArrayEquals(new double[] {20, 0, 10, 40, 30, 0}, values(Tensor.zeros(DType.FLOAT64, 2, 3).scatter(1, idx, src)));
        Tensor repeated = longs(new long[] {2, 0, 1, 1}, 2, 2);
        assertArrayEquals(new double[] {21, 2, 13, 4, 75, 6}, values(Tensor.of(M23, 2, 3).scatterAdd(1, repeated, src)),
                "repeated indices add up");
        Tensor x = Tensor.of(M23, 2, 3);
        assertArrayEquals(M23, values(x), "scatter is not in place");
        gradCheck("scatter(1, idx, src) by self", t -> t.scatter(1, idx, src), DISTINCT, 2, 3);
        gradCheck("scatter(1, idx, src) by src", t -> x.scatter(1, idx, t), new double[] {0.3, -1.2, 2.5, 0.7}, 2, 2);
        gradCheck("scatterAdd by self", t -> t.scatterAdd(1, repeated, src), DISTINCT, 2, 3);
        gradCheck("scatterAdd by src", t -> x.scatterAdd(1, repeated, t), new double[] {0.3, -1.2, 2.5, 0.7}, 2, 2);
    }

    @Test
    void topkAndSortGiveValuesAndIndices() {
        Tensor v = Tensor.of(new double[] {3, 1, 4, 1, 5, 9, 2, 6});
        Tensor.ValuesIndices top = v.topk(3);
        assertArrayEquals(new double[] {9, 6, 5}, values(top.values()));
        assertArrayEquals(new long[] {5, 7, 4}, top.indices().toLongArray());
        assertEquals(DType.INT64, top.indices().dtype());
        Tensor m = Tensor.of(new double[] {3, 1, 4, 1, 5, 9}, 2, 3);
        Tensor.ValuesIndices colMax = m.topk(1, 0, true);
        assertArrayEquals(new double[] {3, 5, 9}, values(colMax.values()));
        assertArrayEquals(new long[] {0, 1, 1}, colMax.indices().toLongArray());
        assertArrayEquals(new double[] {1, 3, 4, 1, 5, 9}, values(m.topk(3, 1, false).values()), "smallest first");
        Tensor w = Tensor.of(new double[] {3, 1, 4, 1, 5});
        assertArrayEquals(new double[] {1, 1, 3, 4, 5}, values(w.sort().values()));
        assertArrayEquals(new long[] {1, 3, 0, 2, 4}, w.sort().indices().toLongArray(), "equal values keep their order");
        assertArrayEquals(new double[] {5, 4, 3, 1, 1}, values(w.sort(0, true).values()));
        assertArrayEquals(new long[] {4, 2, 0, 1, 3}, w.sort(0, true).indices().toLongArray());
        gradCheck("topk(2, 1, true)", t -> t.topk(2, 1, true).values(), DISTINCT, 2, 3);
        gradCheck("sort(0, true)", t -> t.sort(0, true).values(), DISTINCT, 2, 3);
        assertThrows(ShapeException.class, () -> v.topk(9));
    }
}
