package dev.janus.core.ops;

import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * LSTM and GRU over a whole sequence, as ONNX defines them: x [T, N, I] (sequence first), weights
 * stacked per direction (W [D, G H, I], R [D, G H, H], B [D, 2 G H] holding Wb then Rb), optional
 * initial states [D, N, H]; outputs Y [T, D, N, H] and the final states [D, N, H]. Attribute
 * "direction" is forward, reverse or bidirectional; "hidden_size" is checked against R.
 *
 * <p>The kernel is a loop over time with a GEMM per step. The gradient rule is back-propagation
 * through time written as ordinary ops: it replays the forward pass step by step, then walks back,
 * so the eager engine runs it and the graph autodiff emits it unrolled.
 */
final class Recurrent {
    private Recurrent() {
    }

    /** Sizes of one call: sequence length, batch, input size, directions, hidden size, gates. */
    static final class Dims {
        final int t, n, i, d, h, gates;

        Dims(int t, int n, int i, int d, int h, int gates) {
            this.t = t;
            this.n = n;
            this.i = i;
            this.d = d;
            this.h = h;
            this.gates = gates;
        }

        int gh() {
            return gates * h;
        }
    }

    /** One direction's part of the gradient computation, in the order its cell needs them. */
    static final class Direction<V> {
        final Dims dims;
        final boolean reversed;
        /** x W^T + Wb for every step, [T N, G H], rows in time order. */
        final V xw;
        /** R [G H, H] and Rb [G H] of this direction. */
        final V r, rb;
        /** Initial states [N, H] (h, then c for an LSTM). */
        final List<V> init;
        /** Upstream gradients: of Y's rows for this direction [T N, H], and of the final states [N, H]; null where none. */
        final V dy;
        final List<V> dFinal;

        Direction(Dims dims, boolean reversed, V xw, V r, V rb, List<V> init, V dy, List<V> dFinal) {
            this.dims = dims;
            this.reversed = reversed;
            this.xw = xw;
            this.r = r;
            this.rb = rb;
            this.init = init;
            this.dy = dy;
            this.dFinal = dFinal;
        }

        /** The time index of step s. */
        int time(int s) {
            return reversed ? dims.t - 1 - s : s;
        }

        /** Rows [t N, (t + 1) N) of a [T N, ...] value: time step t. */
        V at(Emitter<V> e, V v, int t) {
            return e.slice(v, 0, t * dims.n, (t + 1) * dims.n);
        }
    }

    /** What a cell's backward walk returns for one direction. */
    static final class Back<V> {
        /** Gradients of x W^T + Wb [T N, G H] and of the recurrent pre-activations h R^T + Rb [T N, G H]. */
        final V dxw, dhr;
        /** Gradient of R [G H, H] and of the initial states. */
        final V dr;
        final List<V> dInit;

        Back(V dxw, V dhr, V dr, List<V> dInit) {
            this.dxw = dxw;
            this.dhr = dhr;
            this.dr = dr;
            this.dInit = dInit;
        }
    }

    /** The shape rule, the direction loop of the kernel and of the gradient, shared by LSTM and GRU. */
    abstract static class Rnn extends Op {
        private static final String[] UNSUPPORTED = {"activations", "activation_alpha", "activation_beta", "clip", "input_forget"};
        final int gates, states;
        private final String onnxType;

        Rnn(String name, String onnxType, int gates, int states) {
            super(name, 4, 4 + states);
            this.onnxType = onnxType;
            this.gates = gates;
            this.states = states;
        }

        @Override
        public int outputCount() {
            return 1 + states;
        }

        static int directions(String op, Attrs attrs) {
            String d = attrs.getString("direction", "forward");
            if (d.equals("forward") || d.equals("reverse")) return 1;
            if (d.equals("bidirectional")) return 2;
            throw new ShapeException(op + ": direction must be forward, reverse or bidirectional, got \"" + d + "\"");
        }

        static boolean reversed(Attrs attrs, int d) {
            return d == 1 || attrs.getString("direction", "forward").equals("reverse");
        }

        Dims dims(Shape x, Shape r, Attrs attrs) {
            int h = attrs.getInt("hidden_size", r.dim(2));
            return new Dims(x.dim(0), x.dim(1), x.dim(2), directions(name(), attrs), h, gates);
        }

        private void expect(TensorType t, String what, Shape want, String meaning) {
            if (!want.compatible(t.shape())) {
                throw new ShapeException(name() + ": " + what + " must have shape " + want + " (" + meaning + "), got " + t.shape());
            }
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            for (int k = 1; k < in.length; k++) Check.sameDType(name(), in[0], in[k]);
            if (in[0].rank() != 3) throw new ShapeException(name() + ": input must be [seq_len, batch, input_size] (rank 3), got " + in[0]);
            if (attrs.getInt("layout", 0) != 0) {
                throw new ShapeException(name() + ": layout " + attrs.getInt("layout", 0)
                        + " (batch first) is not supported; transpose the input to [seq_len, batch, input_size]");
            }
            for (String a : UNSUPPORTED) if (attrs.has(a)) throw new ShapeException(name() + ": attribute " + a + " is not supported");
            if (in[2].rank() != 3) throw new ShapeException(name() + ": R must be [num_directions, " + gates + " * hidden_size, hidden_size], got " + in[2]);
            Shape x = in[0].shape();
            Dims m = dims(x, in[2].shape(), attrs);
            if (m.h < 1) throw new ShapeException(name() + ": hidden_size must be positive, got " + m.h);
            if (m.t == 0) throw new ShapeException(name() + ": the sequence " + x + " is empty");
            String g = gates + " * hidden_size";
            expect(in[1], "W", Shape.of(m.d, m.gh(), m.i), "[num_directions, " + g + ", input_size]");
            expect(in[2], "R", Shape.of(m.d, m.gh(), m.h), "[num_directions, " + g + ", hidden_size]");
            expect(in[3], "B", Shape.of(m.d, 2 * m.gh()), "[num_directions, 2 * " + g + "]");
            for (int k = 4; k < in.length; k++) {
                expect(in[k], k == 4 ? "initial_h" : "initial_c", Shape.of(m.d, m.n, m.h), "[num_directions, batch, hidden_size]");
            }
            TensorType[] out = new TensorType[1 + states];
            out[0] = in[0].withShape(Shape.of(m.t, m.d, m.n, m.h));
            for (int k = 1; k <= states; k++) out[k] = in[0].withShape(Shape.of(m.d, m.n, m.h));
            return out;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Dims m = dims(in[0].shape(), in[2].shape(), attrs);
            int gh = m.gh(), nh = m.n * m.h;
            double[] x = Doubles.read(in[0]), w = Doubles.read(in[1]), r = Doubles.read(in[2]), b = Doubles.read(in[3]);
            double[] y = Doubles.target(out[0]);
            double[][] finals = new double[states][];
            for (int k = 0; k < states; k++) finals[k] = Doubles.target(out[1 + k]);
            double[] xw = new double[m.t * m.n * gh];
            for (int d = 0; d < m.d; d++) {
                // x W^T + Wb for all steps at once; the step loop adds the recurrent part.
                for (int row = 0; row < m.t * m.n; row++) System.arraycopy(b, d * 2 * gh, xw, row * gh, gh);
                Blas.dgemm(1, false, true, m.t * m.n, gh, m.i, x, new int[] {0}, w, new int[] {d * gh * m.i}, xw, new int[] {0}, true);
                double[][] s = new double[states][];
                for (int k = 0; k < states; k++) {
                    s[k] = new double[nh];
                    if (in.length > 4 + k) System.arraycopy(Doubles.read(in[4 + k]), d * nh, s[k], 0, nh);
                }
                for (int step = 0; step < m.t; step++) {
                    int t = reversed(attrs, d) ? m.t - 1 - step : step;
                    step(attrs, m, xw, t * m.n * gh, r, d * gh * m.h, b, d * 2 * gh + gh, s);
                    System.arraycopy(s[0], 0, y, (t * m.d + d) * nh, nh);
                }
                for (int k = 0; k < states; k++) System.arraycopy(s[k], 0, finals[k], d * nh, nh);
            }
            Doubles.store(y, out[0]);
            for (int k = 0; k < states; k++) Doubles.store(finals[k], out[1 + k]);
        }

        /**
         * One time step of the cell, in place on the states [N, H]: xw[xo..] holds x_t W^T + Wb
         * [N, G H]; R of this direction starts at r[ro], its Rb at b[bo].
         */
        abstract void step(Attrs attrs, Dims m, double[] xw, int xo, double[] r, int ro, double[] b, int bo, double[][] state);

        /** The cell's backward walk over one direction. */
        abstract <V> Back<V> backward(Emitter<V> e, Attrs attrs, Direction<V> dir);

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            Dims m = dims(e.shape(in.get(0)), e.shape(in.get(2)), attrs);
            int gh = m.gh();
            V x2 = e.reshape(in.get(0), Shape.of(m.t * m.n, m.i));
            List<V> dx = new ArrayList<>(), dw = new ArrayList<>(), dr = new ArrayList<>(), db = new ArrayList<>();
            List<List<V>> dInit = new ArrayList<>();
            for (int k = 0; k < states; k++) dInit.add(new ArrayList<>());
            for (int d = 0; d < m.d; d++) {
                V w = take(e, in.get(1), d, Shape.of(gh, m.i)), b = take(e, in.get(3), d, Shape.of(2 * gh));
                V xw = e.add(e.matmul(x2, w, false, true), e.slice(b, 0, 0, gh));
                List<V> init = new ArrayList<>(), dFinal = new ArrayList<>();
                for (int k = 0; k < states; k++) {
                    init.add(in.size() > 4 + k ? take(e, in.get(4 + k), d, Shape.of(m.n, m.h))
                            : e.zeros(e.type(in.get(0)).withShape(Shape.of(m.n, m.h))));
                    dFinal.add(gOut.get(1 + k) == null ? null : take(e, gOut.get(1 + k), d, Shape.of(m.n, m.h)));
                }
                V dy = gOut.get(0) == null ? null : e.reshape(e.slice(gOut.get(0), 1, d, d + 1), Shape.of(m.t * m.n, m.h));
                Direction<V> dir = new Direction<>(m, reversed(attrs, d), xw, take(e, in.get(2), d, Shape.of(gh, m.h)),
                        e.slice(b, 0, gh, 2 * gh), init, dy, dFinal);
                Back<V> back = backward(e, attrs, dir);
                dx.add(e.matmul(back.dxw, w, false, false));
                dw.add(e.reshape(e.matmul(back.dxw, x2, true, false), Shape.of(1, gh, m.i)));
                dr.add(e.reshape(back.dr, Shape.of(1, gh, m.h)));
                V dbias = e.concat(List.of(e.sum(back.dxw, new int[] {0}, false), e.sum(back.dhr, new int[] {0}, false)), 0);
                db.add(e.reshape(dbias, Shape.of(1, 2 * gh)));
                for (int k = 0; k < states; k++) dInit.get(k).add(e.reshape(back.dInit.get(k), Shape.of(1, m.n, m.h)));
            }
            V gx = dx.get(0);
            for (int d = 1; d < m.d; d++) gx = e.add(gx, dx.get(d));
            List<V> grads = new ArrayList<>(Arrays.asList(e.reshape(gx, e.shape(in.get(0))), e.concat(dw, 0), e.concat(dr, 0), e.concat(db, 0)));
            for (int k = 4; k < in.size(); k++) grads.add(e.concat(dInit.get(k - 4), 0));
            for (int k = 0; k < grads.size(); k++) if (!wanted[k]) grads.set(k, null);
            return grads;
        }

        /** The cell's own ONNX attributes, written in full. */
        List<Object> onnxAttrs(Attrs attrs) {
            return List.of();
        }

        /** Reads the cell's own ONNX attributes into {@code a}, refusing what the cell lacks. */
        abstract Attrs importAttrs(ImportNode n, Attrs a);

        /** The ONNX op itself; sequence_lens (ONNX's input 4) is left out, as every sequence is whole. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            List<String> in = new ArrayList<>(node.inputs());
            if (in.size() > 4) in.add(4, "");
            List<Object> a = new ArrayList<>(List.of("hidden_size", node.inputType(2).shape().dim(2),
                    "direction", node.attrs().getString("direction", "forward")));
            a.addAll(onnxAttrs(node.attrs()));
            out.node(onnxType, in, node.outputs(), a.toArray());
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of(onnxType, this::importRnn);
        }

        /**
         * Optional inputs: a missing B is zeros, a missing initial state before a given one is zeros,
         * and sequence_lens is accepted when it is known and every sequence is whole. layout 1
         * (batch first, opset 14) transposes the input and initial states in and the outputs out.
         */
        private List<Value> importRnn(ImportNode n) {
            Emitter<Value> e = n.emit();
            boolean batchFirst = n.getInt("layout", 0) != 0;
            Attrs a = importAttrs(n, Attrs.of("direction", n.getString("direction", "forward")));
            if (n.has("hidden_size")) a = a.with("hidden_size", n.getInt("hidden_size", 0));
            Value x = n.input(0);
            if (x.type().rank() != 3) throw n.error("X must have rank 3, got " + x.type());
            if (batchFirst) x = e.transpose(x, 1, 0, 2);
            TensorType xt = x.type();
            Shape r = n.input(2).type().shape();
            if (r.rank() != 3) throw n.error("R must have rank 3 [num_directions, " + gates + " * hidden_size, hidden_size], got " + r);
            int d = directions(name(), a), h = a.getInt("hidden_size", r.dim(2)), t = xt.shape().dim(0), batch = xt.shape().dim(1);
            List<Value> in = new ArrayList<>(List.of(x, n.input(1), n.input(2)));
            in.add(n.hasInput(3) ? n.input(3) : e.zeros(xt.withShape(Shape.of(d, 2 * gates * h))));
            if (n.hasInput(4)) requireWholeSequences(n, t);
            int given = 0;
            for (int k = 0; k < states; k++) if (n.hasInput(5 + k)) given = k + 1;
            for (int k = 0; k < given; k++) {
                if (n.hasInput(5 + k)) {
                    in.add(batchFirst ? e.transpose(n.input(5 + k), 1, 0, 2) : n.input(5 + k));
                } else {
                    if (batch == Shape.DYNAMIC) throw n.error("a missing initial_h before initial_c needs a known batch size, got X " + n.input(0).type());
                    in.add(e.zeros(xt.withShape(Shape.of(d, batch, h))));
                }
            }
            List<Value> outs = e.apply(this, a, in);
            if (!batchFirst) return outs;
            List<Value> back = new ArrayList<>();
            for (int i = 0; i < Math.min(outs.size(), n.outputCount()); i++) {
                back.add(i == 0 ? e.transpose(outs.get(0), 2, 0, 1, 3) : e.transpose(outs.get(i), 1, 0, 2));
            }
            return back;
        }

        private static void requireWholeSequences(ImportNode n, int t) {
            if (!n.isConstant(4) || t == Shape.DYNAMIC) {
                throw n.error("sequence_lens must be known when the model is read, as must the sequence length (Janus runs every sequence whole)");
            }
            Tensor lens = n.constant(4);
            for (int i = 0; i < lens.numel(); i++) {
                if (lens.readDouble(i) != t) {
                    throw n.error("sequence_lens[" + i + "] is " + (long) lens.readDouble(i) + "; sequences shorter than the input's " + t
                            + " steps are not supported");
                }
            }
        }

        /** v[d] of a per-direction stack, reshaped. */
        static <V> V take(Emitter<V> e, V v, int d, Shape shape) {
            return e.reshape(e.slice(v, 0, d, d + 1), shape);
        }

        /** An empty list of T slots, filled by time index. */
        static <V> List<V> slots(int t) {
            return new ArrayList<>(Collections.nCopies(t, (V) null));
        }

        /** The upstream gradient of h after step t: what flows back from the next step plus Y's row. */
        static <V> V plusOutput(Emitter<V> e, Direction<V> dir, V dh, int t) {
            return dir.dy == null ? dh : e.add(dh, dir.at(e, dir.dy, t));
        }

        static <V> V orZeros(Emitter<V> e, V v, V like) {
            return v != null ? v : e.zeros(e.type(like));
        }

        static <V> V sigmoidGrad(Emitter<V> e, V s) {
            return e.mul(s, e.rsub(1, s));
        }

        static <V> V tanhGrad(Emitter<V> e, V t) {
            return e.rsub(1, e.mul(t, t));
        }

        static double sigmoid(double v) {
            return 1 / (1 + Math.exp(-v));
        }
    }

    // ------------------------------------------------------------ LSTM

    /**
     * lstm(x, W, R, B[, initial_h, initial_c]) -> (Y, Y_h, Y_c), gates in ONNX order i, o, f, c:
     * i, o, f = sigmoid(x Wg^T + h Rg^T + Wbg + Rbg), c' = tanh(...) for the cell gate,
     * c = f c + i c', h = o tanh(c). (PyTorch orders its gates i, f, g, o.)
     */
    static final class Lstm extends Rnn {
        Lstm() {
            super("lstm", "LSTM", 4, 2);
        }

        @Override
        Attrs importAttrs(ImportNode n, Attrs a) {
            if (n.getInt("input_forget", 0) != 0) throw n.error("input_forget 1 (coupled input and forget gates) is not supported");
            if (n.hasInput(7)) throw n.error("peephole weights (input P) are not supported");
            return a;
        }

        @Override
        void step(Attrs attrs, Dims m, double[] xw, int xo, double[] r, int ro, double[] b, int bo, double[][] state) {
            int h = m.h, gh = m.gh();
            double[] hs = state[0], cs = state[1], a = new double[m.n * gh];
            for (int row = 0; row < m.n; row++) System.arraycopy(b, bo, a, row * gh, gh);
            Blas.dgemm(1, false, true, m.n, gh, h, hs, new int[] {0}, r, new int[] {ro}, a, new int[] {0}, true);
            for (int n = 0; n < m.n; n++) {
                int p = n * gh, q = xo + p;
                for (int j = 0; j < h; j++) {
                    double i = sigmoid(a[p + j] + xw[q + j]), o = sigmoid(a[p + h + j] + xw[q + h + j]);
                    double f = sigmoid(a[p + 2 * h + j] + xw[q + 2 * h + j]), c = Math.tanh(a[p + 3 * h + j] + xw[q + 3 * h + j]);
                    double cell = f * cs[n * h + j] + i * c;
                    cs[n * h + j] = cell;
                    hs[n * h + j] = o * Math.tanh(cell);
                }
            }
        }

        @Override
        <V> Back<V> backward(Emitter<V> e, Attrs attrs, Direction<V> dir) {
            Dims m = dir.dims;
            int h = m.h;
            List<V> hPrev = slots(m.t), cPrev = slots(m.t), ig = slots(m.t), og = slots(m.t), fg = slots(m.t), cg = slots(m.t), tc = slots(m.t);
            V hs = dir.init.get(0), cs = dir.init.get(1);
            for (int s = 0; s < m.t; s++) {
                int t = dir.time(s);
                V a = e.add(dir.at(e, dir.xw, t), e.add(e.matmul(hs, dir.r, false, true), dir.rb));
                V i = e.sigmoid(e.slice(a, 1, 0, h)), o = e.sigmoid(e.slice(a, 1, h, 2 * h));
                V f = e.sigmoid(e.slice(a, 1, 2 * h, 3 * h)), c = e.tanh(e.slice(a, 1, 3 * h, 4 * h));
                hPrev.set(t, hs);
                cPrev.set(t, cs);
                ig.set(t, i);
                og.set(t, o);
                fg.set(t, f);
                cg.set(t, c);
                cs = e.add(e.mul(f, cs), e.mul(i, c));
                tc.set(t, e.tanh(cs));
                hs = e.mul(o, tc.get(t));
            }
            V dh = orZeros(e, dir.dFinal.get(0), hs), dc = orZeros(e, dir.dFinal.get(1), cs);
            List<V> da = slots(m.t);
            for (int s = m.t - 1; s >= 0; s--) {
                int t = dir.time(s);
                V i = ig.get(t), o = og.get(t), f = fg.get(t), c = cg.get(t);
                dh = plusOutput(e, dir, dh, t);
                dc = e.add(dc, e.mul(dh, e.mul(o, tanhGrad(e, tc.get(t)))));
                V gate = e.concat(List.of(
                        e.mul(e.mul(dc, c), sigmoidGrad(e, i)),
                        e.mul(e.mul(dh, tc.get(t)), sigmoidGrad(e, o)),
                        e.mul(e.mul(dc, cPrev.get(t)), sigmoidGrad(e, f)),
                        e.mul(e.mul(dc, i), tanhGrad(e, c))), 1);
                da.set(t, gate);
                dh = e.matmul(gate, dir.r, false, false);
                dc = e.mul(dc, f);
            }
            V all = e.concat(da, 0);
            return new Back<>(all, all, e.matmul(all, e.concat(hPrev, 0), true, false), List.of(dh, dc));
        }
    }

    // ------------------------------------------------------------ GRU

    /**
     * gru(x, W, R, B[, initial_h]) -> (Y, Y_h), gates in ONNX order z, r, h:
     * z, r = sigmoid(x Wg^T + h Rg^T + Wbg + Rbg); the candidate n = tanh(x Wh^T + Wbh + r (h Rh^T + Rbh))
     * with "linear_before_reset" 1 (PyTorch's GRU, Keras' reset_after), or
     * tanh(x Wh^T + Wbh + (r h) Rh^T + Rbh) with 0, the ONNX default; h' = (1 - z) n + z h.
     */
    static final class Gru extends Rnn {
        Gru() {
            super("gru", "GRU", 3, 1);
        }

        @Override
        List<Object> onnxAttrs(Attrs attrs) {
            return List.of("linear_before_reset", attrs.getInt("linear_before_reset", 0));
        }

        @Override
        Attrs importAttrs(ImportNode n, Attrs a) {
            return a.with("linear_before_reset", n.getInt("linear_before_reset", 0));
        }

        @Override
        void step(Attrs attrs, Dims m, double[] xw, int xo, double[] r, int ro, double[] b, int bo, double[][] state) {
            int h = m.h, gh = m.gh();
            boolean linearFirst = attrs.getInt("linear_before_reset", 0) != 0;
            // h R^T + Rb for z and r, and for the candidate too when it comes before the reset; else
            // the candidate's product needs r first and comes below.
            int cols = linearFirst ? gh : 2 * h;
            double[] hs = state[0], a = new double[m.n * cols];
            for (int row = 0; row < m.n; row++) System.arraycopy(b, bo, a, row * cols, cols);
            Blas.dgemm(1, false, true, m.n, cols, h, hs, new int[] {0}, r, new int[] {ro}, a, new int[] {0}, true);
            double[] z = new double[m.n * h], reset = new double[m.n * h];
            for (int n = 0; n < m.n; n++) {
                int p = n * cols, q = xo + n * gh;
                for (int j = 0; j < h; j++) {
                    z[n * h + j] = sigmoid(a[p + j] + xw[q + j]);
                    reset[n * h + j] = sigmoid(a[p + h + j] + xw[q + h + j]);
                }
            }
            double[] cand = new double[m.n * h];
            if (linearFirst) {
                for (int n = 0; n < m.n; n++) {
                    for (int j = 0; j < h; j++) cand[n * h + j] = reset[n * h + j] * a[n * cols + 2 * h + j];
                }
            } else {
                double[] rh = new double[m.n * h];
                for (int k = 0; k < rh.length; k++) rh[k] = reset[k] * hs[k];
                for (int n = 0; n < m.n; n++) System.arraycopy(b, bo + 2 * h, cand, n * h, h);
                Blas.dgemm(1, false, true, m.n, h, h, rh, new int[] {0}, r, new int[] {ro + 2 * h * h}, cand, new int[] {0}, true);
            }
            for (int n = 0; n < m.n; n++) {
                for (int j = 0; j < h; j++) {
                    int k = n * h + j;
                    double c = Math.tanh(xw[xo + n * gh + 2 * h + j] + cand[k]);
                    hs[k] = (1 - z[k]) * c + z[k] * hs[k];
                }
            }
        }

        @Override
        <V> Back<V> backward(Emitter<V> e, Attrs attrs, Direction<V> dir) {
            Dims m = dir.dims;
            int h = m.h;
            boolean linearFirst = attrs.getInt("linear_before_reset", 0) != 0;
            V rzr = e.slice(dir.r, 0, 0, 2 * h), rh = e.slice(dir.r, 0, 2 * h, 3 * h);
            V rbzr = e.slice(dir.rb, 0, 0, 2 * h), rbh = e.slice(dir.rb, 0, 2 * h, 3 * h);
            // hin: what multiplies Rh^T at each step (h, or r h without linear_before_reset); hr: the candidate's recurrent term.
            List<V> hPrev = slots(m.t), zg = slots(m.t), rg = slots(m.t), ng = slots(m.t), hr = slots(m.t), hin = slots(m.t);
            V hs = dir.init.get(0);
            for (int s = 0; s < m.t; s++) {
                int t = dir.time(s);
                V xt = dir.at(e, dir.xw, t);
                V azr = e.add(e.slice(xt, 1, 0, 2 * h), e.add(e.matmul(hs, rzr, false, true), rbzr));
                V z = e.sigmoid(e.slice(azr, 1, 0, h)), r = e.sigmoid(e.slice(azr, 1, h, 2 * h));
                V in = linearFirst ? hs : e.mul(r, hs);
                V rec = e.add(e.matmul(in, rh, false, true), rbh);
                V n = e.tanh(e.add(e.slice(xt, 1, 2 * h, 3 * h), linearFirst ? e.mul(r, rec) : rec));
                hPrev.set(t, hs);
                zg.set(t, z);
                rg.set(t, r);
                ng.set(t, n);
                hr.set(t, rec);
                hin.set(t, in);
                hs = e.add(e.mul(e.rsub(1, z), n), e.mul(z, hs));
            }
            V dh = orZeros(e, dir.dFinal.get(0), hs);
            List<V> dxw = slots(m.t), dhr = slots(m.t);
            for (int s = m.t - 1; s >= 0; s--) {
                int t = dir.time(s);
                V z = zg.get(t), r = rg.get(t), n = ng.get(t), hp = hPrev.get(t);
                dh = plusOutput(e, dir, dh, t);
                V daz = e.mul(e.mul(dh, e.sub(hp, n)), sigmoidGrad(e, z));
                V dan = e.mul(e.mul(dh, e.rsub(1, z)), tanhGrad(e, n));
                V dRec = linearFirst ? e.mul(dan, r) : dan;
                // r reaches n through r * rec (linear_before_reset) or through (r h) Rh^T.
                V dHin = linearFirst ? null : e.matmul(dan, rh, false, false);
                V dr = e.mul(linearFirst ? e.mul(dan, hr.get(t)) : e.mul(dHin, hp), sigmoidGrad(e, r));
                dxw.set(t, e.concat(List.of(daz, dr, dan), 1));
                dhr.set(t, e.concat(List.of(daz, dr, dRec), 1));
                V back = e.add(e.mul(dh, z), e.matmul(e.concat(List.of(daz, dr), 1), rzr, false, false));
                dh = linearFirst ? e.add(back, e.matmul(dRec, rh, false, false)) : e.add(back, e.mul(dHin, r));
            }
            V dx = e.concat(dxw, 0), dRecAll = e.concat(dhr, 0), hAll = e.concat(hPrev, 0);
            V drzr = e.matmul(e.slice(dRecAll, 1, 0, 2 * h), hAll, true, false);
            V drh = e.matmul(e.slice(dRecAll, 1, 2 * h, 3 * h), linearFirst ? hAll : e.concat(hin, 0), true, false);
            return new Back<>(dx, dRecAll, e.concat(List.of(drzr, drh), 0), List.of(dh));
        }
    }
}
