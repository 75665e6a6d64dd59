package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.ShapeException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Unary, binary, comparison and selection ops against hand-computed values, in both float dtypes. */
class ElementwiseOpsTest {
    private static final Immediate E = Immediate.global();

    private static Tensor t(DType dt, double... v) {
        Tensor x = Tensor.of(v);
        return E.cast(x, dt);
    }

    private static Tensor run(Op op, Attrs a, Tensor... in) {
        return op.run(ExecContext.global(), a, in)[0];
    }

    private static double tol(DType dt) {
        return dt == DType.FLOAT32 ? 2e-7 : 1e-14;
    }

    private static void check(Op op, Attrs a, DType dt, double[] x, double... expected) {
        Tensor y = run(op, a, t(dt, x));
        assertEquals(dt, y.dtype());
        assertClose(expected, y, tol(dt) * 4, tol(dt));
    }

    @org.junit.jupiter.api.Test
    void logicalOpsAndFloatTests() {
        Tensor a = Tensor.of(new boolean[] {true, true, false, false}), b = Tensor.of(new boolean[] {true, false, true, false});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, false, true, true}, run(Ops.NOT, Attrs.NONE, a).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {true, false, false, false}, run(Ops.AND, Attrs.NONE, a, b).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {true, true, true, false}, run(Ops.OR, Attrs.NONE, a, b).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, true, true, false}, run(Ops.XOR, Attrs.NONE, a, b).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {true, false, false, true},
                run(Ops.XOR, Attrs.NONE, Tensor.of(new boolean[] {true, false}, 2, 1), Tensor.of(new boolean[] {false, true})).bool());
        Tensor f = Tensor.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, true, false, false}, run(Ops.IS_NAN, Attrs.NONE, f).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, false, true, true}, run(Ops.IS_INF, Attrs.NONE, f).bool());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, false, false, true},
                run(Ops.IS_INF, Attrs.of("detect_positive", false), f).bool());
        Tensor m = Tensor.of(new float[] {3, 1, 1, 5, 5, 2}, 2, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 2}, run(Ops.ARGMIN, Attrs.of("axis", 1), m).i64());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {2, 2}, run(Ops.ARGMIN, Attrs.of("axis", 1, "last", true), m).i64());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {0, 0}, run(Ops.ARGMAX, Attrs.of("axis", 1), m).i64());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {0, 1}, run(Ops.ARGMAX, Attrs.of("axis", 1, "last", true), m).i64());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void unaryValues(DType dt) {
        check(Ops.NEG, Attrs.NONE, dt, new double[] {1, -2, 0.5}, -1, 2, -0.5);
        check(Ops.EXP, Attrs.NONE, dt, new double[] {0, 1, -1}, 1, Math.E, 1 / Math.E);
        check(Ops.LOG, Attrs.NONE, dt, new double[] {1, Math.E, 0.5}, 0, 1, -0.6931471805599453);
        check(Ops.SQRT, Attrs.NONE, dt, new double[] {0, 4, 2}, 0, 2, 1.4142135623730951);
        check(Ops.ABS, Attrs.NONE, dt, new double[] {-1.5, 0, 2}, 1.5, 0, 2);
        check(Ops.SIGN, Attrs.NONE, dt, new double[] {-3, 0, 2}, -1, 0, 1);
        check(Ops.ERF, Attrs.NONE, dt, new double[] {0, 0.5, 1, -2, 3},
                0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014);
        check(Ops.RELU, Attrs.NONE, dt, new double[] {-1, 0, 2}, 0, 0, 2);
        check(Ops.LEAKY_RELU, Attrs.of("alpha", 0.1), dt, new double[] {-2, 3}, -0.2, 3);
        check(Ops.LEAKY_RELU, Attrs.NONE, dt, new double[] {-1}, -0.01);
        check(Ops.ELU, Attrs.NONE, dt, new double[] {-1, 2}, -0.6321205588285577, 2);
        check(Ops.GELU, Attrs.NONE, dt, new double[] {-2, -1, 0, 1, 2},
                -0.04550026389635842, -0.15865525393145707, 0.0, 0.8413447460685429, 1.9544997361036416);
        check(Ops.GELU, Attrs.of("approximate", "tanh"), dt, new double[] {-2, -1, 0, 1, 2},
                -0.04540230591222494, -0.15880800939172324, 0.0, 0.8411919906082768, 1.954597694087775);
        check(Ops.SIGMOID, Attrs.NONE, dt, new double[] {0, 2, -30}, 0.5, 0.8807970779778823, 9.357622968839299e-14);
        check(Ops.TANH, Attrs.NONE, dt, new double[] {0, 1}, 0, 0.7615941559557649);
        // values from NumPy
        check(Ops.HARD_SWISH, Attrs.NONE, dt, new double[] {-4, -1, 0.5, 4}, 0, -0.3333333333333333, 0.2916666666666667, 4);
        check(Ops.HARD_SIGMOID, Attrs.NONE, dt, new double[] {-3, -1, 0.5, 3}, 0, 0.3, 0.6, 1);
        check(Ops.HARD_SIGMOID, Attrs.of("alpha", 1 / 6.0, "beta", 0.5), dt, new double[] {-4, 1.5, 4}, 0, 0.75, 1);
        check(Ops.RECIPROCAL, Attrs.NONE, dt, new double[] {-4, 0.5}, -0.25, 2);
        check(Ops.SIN, Attrs.NONE, dt, new double[] {0, 1}, 0, 0.8414709848078965);
        check(Ops.COS, Attrs.NONE, dt, new double[] {0, 1}, 1, 0.5403023058681398);
        check(Ops.TAN, Attrs.NONE, dt, new double[] {1}, 1.5574077246549023);
        check(Ops.ASIN, Attrs.NONE, dt, new double[] {0.5}, 0.5235987755982989);
        check(Ops.ACOS, Attrs.NONE, dt, new double[] {0.5}, 1.0471975511965979);
        check(Ops.ATAN, Attrs.NONE, dt, new double[] {1}, 0.7853981633974483);
        check(Ops.SINH, Attrs.NONE, dt, new double[] {1}, 1.1752011936438014);
        check(Ops.COSH, Attrs.NONE, dt, new double[] {1}, 1.5430806348152437);
        check(Ops.ASINH, Attrs.NONE, dt, new double[] {1, -2}, 0.881373587019543, -1.4436354751788103);
        check(Ops.ACOSH, Attrs.NONE, dt, new double[] {2}, 1.3169578969248166);
        check(Ops.ATANH, Attrs.NONE, dt, new double[] {0.5}, 0.5493061443340549);
        check(Ops.FLOOR, Attrs.NONE, dt, new double[] {-1.5, 1.5}, -2, 1);
        check(Ops.CEIL, Attrs.NONE, dt, new double[] {-1.5, 1.5}, -1, 2);
        check(Ops.ROUND, Attrs.NONE, dt, new double[] {0.5, 1.5, 2.5, -0.5, -1.4}, 0, 2, 2, -0, -1);   // halves to even
        check(Ops.SOFTPLUS, Attrs.NONE, dt, new double[] {0, 1, 30, -5}, 0.6931471805599453, 1.3132616875182228, 30, 0.006715348489118068);
        check(Ops.CLIP, Attrs.of("min", -1.0, "max", 1.0), dt, new double[] {-2, 0.5, 3}, -1, 0.5, 1);
        check(Ops.CLIP, Attrs.of("max", 0.0), dt, new double[] {-2, 3}, -2, 0);
    }

    @Test
    void geluHoldsItsRelativeAccuracyFarIntoTheNegativeTail() {
        // x Phi(x) is tiny for x << 0; the float32 path must keep relative, not just absolute, accuracy.
        Tensor y = run(Ops.GELU, Attrs.NONE, Tensor.of(new float[] {-5f, -8f}));
        assertClose(new double[] {-5 * 2.866515718791939e-07, -8 * 6.220960574271785e-16}, y, 1e-6, 0);
    }

    @Test
    void unaryRejectsIntegers() {
        ShapeException e = assertThrows(ShapeException.class, () -> E.exp(Tensor.arange(3)));
        assertEquals("exp: expected a floating-point input, got int64[3]", e.getMessage());
        assertThrows(ShapeException.class, () -> run(Ops.GELU, Attrs.of("approximate", "fast"), Tensor.ones(2)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void binaryValuesWithBroadcasting(DType dt) {
        Tensor a = E.cast(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), dt);
        Tensor r = E.add(a, t(dt, 10, 20));
        assertEquals(Shape.of(2, 2), r.shape());
        assertClose(new double[] {11, 22, 13, 24}, r, 0, 0);

        Tensor col = E.cast(Tensor.of(new double[] {1, 2}, 2, 1), dt);
        Tensor d = E.sub(col, t(dt, 1, 2, 3));
        assertEquals(Shape.of(2, 3), d.shape());
        assertClose(new double[] {0, -1, -2, 1, 0, -1}, d, 0, 0);

        assertClose(new double[] {2, 4, 6}, E.mul(t(dt, 1, 2, 3), E.scalar(2, dt)), 0, 0);
        assertClose(new double[] {2, 4, 6}, E.mul(E.scalar(2, dt), t(dt, 1, 2, 3)), 0, 0);
        assertClose(new double[] {0.5, 1, 1.5}, E.div(t(dt, 1, 2, 3), t(dt, 2)), 0, 0);
        assertClose(new double[] {4, 9, 16}, E.pow(t(dt, 2, 3, 4), t(dt, 2)), tol(dt), 0);
        assertClose(new double[] {2}, E.pow(t(dt, 4), E.scalar(0.5, dt)), tol(dt), 0);
        assertClose(new double[] {4, 5, 3}, run(Ops.MAXIMUM, Attrs.NONE, t(dt, 1, 5, 3), t(dt, 4, 2, 3)), 0, 0);
        assertClose(new double[] {1, 2, 3}, run(Ops.MINIMUM, Attrs.NONE, t(dt, 1, 5, 3), t(dt, 4, 2, 3)), 0, 0);

        // [2,1,3] op [2,1]: runs where one side repeats an element, in the middle of the shape
        Tensor x = E.cast(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 1, 3), dt);
        Tensor y = E.cast(Tensor.of(new double[] {10, 20}, 2, 1), dt);
        Tensor s = E.add(x, y);
        assertEquals(Shape.of(2, 2, 3), s.shape());
        assertClose(new double[] {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}, s, 0, 0);
    }

    @Test
    void binaryErrorsNameTheOpAndShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> E.add(Tensor.zeros(2, 3), Tensor.zeros(4)));
        assertEquals("add: cannot broadcast [2, 3] with [4] (dimension 1 of the result: 3 vs 4)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> E.mul(Tensor.zeros(2), Tensor.zeros(DType.FLOAT64, 2)));
        assertEquals("mul: inputs have different dtypes, float32[2] and float64[2]", e.getMessage());
    }

    @Test
    void elementwiseKernelsWorkInPlace() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Ops.ADD.compute(new Tensor[] {a, Tensor.of(new float[] {10, 20})}, Attrs.NONE, new Tensor[] {a}, ExecContext.global());
        assertArrayEquals(new float[] {11, 22, 13, 24}, a.f32());
        Ops.RELU.compute(new Tensor[] {a}, Attrs.NONE, new Tensor[] {a}, ExecContext.global());
        assertArrayEquals(new float[] {11, 22, 13, 24}, a.f32());
    }

    @Test
    void comparisonsWhereAndCast() {
        Tensor g = E.greater(Tensor.of(new float[] {1, 2, 3}), Tensor.of(new float[] {2}));
        assertEquals(DType.BOOL, g.dtype());
        assertArrayEquals(new boolean[] {false, false, true}, g.bool());
        assertArrayEquals(new boolean[] {true, false}, E.equal(Tensor.of(new long[] {5, 6}), Tensor.of(new long[] {5, 5})).bool());

        Tensor w = E.where(Tensor.of(new boolean[] {true, false, true}), Tensor.of(new float[] {1, 2, 3}), Tensor.of(new float[] {10}));
        assertArrayEquals(new float[] {1, 10, 3}, w.f32());
        Tensor w2 = E.where(Tensor.of(new boolean[] {true, false}, 2, 1), Tensor.of(new long[] {1, 2, 3}), Tensor.of(new long[] {-1}));
        assertArrayEquals(new long[] {1, 2, 3, -1, -1, -1}, w2.i64());

        assertArrayEquals(new long[] {1, -1, 0}, E.cast(Tensor.of(new float[] {1.7f, -1.7f, 0.2f}), DType.INT64).i64());
        assertArrayEquals(new float[] {3, -4}, E.cast(Tensor.of(new long[] {3, -4}), DType.FLOAT32).f32());
        assertArrayEquals(new boolean[] {false, true}, E.cast(Tensor.of(new double[] {0, 0.5}), DType.BOOL).bool());
        assertArrayEquals(new double[] {1, 0}, E.cast(Tensor.of(new boolean[] {true, false}), DType.FLOAT64).f64());
        assertArrayEquals(new double[] {0.5, 2.25}, E.cast(Tensor.of(new float[] {0.5f, 2.25f}), DType.FLOAT64).f64());

        ShapeException e = assertThrows(ShapeException.class,
                () -> E.where(Tensor.of(new float[] {1}), Tensor.zeros(1), Tensor.zeros(1)));
        assertEquals("where: the condition must be bool, got float32[1]", e.getMessage());
    }

    /**
     * Compare and where with one operand a single element (ReLU's gradient is where(x > 0, g, 0))
     * skip the broadcast walk: the values are those of the definitions, NaN and signed zeros kept
     * bit for bit, with the single element on either side of where.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void compareAndWhereAgainstOneElement(DType dt) {
        Tensor x = E.reshape(t(dt, -1, 0, 2, Double.NaN, -0.0, 3), Shape.of(2, 3)), zero = E.scalar(0, dt);
        assertArrayEquals(new boolean[] {false, false, true, false, false, true}, E.greater(x, zero).bool());
        assertArrayEquals(new boolean[] {false, true, false, false, true, false}, E.equal(x, zero).bool());
        assertArrayEquals(new boolean[] {false, false, true, false, false, true}, E.greater(x, t(dt, 0)).bool());
        assertArrayEquals(new boolean[] {true, true, false, false, true, false}, E.greater(t(dt, 2), x).bool());

        Tensor c = Tensor.of(new boolean[] {true, false, true, false, true, false}, 2, 3);
        Tensor right = E.where(c, x, E.scalar(-0.0, dt)), left = E.where(c, E.scalar(7, dt), x);
        assertEquals(Shape.of(2, 3), right.shape());
        assertEquals(dt, right.dtype());
        assertArrayEquals(new double[] {-1, -0.0, 2, -0.0, -0.0, -0.0}, right.toDoubleArray());
        assertArrayEquals(new double[] {7, 0, 7, Double.NaN, 7, 3}, left.toDoubleArray());

        assertArrayEquals(new boolean[] {false, true, true}, E.greater(Tensor.of(new long[] {-4, 5, 9}), Tensor.scalar(0, DType.INT64)).bool());
        assertArrayEquals(new boolean[] {false, true, false}, E.equal(Tensor.of(new long[] {-4, 5, 9}), Tensor.scalar(5, DType.INT64)).bool());
    }

    @Test
    void castToSameDTypeIsTheSameValue() {
        Tensor x = Tensor.ones(2);
        assertSame(x, E.cast(x, DType.FLOAT32));
    }

    /** Integer powers by repeated squaring, wrapping as int32 when widened from it; a negative exponent is an error. */
    @Test
    void integerPow() {
        Tensor y = E.pow(Tensor.of(new long[] {1, 2, 3, -2, 7}), Tensor.of(new long[] {4, 5, 6, 3, 0}));
        assertArrayEquals(new long[] {1, 32, 729, -8, 1}, y.i64());
        Tensor wrapped = E.pow(Tensor.of(new int[] {2, 3}), Tensor.of(new int[] {31, 21}));
        assertArrayEquals(new int[] {Integer.MIN_VALUE, (int) 10460353203L}, wrapped.i32());
        assertThrows(dev.janus.core.JanusException.class, () -> E.pow(Tensor.of(new long[] {2}), Tensor.of(new long[] {-1})));
    }
}
