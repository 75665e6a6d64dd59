package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Value;
import dev.janus.core.onnx.ImportNode;

import java.util.Arrays;
import java.util.List;

/**
 * ONNX's Resize (and the older Upsample) imported as one matmul per resized axis. Interpolation is
 * separable, as ONNX's reference computes it: along each axis every output position is a weighted
 * sum of input positions, with weights fixed by the sizes, so the axis (moved last) is multiplied by
 * a constant [in, out] matrix; the gradient is matmul's. The weights follow the reference exactly:
 * nearest (four rounding modes), linear and cubic (coefficient a, exclude_outside), antialiasing
 * filters when downsampling, every coordinate_transformation_mode, tf_crop_and_resize's roi and
 * extrapolation_value, axes and keep_aspect_ratio_policy. Sizes and scales must be known when the
 * model is read. Upsample and Resize-10 use asymmetric coordinates and floor for nearest.
 */
final class Resize {
    private Resize() {
    }

    static List<Value> importResize(ImportNode n) {
        Value x = n.input(0);
        Shape s = x.type().shape();
        int r = s.rank();
        if (!s.isStatic()) throw n.error("input sizes must be known, got " + x.type());
        boolean old = n.opType().equals("Upsample") || n.opset() < 11;
        String mode = n.getString("mode", "nearest");
        String coord = old ? "asymmetric" : n.getString("coordinate_transformation_mode", "half_pixel");
        String nearest = old ? "floor" : n.getString("nearest_mode", "round_prefer_floor");
        double a = old ? -0.75 : n.getFloat("cubic_coeff_a", -0.75);
        boolean exclude = !old && n.getInt("exclude_outside", 0) != 0;
        double extrapolation = old ? 0 : n.getFloat("extrapolation_value", 0);
        boolean antialias = !old && n.opset() >= 18 && n.getInt("antialias", 0) != 0;
        String policy = !old && n.opset() >= 18 ? n.getString("keep_aspect_ratio_policy", "stretch") : "stretch";
        if (!List.of("nearest", "linear", "cubic").contains(mode) || (old && mode.equals("cubic"))) throw n.error("mode '" + mode + "' is not supported");
        if (!List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nearest)) throw n.error("nearest_mode '" + nearest + "' is not supported");
        if (!List.of("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize").contains(coord)) {
            throw n.error("coordinate_transformation_mode '" + coord + "' is not supported");
        }
        if (antialias && mode.equals("nearest")) throw n.error("antialias is not defined for mode nearest");

        int[] axes = new int[r];
        for (int i = 0; i < r; i++) axes[i] = i;
        long[] given = !old && n.opset() >= 18 ? n.getInts("axes") : null;
        if (given != null) {
            axes = new int[given.length];
            for (int i = 0; i < given.length; i++) axes[i] = s.axis((int) given[i], n.opType());
        }
        double[] scales = null, roi = null;
        long[] sizes = null;
        if (n.opType().equals("Upsample") && n.opset() < 9) {
            scales = n.getFloats("scales");
        } else if (old) {
            scales = n.constant(1).toDoubleArray();
        } else {
            if (n.hasInput(1) && n.constant(1).numel() > 0) roi = n.constant(1).toDoubleArray();
            if (n.hasInput(2) && n.constant(2).numel() > 0) scales = n.constant(2).toDoubleArray();
            if (n.hasInput(3) && n.constant(3).numel() > 0) sizes = n.constant(3).toLongArray();
        }
        if ((scales == null) == (sizes == null)) throw n.error("exactly one of scales and sizes must be given");
        int count = scales != null ? scales.length : sizes.length;
        if (count != axes.length) throw n.error((scales != null ? "scales" : "sizes") + " must hold " + axes.length + " values, got " + count);
        if (roi != null && roi.length != 2 * axes.length) throw n.error("roi must hold " + 2 * axes.length + " values, got " + roi.length);
        if (coord.equals("tf_crop_and_resize") && roi == null) throw n.error("tf_crop_and_resize needs the roi input");

        double[] scale = new double[r];
        int[] out = s.dims().clone();
        Arrays.fill(scale, 1);
        if (scales != null) {
            for (int i = 0; i < axes.length; i++) {
                if (!(scales[i] > 0)) throw n.error("scales must be positive, got " + Arrays.toString(scales));
                scale[axes[i]] = scales[i];
                out[axes[i]] = checkedSize(n, Math.floor(scales[i] * s.dim(axes[i])));
            }
        } else {
            double keep = policy.equals("not_larger") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            for (int i = 0; i < axes.length; i++) {
                if (sizes[i] < 0) throw n.error("sizes must not be negative, got " + Arrays.toString(sizes));
                scale[axes[i]] = (double) sizes[i] / s.dim(axes[i]);
                out[axes[i]] = checkedSize(n, sizes[i]);
                keep = policy.equals("not_larger") ? Math.min(keep, scale[axes[i]]) : Math.max(keep, scale[axes[i]]);
            }
            if (!policy.equals("stretch")) {
                if (!policy.equals("not_larger") && !policy.equals("not_smaller")) throw n.error("keep_aspect_ratio_policy '" + policy + "' is not supported");
                for (int axis : axes) {
                    scale[axis] = keep;
                    out[axis] = checkedSize(n, (long) (keep * s.dim(axis) + 0.5));
                }
            }
        }

        Emitter<Value> e = n.emit();
        DType dt = x.type().dtype(), compute = dt.isFloating() && dt != DType.FLOAT64 ? DType.FLOAT32 : DType.FLOAT64;
        Value v = e.cast(x, compute);
        for (int k = 0; k < axes.length; k++) {
            int axis = axes[k], in = s.dim(axis);
            double lo = roi == null ? 0 : roi[k], hi = roi == null ? 1 : roi[axes.length + k];
            boolean identity = Math.abs(scale[axis] - 1) <= 1e-9 && out[axis] == in && Math.abs(lo) <= 1e-9 && Math.abs(hi - 1) <= 1e-9;
            if (identity) continue;
            if (in == 0 || out[axis] == 0) throw n.error("cannot resize axis " + axis + " of " + s + " to " + out[axis]);
            Axis weights = new Axis(mode, coord, nearest, a, exclude, antialias, scale[axis], in, out[axis], lo, hi);
            int last = r - 1;
            int[] swap = new int[r];
            for (int i = 0; i < r; i++) swap[i] = i == axis ? last : i == last ? axis : i;
            Value moved = axis == last ? v : e.transpose(v, swap);
            Value y = e.matmul(moved, e.constant(weights.tensor(compute)), false, false);
            if (weights.outside != null) {
                y = e.where(e.constant(Tensor.of(weights.outside, out[axis])), e.scalar(extrapolation, compute), y);
            }
            v = axis == last ? y : e.transpose(y, swap);
        }
        return List.of(e.cast(v, dt));
    }

    private static int checkedSize(ImportNode n, double size) {
        if (size < 0 || size > Shape.MAX_ELEMENTS) throw n.error("an output size of " + size + " is out of range");
        return (int) size;
    }

    /** The [in, out] weights of one axis (row-major), and which outputs lie outside a crop's roi (or null). */
    private static final class Axis {
        final double[] matrix;
        final int outSize;
        boolean[] outside;

        Axis(String mode, String coord, String nearest, double a, boolean exclude, boolean antialias,
             double scale, int in, int out, double lo, double hi) {
            matrix = new double[in * out];
            outSize = out;
            double width = scale * in;
            for (int y = 0; y < out; y++) {
                double xo;
                switch (coord) {
                    case "align_corners": xo = width == 1 ? 0 : y * (in - 1) / (width - 1); break;
                    case "asymmetric": xo = y / scale; break;
                    case "tf_crop_and_resize": {
                        xo = (width == 1 ? (hi - lo) * (in - 1) / 2 : y * (hi - lo) * (in - 1) / (width - 1)) + lo * (in - 1);
                        if (xo < 0 || xo > in - 1) {
                            if (outside == null) outside = new boolean[out];
                            outside[y] = true;
                        }
                        break;
                    }
                    case "pytorch_half_pixel": xo = width == 1 ? -0.5 : (y + 0.5) / scale - 0.5; break;
                    case "half_pixel_symmetric": {
                        double offset = in / 2.0 * (1 - out / width);
                        xo = offset + (y + 0.5) / scale - 0.5;
                        break;
                    }
                    default: xo = (y + 0.5) / scale - 0.5;
                }
                double floor = Math.floor(xo), ratio = xo == floor ? 1 : xo - floor;
                double[] c = coefficients(mode, nearest, a, antialias, ratio, scale);
                int taps = c.length, pad = (taps + 1) / 2;
                double xp = xo + pad, p = Math.floor(xp), frac = xp - p;
                int offset = taps % 2 == 0 ? (frac == 0 ? -(taps / 2) : -(taps / 2) + 1) : (frac <= 0.5 ? -((taps - 1) / 2) : -((taps - 1) / 2) + 1);
                long start = (long) p + offset - pad;
                if (exclude) {
                    double sum = 0;
                    for (int t = 0; t < taps; t++) {
                        if (start + t < 0 || start + t >= in) c[t] = 0;
                        sum += c[t];
                    }
                    if (sum == 0) sum = 1;
                    for (int t = 0; t < taps; t++) c[t] /= sum;
                }
                for (int t = 0; t < taps; t++) {
                    int i = (int) Math.max(0, Math.min(in - 1, start + t));
                    matrix[i * out + y] += c[t];
                }
            }
        }

        Tensor tensor(DType dtype) {
            int in = matrix.length / outSize;
            if (dtype == DType.FLOAT64) return Tensor.of(matrix, in, outSize);
            float[] f = new float[matrix.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) matrix[i];
            return Tensor.of(f, in, outSize);
        }

        private static double[] coefficients(String mode, String nearest, double a, boolean antialias, double ratio, double scale) {
            if (mode.equals("nearest")) {
                if (ratio == 1) return new double[] {0, 1};
                switch (nearest) {
                    case "round_prefer_ceil": return new double[] {ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0};
                    case "floor": return new double[] {1, 0};
                    case "ceil": return new double[] {0, 1};
                    default: return new double[] {ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0};
                }
            }
            if (mode.equals("linear")) {
                if (!antialias) return new double[] {1 - ratio, ratio};
                double sc = Math.min(scale, 1);
                int start = (int) Math.floor(-1 / sc) + 1, taps = 2 - 2 * start;
                double[] c = new double[taps];
                for (int t = 0; t < taps; t++) c[t] = Math.max(0, Math.min(1, 1 - Math.abs((start + t - ratio) * sc)));
                return normalized(c);
            }
            if (!antialias) {
                double r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
                return new double[] {
                    ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a,
                    ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
                    ((a + 2) * q - (a + 3)) * q * q + 1,
                    ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a};
            }
            double sc = Math.min(scale, 1);
            int start = (int) Math.floor(-2 / sc) + 1, end = 2 - start;
            double[] c = new double[end - start];
            for (int i = start; i < end; i++) {
                double d = Math.abs(sc * (i - ratio));
                c[i - start] = d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1 : d < 2 ? ((a * d - 5 * a) * d + 8 * a) * d - 4 * a : 0;
            }
            return normalized(c);
        }

        private static double[] normalized(double[] c) {
            double sum = 0;
            for (double v : c) sum += v;
            for (int i = 0; i < c.length; i++) c[i] /= sum;
            return c;
        }
    }
}
