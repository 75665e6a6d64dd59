package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.HeapStorage;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Matrix products, the fused linear layer, softmax, dropout and the fused losses. */
final class Neural {
    private Neural() {
    }

    /** Transposes the last two axes of {@code x} in ONNX. */
    private static String swapLastTwo(OnnxWriter out, String x, int rank) {
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return out.emit("Transpose", List.of(x), "perm", perm);
    }

    /** 0, 1, ..., rank-1 without {@code dropped}: where each dimension left comes from. */
    private static int[] keptAxes(int rank, int dropped) {
        int[] src = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) if (i != dropped) src[j++] = i;
        return src;
    }

    // ------------------------------------------------------------ matmul

    private static final int[] ORIGIN = {0};

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
            // Operands in native storage go to BLAS where they lie: this is also native storage's kernel.
            Object x = Blas.operand(in[0]), w = Blas.operand(in[1]), y = Blas.operand(out[0]);
            if (c.rank() == 2) {
                Blas.gemm(1, ta, tb, m, n, k, x, ORIGIN, w, ORIGIN, y, ORIGIN, false);
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
            Blas.gemm(count, ta, tb, m, n, k, x, ao, w, bo, y, co, false);
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

        /** MatMul, or Gemm where an operand is transposed and both are 2-D (ONNX's MatMul has no transposes). */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            boolean ta = node.attrs().getBool("transA", false), tb = node.attrs().getBool("transB", false);
            if (!ta && !tb) {
                out.node("MatMul", node.inputs(), node.outputs());
            } else if (node.inputType(0).rank() == 2 && node.inputType(1).rank() == 2) {
                Object[] flags = ta && tb ? new Object[] {"transA", 1, "transB", 1} : ta ? new Object[] {"transA", 1} : new Object[] {"transB", 1};
                out.node("Gemm", node.inputs(), node.outputs(), flags);
            } else {
                String a = ta ? swapLastTwo(out, node.input(0), node.inputType(0).rank()) : node.input(0);
                String b = tb ? swapLastTwo(out, node.input(1), node.inputType(1).rank()) : node.input(1);
                out.node("MatMul", List.of(a, b), node.outputs());
            }
        }

        /** ONNX's MatMul also takes vectors (NumPy's rules): a 1-D operand becomes a matrix and its axis is dropped after. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Resize", Resize::importResize, "Upsample", Resize::importResize, "MatMul", n -> {
                Value a = n.input(0), b = n.input(1);
                int ra = a.type().rank(), rb = b.type().rank();
                if (ra == 0 || rb == 0) throw n.error("MatMul operands must not be scalars, got " + a.type() + " and " + b.type());
                Value a2 = ra == 1 ? n.apply1(Ops.RESHAPE, Attrs.of("shape", new int[] {1, -1}), a) : a;
                Value b2 = rb == 1 ? n.apply1(Ops.RESHAPE, Attrs.of("shape", new int[] {-1, 1}), b) : b;
                Value y = n.apply1(this, Attrs.NONE, a2, b2);
                Shape ys = y.type().shape();
                if (ra == 1) y = Shaping.reshapeTo(n, y, ys.drop(ys.rank() - 2).dims(), keptAxes(ys.rank(), ys.rank() - 2));
                if (rb == 1) y = Shaping.reshapeTo(n, y, y.type().shape().drop(y.type().rank() - 1).dims(), keptAxes(y.type().rank(), y.type().rank() - 1));
                return List.of(y);
            });
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
            Tensor y = out[0];
            // Works on any CPU storage (native operands go to BLAS in place): native storage's kernel too.
            if (bias && y.storage() instanceof HeapStorage && in[2].storage() instanceof HeapStorage) {
                Object b = in[2].heapArray(), ya = y.heapArray();
                for (int i = 0; i < m; i++) System.arraycopy(b, 0, ya, i * n, n);
            } else if (bias) {
                for (int i = 0; i < m; i++) y.storage().copy(in[2].storage(), 0, i * n, n);
            }
            if (k == 0 && !bias) y.fill(0);
            if (k > 0) Blas.gemm(1, false, true, m, n, k, Blas.operand(in[0]), ORIGIN, Blas.operand(in[1]), ORIGIN, Blas.operand(y), ORIGIN, bias);
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

        /** Gemm with transB where x is 2-D (a fully connected layer, as ONNX writes one), else MatMul and Add. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (node.inputType(0).rank() == 2) {
                out.node("Gemm", node.inputs(), node.outputs(), "transB", 1);
                return;
            }
            String wt = out.emit("Transpose", List.of(node.input(1)), "perm", new int[] {1, 0});
            if (node.inputs().size() == 2) {
                out.node("MatMul", List.of(node.input(0), wt), node.outputs());
            } else {
                out.node("Add", List.of(out.emit("MatMul", List.of(node.input(0), wt)), node.input(2)), node.outputs());
            }
        }

        /**
         * Gemm: a linear layer when it is one (B is [out, in] with transB, a 1-D bias, no scaling),
         * otherwise matmul, scaled by alpha, plus beta C.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Gemm", n -> {
                Value a = n.input(0), b = n.input(1), c = n.hasInput(2) ? n.input(2) : null;
                double alpha = n.getFloat("alpha", 1), beta = n.getFloat("beta", 1);
                boolean ta = n.getInt("transA", 0) != 0, tb = n.getInt("transB", 0) != 0;
                if (a.type().rank() != 2 || b.type().rank() != 2) throw n.error("A and B must be 2-D, got " + a.type() + " and " + b.type());
                boolean bias = c == null || (beta == 1 && c.type().shape().equals(Shape.of(b.type().shape().dim(0))));
                if (!ta && tb && alpha == 1 && bias) {
                    return List.of(n.emit().one(this, Attrs.NONE, c == null ? List.of(a, b) : List.of(a, b, c)));
                }
                Emitter<Value> e = n.emit();
                Value y = e.matmul(a, b, ta, tb);
                if (alpha != 1) y = e.mul(y, alpha);
                if (c != null) y = e.add(y, beta == 1 ? c : e.mul(c, beta));
                return List.of(y);
            });
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
            Tensor x = in[0], y = out[0];
            // Rows split among threads when large; each row is computed as on one thread.
            int grain = (int) Math.max(1, CpuThreads.grain(8) / Math.max(1L, (long) n * inner));
            CpuThreads.parallelFor(outer, grain, (o0, o1) -> softmax(x, y, o0, o1, n, inner));
        }

        private static final ThreadLocal<double[][]> ROW = ThreadLocal.withInitial(() -> new double[1][16]);

        // A per-thread row of n doubles, reused (a softmax allocates nothing once warm).
        private static double[] rowScratch(int n) {
            double[][] holder = ROW.get();
            if (holder[0].length < n) holder[0] = new double[Math.max(n, 2 * holder[0].length)];
            return holder[0];
        }

        /** Outer rows [o0, o1) of x seen as [outer, n, inner], over the middle axis. */
        private void softmax(Tensor in, Tensor out, int o0, int o1, int n, int inner) {
            if (in.dtype() == DType.FLOAT32) {
                float[] x = in.f32(), y = out.f32();
                // Each exp once: kept in double for the division (the same bits as computing it twice).
                double[] e = log ? null : rowScratch(n);
                for (int o = o0; o < o1; o++) {
                    for (int i = 0; i < inner; i++) {
                        int p = o * n * inner + i;
                        double m = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j < n; j++) m = Math.max(m, x[p + j * inner]);
                        if (!log) {
                            for (int j = 0; j < n; j++) sum += e[j] = Math.exp(x[p + j * inner] - m);
                            for (int j = 0; j < n; j++) y[p + j * inner] = (float) (e[j] / sum);
                            continue;
                        }
                        for (int j = 0; j < n; j++) sum += Math.exp(x[p + j * inner] - m);
                        double logSum = Math.log(sum);
                        for (int j = 0; j < n; j++) y[p + j * inner] = (float) (x[p + j * inner] - m - logSum);
                    }
                }
            } else {
                double[] x = in.f64(), y = out.f64();
                for (int o = o0; o < o1; o++) {
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

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node(log ? "LogSoftmax" : "Softmax", node.inputs(), node.outputs(), "axis", node.attrs().getInt("axis", -1));
        }

        /**
         * From opset 13 ONNX's softmax is over one axis, as here. Before, it flattened the input to 2-D
         * at the axis (default 1) and normalised over everything after it.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            Map<String, OnnxImportRule> rules = new HashMap<>();
            if (!log) {
                rules.put("Attention", Attention::importAttention);
                rules.put("RotaryEmbedding", Attention::importRotaryEmbedding);
                rules.put("LinearAttention", Attention::importLinearAttention);
            }
            rules.put(log ? "LogSoftmax" : "Softmax", n -> {
                Value x = n.input(0);
                Shape s = x.type().shape();
                if (n.opset() >= 13) return List.of(n.apply1(this, Attrs.of("axis", n.getInt("axis", -1)), x));
                int axis = s.axis(n.getInt("axis", 1), n.opType());
                if (axis == s.rank() - 1) return List.of(n.apply1(this, Attrs.of("axis", -1), x));
                // Leading dimensions keep their place both ways; the trailing ones are merged, then split.
                int[] flat = new int[axis + 1], back = new int[s.rank()];
                for (int i = 0; i < s.rank(); i++) back[i] = i < axis ? i : -1;
                for (int i = 0; i < axis; i++) flat[i] = s.dim(i);
                flat[axis] = Shaping.product(s, axis, s.rank());
                Value y = n.apply1(this, Attrs.of("axis", -1), Shaping.reshapeTo(n, x, flat, Arrays.copyOf(back, axis + 1)));
                return List.of(Shaping.reshapeTo(n, y, s.dims(), back));
            });
            return rules;
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
                // keep * (0 or 1) rather than a branch: the draws are random, so a branch would be
                // mispredicted at every few elements.
                for (int i = 0; i < n; i++) mask[i] = keep * (rng.nextFloat() >= drop ? 1 : 0);
                for (int i = 0; i < n; i++) y[i] = x[i] * mask[i];
            } else {
                double[] x = in[0].f64(), y = out[0].f64(), mask = out[1].f64();
                double keep = p >= 1 ? 0 : 1 / (1 - p);
                for (int i = 0; i < n; i++) mask[i] = keep * (rng.nextFloat() >= (float) p ? 1 : 0);
                for (int i = 0; i < n; i++) y[i] = x[i] * mask[i];
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList(wanted[0] && gOut.get(0) != null ? e.mul(gOut.get(0), out.get(1)) : null);
        }

        /** The inference form: y is x itself, and the mask (were it used) all ones. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.alias(node.output(0), node.input(0));
            String shape = out.emit("Shape", List.of(node.input(0)));
            out.node("ConstantOfShape", List.of(shape), List.of(node.output(1)), "value", Tensor.ones(node.inputType(0).dtype(), 1));
        }

        /**
         * Dropout imports in its inference form, as the identity. The ratio only matters in training;
         * a model that asks for training mode is refused, since its output would be random.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("Dropout", n -> {
                n.ignore("seed", "ratio");
                boolean training = n.hasInput(2) && n.constant(2).readDouble(0) != 0;
                // with a ratio of 0 training keeps every element too; any other ratio draws random values
                if (training && !(n.hasInput(1) && n.constant(1).readDouble(0) == 0)) {
                    throw n.error("training mode with a ratio other than 0 is not supported (Janus imports the inference form; "
                            + "a training mask is random and could not match another runtime's)");
                }
                Value x = n.input(0);
                if (n.outputCount() < 2) return List.of(x);
                // the mask: every element kept
                Value shape = n.apply1(Ops.SHAPE, Attrs.NONE, x);
                return List.of(x, n.apply1(Ops.CONSTANT_OF_SHAPE, Attrs.of("value", 1.0, "dtype", DType.BOOL), shape));
            });
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
            Check.integer(name(), "labels", in[1]);
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
            compute(in[0], in[1], attrs, out[0], null);
        }

        /**
         * The loss of logits z for the labels into {@code lossOut}; with {@code probs} (float32 z
         * only), softmax(z) over the classes too, from the same exponentials, with the softmax op's
         * bits (each is exp(z - max) in double, divided by the row's sum in the same order).
         */
        void compute(Tensor z, Tensor labelsIn, Attrs attrs, Tensor lossOut, Tensor probs) {
            int n = z.shape().dim(0), c = z.shape().dim(1);
            long[] labels = labelsIn.i64();
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= c) {
                    throw new ShapeException("softmax_cross_entropy: label " + labels[i] + " at row " + i
                            + " is out of range for " + c + " classes");
                }
            }
            double eps = attrs.getDouble("label_smoothing", 0);
            String red = reduction(name(), attrs);
            // float32 logits read straight from the array (the same values readDouble gives).
            float[] zf = z.dtype() == DType.FLOAT32 ? z.f32() : null;
            float[] pf = probs == null ? null : probs.f32();
            double[] e = probs == null ? null : Softmax.rowScratch(c);
            double total = 0;
            for (int i = 0; i < n; i++) {
                int p = i * c;
                double m = Double.NEGATIVE_INFINITY, sum = 0, all = 0;
                for (int j = 0; j < c; j++) m = Math.max(m, zf != null ? zf[p + j] : z.readDouble(p + j));
                for (int j = 0; j < c; j++) {
                    double v = zf != null ? zf[p + j] : z.readDouble(p + j), x = Math.exp(v - m);
                    sum += x;
                    all += v;
                    if (e != null) e[j] = x;
                }
                if (pf != null) for (int j = 0; j < c; j++) pf[p + j] = (float) (e[j] / sum);
                double loss = m + Math.log(sum) - (1 - eps) * z.readDouble(p + (int) labels[i]) - eps / c * all;
                if (red.equals("none")) lossOut.setDouble(i, loss);
                total += loss;
            }
            if (!red.equals("none")) lossOut.setDouble(0, red.equals("mean") ? total / n : total);
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

        /**
         * SoftmaxCrossEntropyLoss; with label smoothing, which ONNX lacks, the loss is written out as
         * (1 - eps) nll - eps/C sum(log_softmax(z)).
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            String red = reduction(name(), node.attrs());
            double eps = node.attrs().getDouble("label_smoothing", 0);
            if (eps == 0) {
                out.node("SoftmaxCrossEntropyLoss", node.inputs(), node.outputs(), "reduction", red);
                return;
            }
            int c = node.inputType(0).shape().dim(1);
            if (c == Shape.DYNAMIC) throw node.error("label smoothing needs a known number of classes, got logits " + node.inputType(0));
            DType t = node.inputType(0).dtype();
            String nll = out.emit("SoftmaxCrossEntropyLoss", node.inputs(), "reduction", "none");
            String logp = out.emit("LogSoftmax", List.of(node.input(0)), "axis", 1);
            String sum = out.fresh();
            Reduce.reduceToOnnx(out, Reduce.Kind.SUM, logp, new int[] {1}, false, sum);
            String rows = red.equals("none") ? node.output(0) : out.fresh();
            out.node("Sub", List.of(out.emit("Mul", List.of(nll, out.scalar(1 - eps, t))), out.emit("Mul", List.of(sum, out.scalar(eps / c, t)))),
                    List.of(rows));
            if (!red.equals("none")) Reduce.reduceToOnnx(out, red.equals("mean") ? Reduce.Kind.MEAN : Reduce.Kind.SUM, rows, null, false, node.output(0));
        }

        /**
         * SoftmaxCrossEntropyLoss imports as this op, or with class weights, an ignored index or more
         * than two dimensions as the negative log-likelihood of log_softmax; the optional second
         * output is the log-probabilities. NegativeLogLikelihoodLoss imports as that decomposition.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("SoftmaxCrossEntropyLoss", n -> {
                Value z = n.input(0);
                String red = n.getString("reduction", "mean");
                Value logp = n.apply1(Ops.LOG_SOFTMAX, Attrs.of("axis", 1), z);
                Value loss = n.hasInput(2) || n.has("ignore_index") || z.type().rank() != 2
                        ? nll(n, logp, n.input(1), n.hasInput(2) ? n.input(2) : null, red)
                        : n.apply1(this, Attrs.of("reduction", red), z, n.input(1));
                return n.outputCount() < 2 ? List.of(loss) : List.of(loss, logp);
            }, "NegativeLogLikelihoodLoss", n -> List.of(nll(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : null,
                    n.getString("reduction", "mean"))));
        }

        /**
         * ONNX's NegativeLogLikelihoodLoss of x [N, C, d...] at integer targets [N, d...]: -x[n, t, d...]
         * times the class weight w[t] (1 without weights), 0 where t is attribute "ignore_index";
         * "mean" divides the sum by the sum of those weights. Written as one_hot, mul and sum, whose
         * gradients are known; the number of classes must be known.
         */
        static Value nll(ImportNode n, Value x, Value target, Value weight, String reduction) {
            Emitter<Value> e = n.emit();
            Shape s = x.type().shape();
            int r = s.rank(), classes = s.rank() < 2 ? Shape.DYNAMIC : s.dim(1);
            if (r < 2 || classes == Shape.DYNAMIC) throw n.error("the input must be [N, C, ...] with C known, got " + x.type());
            DType dt = x.type().dtype();
            int[] perm = new int[r];
            perm[0] = 0;
            for (int i = 1; i < r - 1; i++) perm[i] = i + 1;
            perm[r - 1] = 1;
            Value t = target, keep = null;
            if (n.has("ignore_index")) {
                Value ignored = e.equal(target, e.scalar(n.getInt("ignore_index", 0), target.type().dtype()));
                t = e.where(ignored, e.scalar(0, target.type().dtype()), target);
                keep = e.cast(e.one(Ops.NOT, Attrs.NONE, List.of(ignored)), dt);
            }
            Value picked = e.sum(e.mul(e.transpose(x, perm), e.oneHot(t, classes, dt)), new int[] {r - 1}, false);
            Value factor = weight == null ? keep : keep == null ? e.gather(weight, t, 0) : e.mul(e.gather(weight, t, 0), keep);
            Value loss = factor == null ? e.neg(picked) : e.neg(e.mul(picked, factor));
            int[] all = new int[r - 1];
            for (int i = 0; i < all.length; i++) all[i] = i;
            switch (reduction) {
                case "none": return loss;
                case "sum": return e.sum(loss, all, false);
                case "mean": return factor == null ? e.mean(loss, all, false) : e.div(e.sum(loss, all, false), e.sum(factor, all, false));
                default: throw n.error("reduction must be none, sum or mean, got '" + reduction + "'");
            }
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

        /** (a - b)^2, then its mean or sum; ONNX has no MSE op. */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            String red = reduction(name(), node.attrs());
            String d = out.emit("Sub", node.inputs());
            if (red.equals("none")) {
                out.node("Mul", List.of(d, d), node.outputs());
                return;
            }
            Reduce.Kind kind = red.equals("mean") ? Reduce.Kind.MEAN : Reduce.Kind.SUM;
            Reduce.reduceToOnnx(out, kind, out.emit("Mul", List.of(d, d)), null, false, node.output(0));
        }
    }
}
