package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

import java.util.Arrays;
import java.util.List;

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
    }
}
