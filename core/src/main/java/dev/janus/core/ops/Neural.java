package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

import java.util.Arrays;
import java.util.List;

/** Matrix products, the fused linear layer, softmax, dropout and the fused losses. */
final class Neural {
    private Neural() {
    }

    // ------------------------------------------------------------ matmul

    /**
     * matmul(a, b) over the last two axes, leading (batch) axes broadcast; attributes "transA" and
     * "transB" transpose an operand's last two axes first.
     */
    static final class MatMul extends Op {
        MatMul() {
            super("matmul", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.sameDType(name(), in[0], in[1]);
            Shape a = in[0].shape(), b = in[1].shape();
            boolean ta = attrs.getBool("transA", false), tb = attrs.getBool("transB", false);
            if (a.rank() < 2 || b.rank() < 2) {
                throw new ShapeException("matmul: both operands need rank >= 2, got " + a + " and " + b
                        + " (reshape a vector to [1, n] or [n, 1])");
            }
            int m = a.dim(ta ? -1 : -2), ka = a.dim(ta ? -2 : -1), kb = b.dim(tb ? -1 : -2), n = b.dim(tb ? -2 : -1);
            if (ka != kb && ka != Shape.DYNAMIC && kb != Shape.DYNAMIC) {
                String how = ta || tb ? " with" + (ta ? " transA" : "") + (tb ? " transB" : "") : "";
                throw new ShapeException("matmul: cannot multiply " + a + " by " + b + how
                        + " (inner dimensions " + ka + " and " + kb + " differ)");
            }
            if (a.rank() == 2 && b.rank() == 2) return new TensorType[] {in[0].withShape(Shape.of(m, n))};
            Shape batch = Shape.broadcast(name(), a.sub(0, a.rank() - 2), b.sub(0, b.rank() - 2));
            return new TensorType[] {in[0].withShape(batch.concat(Shape.of(m, n)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape a = in[0].shape(), b = in[1].shape(), c = out[0].shape();
            boolean ta = attrs.getBool("transA", false), tb = attrs.getBool("transB", false);
            int m = c.dim(-2), n = c.dim(-1), k = a.dim(ta ? -2 : -1);
            if (out[0].numel() == 0) return;
            if (k == 0) {
                out[0].fill(0);
                return;
            }
            if (c.rank() == 2) {
                if (out[0].dtype() == DType.FLOAT32) Blas.sgemm(ta, tb, m, n, k, in[0].f32(), in[1].f32(), out[0].f32(), false);
                else Blas.dgemm(ta, tb, m, n, k, in[0].f64(), in[1].f64(), out[0].f64(), false);
                return;
            }
            Shape batch = c.sub(0, c.rank() - 2);
            int count = batch.size();
            int[] ao = Broadcast.offsets(batch, a.sub(0, a.rank() - 2)), bo = Broadcast.offsets(batch, b.sub(0, b.rank() - 2));
            int[] co = new int[count];
            for (int i = 0; i < count; i++) {
                ao[i] *= m * k;
                bo[i] *= k * n;
                co[i] = i * m * n;
            }
            if (out[0].dtype() == DType.FLOAT32) Blas.sgemm(count, ta, tb, m, n, k, in[0].f32(), ao, in[1].f32(), bo, out[0].f32(), co, false);
            else Blas.dgemm(count, ta, tb, m, n, k, in[0].f64(), ao, in[1].f64(), bo, out[0].f64(), co, false);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V a = in.get(0), b = in.get(1), g = gOut.get(0);
            boolean ta = attrs.getBool("transA", false), tb = attrs.getBool("transB", false);
            // y = A'B' with A' = op(a), B' = op(b): dA' = g B'^T, dB' = A'^T g, transposed back where op transposed.
            V ga = null, gb = null;
            if (wanted[0]) ga = e.sumTo(ta ? e.matmul(b, g, tb, true) : e.matmul(g, b, false, !tb), e.shape(a));
            if (wanted[1]) gb = e.sumTo(tb ? e.matmul(g, a, true, ta) : e.matmul(a, g, !ta, false), e.shape(b));
            return Arrays.asList(ga, gb);
        }
    }

    // ------------------------------------------------------------ linear

    /** linear(x, w[, b]) = x w^T + b, x [..., in], w [out, in], b [out], as PyTorch's nn.Linear. */
    static final class Linear extends Op {
        Linear() {
            super("linear", 2, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.sameDType(name(), in[0], in[1]);
            Shape x = in[0].shape(), w = in[1].shape();
            if (w.rank() != 2) throw new ShapeException("linear: weight must be 2-D [out, in], got " + w);
            if (x.rank() < 1 || (x.dim(-1) != w.dim(1) && x.dim(-1) != Shape.DYNAMIC)) {
                throw new ShapeException("linear: input " + x + " does not match weight " + w
                        + " (the input's last dimension must be in_features = " + w.dim(1) + ")");
            }
            if (in.length == 3) {
                Check.sameDType(name(), in[0], in[2]);
                if (!in[2].shape().equals(Shape.of(w.dim(0)))) {
                    throw new ShapeException("linear: bias must have shape [" + w.dim(0) + "] for weight " + w + ", got " + in[2].shape());
                }
            }
            return new TensorType[] {in[0].withShape(x.with(x.rank() - 1, w.dim(0)))};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int k = in[1].shape().dim(1), n = in[1].shape().dim(0), m = in[0].numel() / Math.max(1, k);
            if (m == 0 || n == 0) return;
            boolean bias = in.length == 3;
            if (in[0].dtype() == DType.FLOAT32) {
                float[] y = out[0].f32();
                if (bias) for (int i = 0; i < m; i++) System.arraycopy(in[2].f32(), 0, y, i * n, n);
                if (k == 0 && !bias) Arrays.fill(y, 0f);
                if (k > 0) Blas.sgemm(false, true, m, n, k, in[0].f32(), in[1].f32(), y, bias);
            } else {
                double[] y = out[0].f64();
                if (bias) for (int i = 0; i < m; i++) System.arraycopy(in[2].f64(), 0, y, i * n, n);
                if (k == 0 && !bias) Arrays.fill(y, 0.0);
                if (k > 0) Blas.dgemm(false, true, m, n, k, in[0].f64(), in[1].f64(), y, bias);
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V x = in.get(0), w = in.get(1), g = gOut.get(0);
            Shape ws = e.shape(w);
            int outF = ws.dim(0), inF = ws.dim(1), rows = e.shape(g).size() / Math.max(1, outF);
            // Flatten leading axes: dx = g w, dw = g^T x, db = column sums of g.
            V g2 = e.reshape(g, Shape.of(rows, outF));
            V gx = wanted[0] ? e.reshape(e.matmul(g2, w, false, false), e.shape(x)) : null;
            V gw = wanted[1] ? e.matmul(g2, e.reshape(x, Shape.of(rows, inF)), true, false) : null;
            if (in.size() == 2) return Arrays.asList(gx, gw);
            return Arrays.asList(gx, gw, wanted[2] ? e.sum(g2, new int[] {0}, false) : null);
        }
    }

    // ------------------------------------------------------------ softmax

    /** softmax / log_softmax over attribute "axis" (default -1), computed stably (max subtracted). */
    static final class Softmax extends Op {
        private final boolean log;

        Softmax(boolean log) {
            super(log ? "log_softmax" : "softmax", 1, 1);
            this.log = log;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            in[0].shape().axis(attrs.getInt("axis", -1), name());
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            int axis = s.axis(attrs.getInt("axis", -1), name());
            int n = s.dim(axis), inner = s.size(axis + 1, s.rank()), outer = s.size(0, axis);
            if (in[0].dtype() == DType.FLOAT32) {
                float[] x = in[0].f32(), y = out[0].f32();
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int p = o * n * inner + i;
                        double m = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j < n; j++) m = Math.max(m, x[p + j * inner]);
                        for (int j = 0; j < n; j++) sum += Math.exp(x[p + j * inner] - m);
                        double logSum = Math.log(sum);
                        for (int j = 0; j < n; j++) {
                            double v = x[p + j * inner] - m;
                            y[p + j * inner] = (float) (log ? v - logSum : Math.exp(v) / sum);
                        }
                    }
                }
            } else {
                double[] x = in[0].f64(), y = out[0].f64();
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int p = o * n * inner + i;
                        double m = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j < n; j++) m = Math.max(m, x[p + j * inner]);
                        for (int j = 0; j < n; j++) sum += Math.exp(x[p + j * inner] - m);
                        double logSum = Math.log(sum);
                        for (int j = 0; j < n; j++) {
                            double v = x[p + j * inner] - m;
                            y[p + j * inner] = log ? v - logSum : Math.exp(v) / sum;
                        }
                    }
                }
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList((V) null);
            V y = out.get(0), g = gOut.get(0);
            int[] axis = {e.shape(y).axis(attrs.getInt("axis", -1), name())};
            if (log) {
                // dx = g - softmax(x) * sum(g)
                return Arrays.asList(e.sub(g, e.mul(e.exp(y), e.sum(g, axis, true))));
            }
            // dx = y * (g - sum(g * y))
            return Arrays.asList(e.mul(y, e.sub(g, e.sum(e.mul(g, y), axis, true))));
        }
    }

    // ------------------------------------------------------------ dropout

    /**
     * dropout(x) -> (y, mask): each element is kept with probability 1 - p (attribute "p") and scaled
     * by 1/(1 - p); mask holds that factor (0 where dropped). The mask is drawn from the context's
     * generator, one uniform per element in order, so the same seed gives the same mask everywhere.
     */
    static final class Dropout extends Op {
        Dropout() {
            super("dropout", 1, 1);
        }

        @Override
        public int outputCount() {
            return 2;
        }

        @Override
        public boolean isRandom() {
            return true;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            double p = attrs.getDouble("p", 0.5);
            if (!(p >= 0 && p <= 1)) throw new ShapeException("dropout: p must be in [0, 1], got " + p);
            return new TensorType[] {in[0], in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            double p = attrs.getDouble("p", 0.5);
            Generator rng = ctx.rng();
            int n = in[0].numel();
            if (in[0].dtype() == DType.FLOAT32) {
                float[] x = in[0].f32(), y = out[0].f32(), mask = out[1].f32();
                float keep = p >= 1 ? 0f : (float) (1 / (1 - p)), drop = (float) p;
                for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() >= drop ? keep : 0f;
                for (int i = 0; i < n; i++) y[i] = x[i] * mask[i];
            } else {
                double[] x = in[0].f64(), y = out[0].f64(), mask = out[1].f64();
                double keep = p >= 1 ? 0 : 1 / (1 - p);
                for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() >= (float) p ? keep : 0;
                for (int i = 0; i < n; i++) y[i] = x[i] * mask[i];
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList(wanted[0] && gOut.get(0) != null ? e.mul(gOut.get(0), out.get(1)) : null);
        }
    }

    // ------------------------------------------------------------ losses

    static String reduction(String op, Attrs attrs) {
        String r = attrs.getString("reduction", "mean");
        if (!r.equals("mean") && !r.equals("sum") && !r.equals("none")) {
            throw new ShapeException(op + ": reduction must be \"mean\", \"sum\" or \"none\", got \"" + r + "\"");
        }
        return r;
    }

    /**
     * softmax_cross_entropy(logits [N, C], labels [N] int64): -log softmax(logits)[label] per row,
     * with optional "label_smoothing" and "reduction" (mean, sum, none), computed through
     * log-sum-exp so large logits neither overflow nor lose the gradient.
     */
    static final class SoftmaxCrossEntropy extends Op {
        SoftmaxCrossEntropy() {
            super("softmax_cross_entropy", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.dtype(name(), "labels", in[1], DType.INT64);
            Shape z = in[0].shape(), y = in[1].shape();
            if (z.rank() != 2) throw new ShapeException("softmax_cross_entropy: logits must be [batch, classes], got " + z);
            if (y.rank() != 1 || !Shape.of(z.dim(0)).compatible(y)) {
                throw new ShapeException("softmax_cross_entropy: labels must be [" + (z.dim(0) < 0 ? "batch" : z.dim(0))
                        + "] for logits " + z + ", got " + y);
            }
            double eps = attrs.getDouble("label_smoothing", 0);
            if (!(eps >= 0 && eps <= 1)) throw new ShapeException("softmax_cross_entropy: label_smoothing must be in [0, 1], got " + eps);
            Shape out = reduction(name(), attrs).equals("none") ? Shape.of(z.dim(0)) : Shape.scalar();
            return new TensorType[] {in[0].withShape(out)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            int n = in[0].shape().dim(0), c = in[0].shape().dim(1);
            long[] labels = in[1].i64();
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= c) {
                    throw new ShapeException("softmax_cross_entropy: label " + labels[i] + " at row " + i
                            + " is out of range for " + c + " classes");
                }
            }
            double eps = attrs.getDouble("label_smoothing", 0);
            String red = reduction(name(), attrs);
            Tensor z = in[0];
            double total = 0;
            for (int i = 0; i < n; i++) {
                int p = i * c;
                double m = Double.NEGATIVE_INFINITY, sum = 0, all = 0;
                for (int j = 0; j < c; j++) m = Math.max(m, z.readDouble(p + j));
                for (int j = 0; j < c; j++) {
                    double v = z.readDouble(p + j);
                    sum += Math.exp(v - m);
                    all += v;
                }
                double loss = m + Math.log(sum) - (1 - eps) * z.readDouble(p + (int) labels[i]) - eps / c * all;
                if (red.equals("none")) out[0].setDouble(i, loss);
                total += loss;
            }
            if (!red.equals("none")) out[0].setDouble(0, red.equals("mean") ? total / n : total);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            if (!wanted[0]) return Arrays.asList(null, null);
            V z = in.get(0), g = gOut.get(0);
            Shape zs = e.shape(z);
            int n = zs.dim(0), c = zs.dim(1);
            double eps = attrs.getDouble("label_smoothing", 0);
            // d loss_i / d z_i = softmax(z_i) - target_i, target = (1 - eps) onehot + eps / C
            V target = e.oneHot(in.get(1), c, e.dtype(z));
            if (eps > 0) target = e.add(e.mul(target, 1 - eps), eps / c);
            V d = e.sub(e.softmax(z, 1), target);
            String red = reduction(name(), attrs);
            V scale = red.equals("none") ? e.reshape(g, Shape.of(n, 1)) : red.equals("mean") ? e.mul(g, 1.0 / n) : g;
            return Arrays.asList(e.mul(d, scale), null);
        }
    }

    /** mse(a, b) = mean((a - b)^2), with "reduction" (mean, sum, none); a and b have one shape. */
    static final class Mse extends Op {
        Mse() {
            super("mse", 2, 2);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Check.sameDType(name(), in[0], in[1]);
            if (!in[0].shape().compatible(in[1].shape())) {
                throw new ShapeException("mse: input " + in[0].shape() + " and target " + in[1].shape() + " must have the same shape");
            }
            return new TensorType[] {reduction(name(), attrs).equals("none") ? in[0] : in[0].withShape(Shape.scalar())};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            String red = reduction(name(), attrs);
            int n = in[0].numel();
            double total = 0;
            for (int i = 0; i < n; i++) {
                double d = in[0].readDouble(i) - in[1].readDouble(i);
                if (red.equals("none")) out[0].setDouble(i, d * d);
                total += d * d;
            }
            if (!red.equals("none")) out[0].setDouble(0, red.equals("mean") ? total / n : total);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V a = in.get(0), b = in.get(1), g = gOut.get(0);
            String red = reduction(name(), attrs);
            double k = red.equals("mean") ? 2.0 / e.shape(a).size() : 2.0;
            V ga = e.mul(e.mul(e.sub(a, b), g), k);
            return Arrays.asList(wanted[0] ? ga : null, wanted[1] ? e.neg(ga) : null);
        }
    }
}
