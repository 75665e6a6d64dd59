package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Batch normalisation and layer normalisation, as ONNX's BatchNormalization and LayerNormalization. */
final class Norm {
    private Norm() {
    }

    private static final double EPSILON = 1e-5;

    /** [1, C, 1, ...]: a per-channel vector shaped to broadcast against x [N, C, ...]. */
    private static Shape perChannel(Shape x) {
        int[] d = new int[x.rank()];
        Arrays.fill(d, 1);
        d[1] = x.dim(1);
        return Shape.of(d);
    }

    /**
     * batch_norm(x [N, C, ...], scale, bias, mean, var) = (x - mean) / sqrt(var + epsilon) * scale +
     * bias per channel (axis 1), the inference form of ONNX BatchNormalization. Training passes the
     * batch's own mean and variance, computed with mean ops, so gradients reach x through them too;
     * the running averages are the layer's business. Every input has a gradient.
     */
    static final class Batch extends Op {
        private static final String[] NAMES = {"input", "scale", "bias", "mean", "var"};

        Batch() {
            super("batch_norm", 5, 5);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Shape x = in[0].shape();
            if (x.rank() < 2) throw new ShapeException("batch_norm: input must be [N, C, ...] (rank >= 2), got " + in[0]);
            for (int i = 1; i < 5; i++) {
                Check.sameDType(name(), in[0], in[i]);
                if (!Shape.of(x.dim(1)).compatible(in[i].shape())) {
                    throw new ShapeException("batch_norm: " + NAMES[i] + " must have shape [" + (x.dim(1) < 0 ? "C" : x.dim(1))
                            + "] (one value per channel of input " + x + "), got " + in[i].shape());
                }
            }
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            int n = s.dim(0), c = s.dim(1), inner = s.size(2, s.rank());
            double eps = attrs.getDouble("epsilon", EPSILON);
            double[] scale = Doubles.read(in[1]), bias = Doubles.read(in[2]), mean = Doubles.read(in[3]), var = Doubles.read(in[4]);
            double[] a = new double[c], b = new double[c];
            for (int ch = 0; ch < c; ch++) {
                double v = var[ch] + eps;
                if (!(v > 0)) {
                    throw new JanusException("batch_norm: var + epsilon of channel " + ch + " is " + v + "; it must be positive");
                }
                a[ch] = scale[ch] / Math.sqrt(v);
                b[ch] = bias[ch] - mean[ch] * a[ch];
            }
            double[] x = Doubles.read(in[0]), y = Doubles.target(out[0]);
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    int p = (i * c + ch) * inner;
                    for (int j = 0; j < inner; j++) y[p + j] = x[p + j] * a[ch] + b[ch];
                }
            }
            Doubles.store(y, out[0]);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V x = in.get(0), scale = in.get(1), mean = in.get(3), var = in.get(4), g = gOut.get(0);
            Shape xs = e.shape(x), cs = perChannel(xs);
            int[] axes = Conv.allButChannels(xs.rank());
            double eps = attrs.getDouble("epsilon", EPSILON);
            // With inv = (var + eps)^-1/2 and xc = x - mean: y = xc inv scale + bias.
            V inv = e.div(e.scalar(1, e.dtype(x)), e.sqrt(e.add(var, eps)));
            V scaleInv = e.mul(scale, inv);
            V sumG = e.sum(g, axes, false);
            V sumGXc = e.sum(e.mul(g, e.sub(x, e.reshape(mean, cs))), axes, false);
            return Arrays.asList(
                    wanted[0] ? e.mul(g, e.reshape(scaleInv, cs)) : null,
                    wanted[1] ? e.mul(sumGXc, inv) : null,
                    wanted[2] ? sumG : null,
                    wanted[3] ? e.neg(e.mul(sumG, scaleInv)) : null,
                    wanted[4] ? e.mul(e.mul(sumGXc, e.mul(scaleInv, e.mul(inv, inv))), -0.5) : null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("BatchNormalization", node.inputs(), node.outputs(), "epsilon", node.attrs().getDouble("epsilon", EPSILON));
        }

        /**
         * The inference form: a node in training mode (training_mode 1 from opset 14, more than one
         * output before) normalises with the batch's statistics and is refused. momentum only moves
         * the running averages in training. From opset 15 scale, bias and the statistics may have
         * another float type than the input; they are cast to the input's.
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("BatchNormalization", n -> {
                boolean training = n.opset() >= 14 ? n.getInt("training_mode", 0) != 0 : n.outputCount() > 1;
                if (training && n.opset() < 14) throw n.error("training mode before opset 14 (saved mean and variance outputs) is not supported");
                if (training) return importTraining(n);
                n.ignore("momentum");
                if (n.getInt("spatial", 1) != 1) throw n.error("spatial 0 (statistics per activation) is not supported");
                Value x = n.input(0);
                List<Value> in = new ArrayList<>(List.of(x));
                for (int i = 1; i < 5; i++) in.add(n.input(i).type().dtype() == x.type().dtype() ? n.input(i) : n.emit().cast(n.input(i), x.type().dtype()));
                return List.of(n.emit().one(this, Attrs.of("epsilon", n.getFloat("epsilon", EPSILON)), in));
            });
        }

        /**
         * Training mode (opset 14 on): normalised with the batch's mean and biased variance, and the
         * running statistics moved toward them, momentum (0.9) times the old plus (1 - momentum)
         * times the batch's, as ONNX's reference does.
         */
        private List<Value> importTraining(ImportNode n) {
            Value x = n.input(0);
            DType dt = x.type().dtype();
            Emitter<Value> e = n.emit();
            List<Value> in = new ArrayList<>(List.of(x));
            for (int i = 1; i < 5; i++) in.add(e.cast(n.input(i), dt));
            int[] axes = new int[x.type().rank() - 1];
            for (int i = 0; i < axes.length; i++) axes[i] = i == 0 ? 0 : i + 1;
            Value mean = e.mean(x, axes, false), d = e.sub(x, e.mean(x, axes, true));
            Value var = e.mean(e.mul(d, d), axes, false);
            double momentum = n.getFloat("momentum", 0.9), eps = n.getFloat("epsilon", EPSILON);
            Value y = e.one(this, Attrs.of("epsilon", eps), List.of(x, in.get(1), in.get(2), mean, var));
            List<Value> outs = new ArrayList<>(List.of(y));
            if (n.outputCount() > 1) outs.add(e.add(e.mul(in.get(3), momentum), e.mul(mean, 1 - momentum)));
            if (n.outputCount() > 2) outs.add(e.add(e.mul(in.get(4), momentum), e.mul(var, 1 - momentum)));
            return outs;
        }
    }

    /**
     * layer_norm(x, scale[, bias]) normalises over the axes from attribute "axis" (default -1) to the
     * end: (x - mean) / sqrt(var + epsilon) * scale + bias, with scale and bias shaped like those
     * axes, as ONNX LayerNormalization (its first output) and PyTorch's LayerNorm.
     */
    static final class Layer extends Op {
        Layer() {
            super("layer_norm", 2, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.floating(name(), in[0]);
            Shape x = in[0].shape();
            if (x.rank() < 1) throw new ShapeException("layer_norm: input must have rank >= 1, got " + in[0]);
            int axis = x.axis(attrs.getInt("axis", -1), name());
            Shape normalized = x.sub(axis, x.rank());
            for (int i = 1; i < in.length; i++) {
                Check.sameDType(name(), in[0], in[i]);
                if (!normalized.compatible(in[i].shape())) {
                    throw new ShapeException("layer_norm: " + (i == 1 ? "scale" : "bias") + " must have shape " + normalized
                            + " (the dimensions of input " + x + " from axis " + axis + "), got " + in[i].shape());
                }
            }
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Shape s = in[0].shape();
            int axis = s.axis(attrs.getInt("axis", -1), name()), d = s.size(axis, s.rank()), rows = s.size(0, axis);
            double eps = attrs.getDouble("epsilon", EPSILON);
            double[] x = Doubles.read(in[0]), y = Doubles.target(out[0]), scale = Doubles.read(in[1]);
            double[] bias = in.length == 3 ? Doubles.read(in[2]) : null;
            for (int r = 0; r < rows; r++) {
                int p = r * d;
                double mean = 0, var = 0;
                for (int j = 0; j < d; j++) mean += x[p + j];
                mean /= d;
                for (int j = 0; j < d; j++) var += (x[p + j] - mean) * (x[p + j] - mean);
                if (!(var / d + eps > 0)) {
                    throw new JanusException("layer_norm: row " + r + " has variance " + var / d + " and epsilon is " + eps
                            + "; their sum must be positive");
                }
                double inv = 1 / Math.sqrt(var / d + eps);
                for (int j = 0; j < d; j++) y[p + j] = (x[p + j] - mean) * inv * scale[j] + (bias == null ? 0 : bias[j]);
            }
            Doubles.store(y, out[0]);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V x = in.get(0), scale = in.get(1), g = gOut.get(0);
            Shape xs = e.shape(x);
            int axis = xs.axis(attrs.getInt("axis", -1), name());
            int[] norm = new int[xs.rank() - axis], lead = new int[axis];
            for (int i = 0; i < norm.length; i++) norm[i] = axis + i;
            for (int i = 0; i < axis; i++) lead[i] = i;
            double eps = attrs.getDouble("epsilon", EPSILON);
            DType dt = e.dtype(x);
            V xc = e.sub(x, e.mean(x, norm, true));
            V inv = e.div(e.scalar(1, dt), e.sqrt(e.add(e.mean(e.mul(xc, xc), norm, true), eps)));
            V xhat = e.mul(xc, inv);
            // dx = inv (gs - mean(gs) - xhat mean(gs xhat)) with gs = g scale, means over the normalised axes.
            V gs = e.mul(g, scale);
            V gx = wanted[0] ? e.mul(inv, e.sub(e.sub(gs, e.mean(gs, norm, true)), e.mul(xhat, e.mean(e.mul(gs, xhat), norm, true)))) : null;
            V gScale = wanted[1] ? sumLead(e, e.mul(g, xhat), lead) : null;
            if (in.size() == 2) return Arrays.asList(gx, gScale);
            return Arrays.asList(gx, gScale, wanted[2] ? sumLead(e, g, lead) : null);
        }

        private static <V> V sumLead(Emitter<V> e, V v, int[] lead) {
            return lead.length == 0 ? v : e.sum(v, lead, false);
        }

        /**
         * LayerNormalization from opset 17. Before, its definition written out: mean = ReduceMean(x),
         * d = x - mean, y = d / Sqrt(ReduceMean(Pow(d, 2)) + epsilon) * scale + bias, over the
         * normalised axes with keepdims.
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs attrs = node.attrs();
            TensorType t = node.inputType(0);
            int axis = t.shape().axis(attrs.getInt("axis", -1), name());
            double eps = attrs.getDouble("epsilon", EPSILON);
            if (out.opset() >= 17) {
                out.node("LayerNormalization", node.inputs(), node.outputs(), "axis", axis, "epsilon", eps);
                return;
            }
            int[] axes = new int[t.rank() - axis];
            for (int i = 0; i < axes.length; i++) axes[i] = axis + i;
            DType dt = t.dtype();
            String mean = out.fresh(), var = out.fresh();
            Reduce.reduceToOnnx(out, Reduce.Kind.MEAN, node.input(0), axes, true, mean);
            String d = out.emit("Sub", List.of(node.input(0), mean));
            Reduce.reduceToOnnx(out, Reduce.Kind.MEAN, out.emit("Pow", List.of(d, out.scalar(2, dt))), axes, true, var);
            String std = out.emit("Sqrt", List.of(out.emit("Add", List.of(var, out.scalar(eps, dt)))));
            String scaled = node.inputs().size() == 3 ? out.fresh() : node.output(0);
            out.node("Mul", List.of(out.emit("Div", List.of(d, std)), node.input(1)), List.of(scaled));
            if (node.inputs().size() == 3) out.node("Add", List.of(scaled, node.input(2)), node.outputs());
        }

        /**
         * Y is computed in double whatever stash_type asks. The optional outputs Mean and InvStdDev
         * are computed as the definition has them, with the stash type as their type (float32 by default).
         */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("LayerNormalization", this::importLayerNorm, "RMSNormalization", Layer::importRmsNorm,
                    "InstanceNormalization", Layer::importInstanceNorm, "MeanVarianceNormalization", Layer::importMvn,
                    "GroupNormalization", Layer::importGroupNorm, "LRN", Layer::importLrn);
        }

        /** MeanVarianceNormalization: (x - mean) / (std + 1e-9) over "axes" (default 0, 2, 3), as ONNX's function body. */
        private static List<Value> importMvn(ImportNode n) {
            Value x = n.input(0);
            long[] given = n.getInts("axes");
            int[] axes = Check.axes(n.opType(), given == null ? new int[] {0, 2, 3} : Arrays.stream(given).mapToInt(a -> (int) a).toArray(), x.type().shape());
            Emitter<Value> e = n.emit();
            Value d = e.sub(x, e.mean(x, axes, true));
            return List.of(e.div(d, e.add(e.sqrt(e.mean(e.mul(d, d), axes, true)), 1e-9)));
        }

        /**
         * GroupNormalization: x [N, C, D...] seen as [N, G, C/G D...], each group normalised by its
         * mean and (biased) variance, then scaled and shifted per channel (opset 21; opset 18's
         * scale and bias per group are repeated over the group's channels). Computed in the input's
         * type whatever stash_type asks.
         */
        private static List<Value> importGroupNorm(ImportNode n) {
            Value x = n.input(0), scale = n.input(1), bias = n.input(2);
            Shape s = x.type().shape();
            int groups = n.getInt("num_groups", 0);
            // Read only so that the importer accepts the attribute: the statistics are computed in x's type whatever it asks (see above).
            n.getInt("stash_type", OnnxTypes.FLOAT);
            if (s.rank() < 3 || !s.sub(1, s.rank()).isStatic()) throw n.error("input must be [N, C, D...] with known C and D, got " + x.type());
            int c = s.dim(1);
            if (groups < 1 || c % groups != 0) throw n.error("num_groups " + groups + " must divide the " + c + " channels");
            int per = n.opset() >= 21 ? c : groups;
            for (Value v : List.of(scale, bias)) {
                if (!v.type().shape().equals(Shape.of(per))) throw n.error("scale and bias must be [" + per + "], got " + v.type());
            }
            Emitter<Value> e = n.emit();
            if (per != c) {
                scale = e.reshape(e.expand(e.reshape(scale, Shape.of(groups, 1)), Shape.of(groups, c / groups)), Shape.of(c));
                bias = e.reshape(e.expand(e.reshape(bias, Shape.of(groups, 1)), Shape.of(groups, c / groups)), Shape.of(c));
            }
            Value g = e.reshape(x, Shape.of(s.dim(0), groups, s.size(1, s.rank()) / groups));
            Value d = e.sub(g, e.mean(g, new int[] {2}, true));
            Value std = e.sqrt(e.add(e.mean(e.mul(d, d), new int[] {2}, true), n.getFloat("epsilon", EPSILON)));
            Value y = e.reshape(e.div(d, std), s);
            Shape channel = perChannel(s);
            return List.of(e.add(e.mul(y, e.reshape(scale, channel)), e.reshape(bias, channel)));
        }

        /**
         * LRN: x / (bias + alpha / size * sum of x^2 over the size channels around each)^beta, the
         * sum an average pool (padding counted) over the channel axis times the size.
         */
        private static List<Value> importLrn(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int size = n.getInt("size", 0);
            if (size < 1) throw n.error("size must be positive, got " + size);
            if (s.rank() < 3 || !s.sub(1, s.rank()).isStatic()) throw n.error("input must be [N, C, D...] with known C and D, got " + x.type());
            double alpha = n.getFloat("alpha", 1e-4), beta = n.getFloat("beta", 0.75), bias = n.getFloat("bias", 1.0);
            Emitter<Value> e = n.emit();
            Value squares = e.reshape(e.mul(x, x), Shape.of(s.dim(0), 1, s.dim(1), s.size(2, s.rank())));
            Value mean = e.one(Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {size, 1}, "count_include_pad", 1,
                    "pads", new int[] {(size - 1) / 2, 0, size / 2, 0}), List.of(squares));
            Value base = e.add(e.mul(e.reshape(mean, s), alpha), bias);
            return List.of(e.div(x, e.pow(base, e.scalar(beta, x.type().dtype()))));
        }

        /**
         * InstanceNormalization: each (sample, channel) of [N, C, D...] normalised over D... by its own
         * mean and (biased) variance, then scaled and shifted per channel; imported as those ops.
         */
        private static List<Value> importInstanceNorm(ImportNode n) {
            Value x = n.input(0), scale = n.input(1), bias = n.input(2);
            Shape s = x.type().shape();
            if (s.rank() < 3) throw n.error("input must be [N, C, D...], got " + x.type());
            int c = s.dim(1);
            for (Value v : List.of(scale, bias)) {
                if (v.type().rank() != 1 || (c != Shape.DYNAMIC && v.type().shape().dim(0) != c)) {
                    throw n.error("scale and B must be [" + c + "] (one per channel), got " + v.type());
                }
            }
            Emitter<Value> e = n.emit();
            int[] spatial = new int[s.rank() - 2];
            for (int i = 0; i < spatial.length; i++) spatial[i] = i + 2;
            Value mean = e.mean(x, spatial, true), d = e.sub(x, mean);
            Value std = e.sqrt(e.add(e.mean(e.mul(d, d), spatial, true), n.getFloat("epsilon", EPSILON)));
            Shape channel = perChannel(s.with(1, scale.type().shape().dim(0)));
            return List.of(e.add(e.mul(e.div(d, std), e.reshape(scale, channel)), e.reshape(bias, channel)));
        }

        /**
         * RMSNormalization (opset 23), x / sqrt(mean(x^2 over the axes from "axis") + epsilon) * scale,
         * imported as those ops (so its gradient is theirs), computed in float32 at least whatever
         * stash_type asks.
         */
        private static List<Value> importRmsNorm(ImportNode n) {
            Value x = n.input(0), scale = n.input(1);
            Shape s = x.type().shape();
            int axis = s.axis(n.getInt("axis", -1), n.opType());
            double eps = n.getFloat("epsilon", EPSILON);
            // Read only so that the importer accepts the attribute: computed in float32 at least whatever it asks (see above).
            n.getInt("stash_type", OnnxTypes.FLOAT);
            Emitter<Value> e = n.emit();
            int[] axes = new int[s.rank() - axis];
            for (int i = 0; i < axes.length; i++) axes[i] = axis + i;
            Value rms = e.sqrt(e.add(e.mean(e.mul(x, x), axes, true), eps));
            return List.of(e.mul(e.div(x, rms), scale));
        }

        private List<Value> importLayerNorm(ImportNode n) {
            Value x = n.input(0);
            Shape s = x.type().shape();
            int axis = s.axis(n.getInt("axis", -1), n.opType());
            double eps = n.getFloat("epsilon", EPSILON);
            int stashType = n.getInt("stash_type", OnnxTypes.FLOAT);
            List<Value> outs = new ArrayList<>(List.of(n.emit().one(this, Attrs.of("axis", axis, "epsilon", eps), n.inputs())));
            if (n.outputCount() > 1) {
                DType stash = OnnxTypes.dtype(stashType, "stash_type of ONNX node '" + n.name() + "'");
                Emitter<Value> e = n.emit();
                int[] axes = new int[s.rank() - axis];
                for (int i = 0; i < axes.length; i++) axes[i] = axis + i;
                Value mean = e.mean(x, axes, true), d = e.sub(x, mean);
                Value inv = e.div(e.scalar(1, x.type().dtype()), e.sqrt(e.add(e.mean(e.mul(d, d), axes, true), eps)));
                for (Value v : List.of(mean, inv)) outs.add(v.type().dtype() == stash ? v : e.cast(v, stash));
            }
            return outs;
        }
    }
}
