package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fake_quantize: values by hand, rounding half to even, per channel, and its straight-through gradient. */
class FakeQuantizeTest {
    private static final Immediate E = Immediate.global();

    private static Tensor fq(Tensor x, Tensor scale, Tensor zp, int qmin, int qmax) {
        return Ops.FAKE_QUANTIZE.run(new ExecContext(new Generator(0)), Attrs.of("qmin", qmin, "qmax", qmax), x, scale, zp)[0];
    }

    @Test
    void valuesByHand() {
        // scale 0.1, zero point 3, range [0, 15]: representable values (q - 3) * 0.1 for q in 0..15, -0.3 to 1.2.
        Tensor x = Tensor.of(new double[] {-1.0, -0.26, 0.0, 0.04, 0.06, 0.37, 1.19, 2.0});
        Tensor y = fq(x, Tensor.scalar(0.1, DType.FLOAT64), Tensor.scalar(3, DType.FLOAT64), 0, 15);
        // q = clamp(round(x / 0.1) + 3, 0, 15), y = (q - 3) * 0.1:
        // -1.0: -10 + 3 = -7 -> 0 -> -0.3;  -0.26: -2.6 -> -3 + 3 = 0 -> -0.3;  0: 3 -> 0;  0.04: 0.4 -> 0 -> 0;
        // 0.06: 0.6 -> 1 -> 0.1;  0.37: 3.7 -> 4 -> 0.4;  1.19: 11.9 -> 12 + 3 = 15 -> 1.2;  2.0: 23 -> 15 -> 1.2.
        Close.assertClose(new double[] {-0.3, -0.3, 0, 0, 0.1, 0.4, 1.2, 1.2}, y, 0, 1e-12);
    }

    @Test
    void roundsHalfToEvenAsOnnx() {
        Tensor x = Tensor.of(new float[] {0.5f, 1.5f, 2.5f, -0.5f, -1.5f});
        Tensor y = fq(x, Tensor.scalar(1), Tensor.scalar(0), -128, 127);
        Close.assertClose(new double[] {0, 2, 2, 0, -2}, y, 0, 0);
    }

    @Test
    void perChannelAlongTheAxis() {
        // x [2, 3] with a scale per column (axis 1): column c has scale 0.5, 1 and 2.
        Tensor x = Tensor.of(new double[] {0.7, 0.7, 0.7, -3.3, 300, -3.3}, 2, 3);
        Tensor s = Tensor.of(new double[] {0.5, 1, 2}), z = Tensor.of(new double[] {0, 0, 0});
        Tensor y = fq(x, s, z, -127, 127);
        // 0.7/0.5 = 1.4 -> 1 -> 0.5; 0.7 -> 1 -> 1; 0.35 -> 0 -> 0; -6.6 -> -7 -> -3.5; 300 -> 127; -1.65 -> -2 -> -4.
        Close.assertClose(new double[] {0.5, 1, 0, -3.5, 127, -4}, y, 0, 1e-12);
        Attrs axis0 = Attrs.of("qmin", -127, "qmax", 127, "axis", 0);
        Tensor byRow = Ops.FAKE_QUANTIZE.run(new ExecContext(new Generator(0)), axis0, x, Tensor.of(new double[] {1, 0.1}),
                Tensor.of(new double[] {0, 0}))[0];
        Close.assertClose(new double[] {1, 1, 1, -3.3, 12.7, -3.3}, byRow, 0, 1e-12);
    }

    /**
     * The straight-through gradient is the derivative of clamp(x, (qmin - zp) scale, (qmax - zp) scale):
     * checked against that function's central finite differences, element by element.
     */
    @Test
    void straightThroughGradientIsTheClampsDerivative() {
        double scale = 0.05, zp = -20;
        int qmin = -128, qmax = 127;
        double lo = (qmin - zp) * scale, hi = (qmax - zp) * scale;   // -5.4 and 7.35
        Tensor x = Tensor.of(new double[] {-9, -5.6, -5.2, -1, 0, 0.012, 3.3, 7.2, 7.5, 12});
        Tensor g = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        Tensor s = Tensor.scalar(scale, DType.FLOAT64), z = Tensor.scalar(zp, DType.FLOAT64);
        Attrs attrs = Attrs.of("qmin", qmin, "qmax", qmax);
        Tensor y = fq(x, s, z, qmin, qmax);
        List<Tensor> grads = Ops.FAKE_QUANTIZE.gradient(E, attrs, List.of(x, s, z), List.of(y), List.of(g), new boolean[] {true, true, true});
        assertNull(grads.get(1));
        assertNull(grads.get(2));
        double h = 1e-6;
        for (int i = 0; i < x.numel(); i++) {
            double xi = x.readDouble(i);
            double numeric = (clamp(xi + h, lo, hi) - clamp(xi - h, lo, hi)) / (2 * h) * g.readDouble(i);
            assertEquals(numeric, grads.get(0).readDouble(i), 1e-6, "element " + i + " (x = " + xi + ")");
        }
        // By hand: passes inside [-5.4, 7.35], zero outside.
        Close.assertClose(new double[] {0, 0, 3, 4, 5, 6, 7, 8, 0, 0}, grads.get(0), 0, 0);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.min(Math.max(v, lo), hi);
    }

    @Test
    void perChannelGradientUsesEachChannelsRange() {
        Tensor x = Tensor.of(new float[] {1, 1, 5, 5}, 2, 2);           // per row: scale 0.01 (range ±1.27) and 1
        Tensor s = Tensor.of(new float[] {0.01f, 1}), z = Tensor.of(new float[] {0, 0});
        Attrs attrs = Attrs.of("qmin", -127, "qmax", 127, "axis", 0);
        Tensor g = Tensor.ones(2, 2);
        Tensor gx = Ops.FAKE_QUANTIZE_GRAD.run(new ExecContext(new Generator(0)), attrs, x, s, z, g)[0];
        Close.assertClose(new double[] {1, 1, 1, 1}, gx, 0, 0);
        Tensor far = Tensor.of(new float[] {2, 1, 5, 500}, 2, 2);
        Close.assertClose(new double[] {0, 1, 1, 0}, Ops.FAKE_QUANTIZE_GRAD.run(new ExecContext(new Generator(0)), attrs, far, s, z, g)[0], 0, 0);
    }

    /** One rule, two engines: the gradient emitted as IR and interpreted is the eager one, bit for bit. */
    @Test
    void sameGradientOnTheGraph() {
        Tensor x = Tensor.uniform(-3, 3, DType.FLOAT32, new Generator(5), 4, 3);
        Tensor s = Tensor.of(new float[] {0.02f, 0.01f, 0.03f}), z = Tensor.of(new float[] {3, 0, -2});
        Tensor g = Tensor.normal(0, 1, DType.FLOAT32, new Generator(6), 4, 3);
        Attrs attrs = Attrs.of("qmin", -128, "qmax", 127, "axis", 1);
        Tensor y = Ops.FAKE_QUANTIZE.run(new ExecContext(new Generator(0)), attrs, x, s, z)[0];
        Tensor eager = Ops.FAKE_QUANTIZE.gradient(E, attrs, List.of(x, s, z), List.of(y), List.of(g), new boolean[] {true, false, false}).get(0);
        Graph graph = new Graph("fq");
        Value xv = graph.input("x", x.type()), sv = graph.input("s", s.type()), zv = graph.input("z", z.type()), gv = graph.input("g", g.type());
        Value yv = graph.apply1(Ops.FAKE_QUANTIZE, attrs, xv, sv, zv);
        graph.addOutput(Ops.FAKE_QUANTIZE.gradient(new GraphEmitter(graph), attrs, List.of(xv, sv, zv), List.of(yv), List.of(gv),
                new boolean[] {true, false, false}).get(0));
        Tensor compiled = Interpreter.run(graph, List.of(x, s, z, g), new ExecContext(new Generator(0))).get(0);
        Close.assertClose(eager, compiled, 0, 0);
        long passed = 0;
        for (int i = 0; i < x.numel(); i++) if (eager.readDouble(i) != 0) passed++;
        assertTrue(passed > 0 && passed < x.numel(), "some elements pass and some are clamped: " + passed);
    }

    @Test
    void badShapesNameTheOp() {
        Attrs attrs = Attrs.of("qmin", -128, "qmax", 127);
        ShapeException e = assertThrows(ShapeException.class, () -> Ops.FAKE_QUANTIZE.infer(new TensorType[] {
            TensorType.of(DType.FLOAT32, 2, 3), TensorType.of(DType.FLOAT32, 4), TensorType.of(DType.FLOAT32, 4)}, attrs));
        assertTrue(e.getMessage().contains("fake_quantize") && e.getMessage().contains("4 values"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.FAKE_QUANTIZE.infer(new TensorType[] {
            TensorType.of(DType.INT64, 2), TensorType.of(DType.INT64), TensorType.of(DType.INT64)}, attrs));
        assertTrue(e.getMessage().contains("float"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.FAKE_QUANTIZE.infer(new TensorType[] {
            TensorType.of(DType.FLOAT32, 2), TensorType.of(DType.FLOAT32), TensorType.of(DType.FLOAT32)}, Attrs.of("qmin", 5, "qmax", 5)));
        assertTrue(e.getMessage().contains("qmin"), e.getMessage());
    }
}
