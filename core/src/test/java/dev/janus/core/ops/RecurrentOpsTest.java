package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * lstm and gru against PyTorch's nn.LSTM / nn.GRU with the same weights (linear_before_reset 1) and
 * ONNX's reference evaluator (linear_before_reset 0); resources/nn/make_reference.py maps the ONNX
 * weights to PyTorch's gate order and checks both against ONNX Runtime.
 */
class RecurrentOpsTest {
    private static final Reference REF = Reference.load("/nn/reference.txt");
    private static final double SMALL = 1.0 / 64;

    /** The script's inputs for a case: x, W, R, B and, with states, initial_h (and initial_c). */
    private static Tensor[] inputs(DType dt, boolean lstm, int t, int n, int i, int h, int d, boolean states, int seed) {
        int g = lstm ? 4 : 3;
        List<Tensor> in = new ArrayList<>(List.of(pattern(seed, dt, t, n, i), pattern(seed + 1, SMALL, dt, d, g * h, i),
                pattern(seed + 2, SMALL, dt, d, g * h, h), pattern(seed + 3, SMALL, dt, d, 2 * g * h)));
        if (states) in.add(pattern(seed + 4, dt, d, n, h));
        if (states && lstm) in.add(pattern(seed + 5, dt, d, n, h));
        return in.toArray(new Tensor[0]);
    }

    private static void matches(String name, DType dt, Op op, Attrs a, Tensor[] in) {
        Tensor[] out = op.run(ExecContext.global(), a, in);
        String[] names = {"y", "y_h", "y_c"};
        double tol = Reference.tolerance(dt);
        for (int k = 0; k < out.length; k++) assertClose(REF.get(name, names[k]), out[k], tol, tol);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void lstmMatchesPyTorch(DType dt) {
        matches("lstm_forward", dt, Ops.LSTM, Attrs.of("hidden_size", 5), inputs(dt, true, 4, 2, 3, 5, 1, true, 50));
        matches("lstm_bidirectional", dt, Ops.LSTM, Attrs.of("direction", "bidirectional"), inputs(dt, true, 3, 2, 3, 4, 2, false, 56));
        matches("lstm_reverse", dt, Ops.LSTM, Attrs.of("direction", "reverse"), inputs(dt, true, 3, 1, 2, 3, 1, true, 62));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void gruMatchesPyTorchAndOnnx(DType dt) {
        Attrs pytorch = Attrs.of("linear_before_reset", 1);
        matches("gru_forward_lbr", dt, Ops.GRU, pytorch, inputs(dt, false, 4, 2, 3, 5, 1, true, 68));
        matches("gru_bidirectional_lbr", dt, Ops.GRU, pytorch.with("direction", "bidirectional"), inputs(dt, false, 3, 2, 3, 4, 2, false, 74));
        matches("gru_forward", dt, Ops.GRU, Attrs.NONE, inputs(dt, false, 4, 2, 3, 5, 1, true, 80));
        matches("gru_reverse", dt, Ops.GRU, Attrs.of("direction", "reverse"), inputs(dt, false, 3, 2, 3, 4, 1, false, 86));
    }

    @Test
    void lstmCellByHand() {
        // One step, one unit, zero weights on h: gates from x = 1 with W = [1, 2, 3, 4] (i, o, f, c), no bias.
        Tensor[] out = Ops.LSTM.run(ExecContext.global(), Attrs.NONE, Tensor.ones(DType.FLOAT64, 1, 1, 1),
                Tensor.of(new double[] {1, 2, 3, 4}, 1, 4, 1), Tensor.zeros(DType.FLOAT64, 1, 4, 1), Tensor.zeros(DType.FLOAT64, 1, 8));
        double i = 1 / (1 + Math.exp(-1)), o = 1 / (1 + Math.exp(-2)), c = i * Math.tanh(4);
        assertClose(new double[] {c}, out[2], 1e-15, 0);
        assertClose(new double[] {o * Math.tanh(c)}, out[1], 1e-15, 0);
        assertEquals(Shape.of(1, 1, 1, 1), out[0].shape());
    }

    @Test
    void badShapesAreNamed() {
        Tensor w = Tensor.zeros(1, 8, 3), r = Tensor.zeros(1, 8, 2), b = Tensor.zeros(1, 16);
        ShapeException e = assertThrows(ShapeException.class, () -> Ops.LSTM.run(ExecContext.global(), Attrs.NONE, Tensor.zeros(5, 3), w, r, b));
        assertEquals("lstm: input must be [seq_len, batch, input_size] (rank 3), got float32[5, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.LSTM.run(ExecContext.global(), Attrs.NONE, Tensor.zeros(5, 1, 4), w, r, b));
        assertEquals("lstm: W must have shape [1, 8, 4] ([num_directions, 4 * hidden_size, input_size]), got [1, 8, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.LSTM.run(ExecContext.global(), Attrs.of("direction", "bidirectional"),
                Tensor.zeros(5, 1, 3), w, r, b));
        assertEquals("lstm: W must have shape [2, 8, 3] ([num_directions, 4 * hidden_size, input_size]), got [1, 8, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.LSTM.run(ExecContext.global(), Attrs.of("hidden_size", 3), Tensor.zeros(5, 1, 3), w, r, b));
        assertEquals("lstm: W must have shape [1, 12, 3] ([num_directions, 4 * hidden_size, input_size]), got [1, 8, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.LSTM.run(ExecContext.global(), Attrs.NONE, Tensor.zeros(5, 2, 3), w, r, b,
                Tensor.zeros(1, 1, 2), Tensor.zeros(1, 1, 2)));
        assertEquals("lstm: initial_h must have shape [1, 2, 2] ([num_directions, batch, hidden_size]), got [1, 1, 2]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.GRU.run(ExecContext.global(), Attrs.of("layout", 1), Tensor.zeros(5, 1, 3),
                Tensor.zeros(1, 6, 3), Tensor.zeros(1, 6, 2), Tensor.zeros(1, 12)));
        assertEquals("gru: layout 1 (batch first) is not supported; transpose the input to [seq_len, batch, input_size]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.GRU.run(ExecContext.global(), Attrs.of("direction", "backward"), Tensor.zeros(5, 1, 3),
                Tensor.zeros(1, 6, 3), Tensor.zeros(1, 6, 2), Tensor.zeros(1, 12)));
        assertEquals("gru: direction must be forward, reverse or bidirectional, got \"backward\"", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Ops.GRU.run(ExecContext.global(), Attrs.of("clip", 3.0), Tensor.zeros(5, 1, 3),
                Tensor.zeros(1, 6, 3), Tensor.zeros(1, 6, 2), Tensor.zeros(1, 12)));
        assertEquals("gru: attribute clip is not supported", e.getMessage());
    }
}
