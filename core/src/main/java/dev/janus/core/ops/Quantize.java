package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;

/**
 * Fake quantization, the op quantization-aware training inserts (PyTorch's
 * {@code fake_quantize_per_tensor_affine} / {@code _per_channel_affine}, TensorFlow's
 * {@code FakeQuantWithMinMaxVars}): {@code y = (clamp(round(x / scale) + zero_point, qmin, qmax)
 * - zero_point) * scale}, rounding half to even as ONNX's QuantizeLinear does. The inputs are x,
 * scale and zero_point (the zero point a whole number held in x's float type); scale and zero point
 * are scalars (per tensor) or 1-D along {@code axis} (per channel, default 1 as ONNX). Attributes
 * qmin and qmax are the integer range: [-128, 127] or [-127, 127] for int8, [0, 255] for uint8.
 *
 * <p>The gradient is the straight-through estimator: x's gradient passes where the quantized value
 * fell inside [qmin, qmax] and is 0 where it was clamped (the derivative of
 * {@code clamp(x, (qmin - zp) scale, (qmax - zp) scale)}); scale and zero point get none (they are
 * observed or calibrated, not learned). Exported as QuantizeLinear then DequantizeLinear, the pair
 * ONNX Runtime reads as a quantized tensor (QDQ form).
 */
final class Quantize {
    private Quantize() {
    }

    /** The shared shape rule: x float, scale and zero point of x's dtype, scalars or 1-D along the axis. */
    static int axis(String op, TensorType x, TensorType scale, TensorType zeroPoint, Attrs attrs) {
        Check.floating(op, x);
        Check.sameDType(op, x, scale);
        Check.sameDType(op, x, zeroPoint);
        if (!scale.shape().equals(zeroPoint.shape())) {
            throw new ShapeException(op + ": scale " + scale + " and zero_point " + zeroPoint + " must have one shape");
        }
        int qmin = attrs.getInt("qmin"), qmax = attrs.getInt("qmax");
        if (qmin >= qmax) throw new ShapeException(op + ": qmin " + qmin + " must be below qmax " + qmax);
        if (scale.rank() == 0) return -1;
        if (scale.rank() != 1) throw new ShapeException(op + ": scale must be a scalar or 1-D, got " + scale);
        int axis = x.shape().axis(attrs.getInt("axis", 1), op);
        int c = x.shape().dim(axis), s = scale.shape().dim(0);
        if (c != Shape.DYNAMIC && s != Shape.DYNAMIC && c != s) {
            throw new ShapeException(op + ": scale " + scale + " has " + s + " values for axis " + axis + " of x " + x + ", which has " + c);
        }
        return axis;
    }

    /**
     * For each element, its channel's index into scale (0 per tensor). {@code inner}: elements per
     * step of the axis; {@code channels}: the axis's size.
     */
    private static int channel(int i, int inner, int channels) {
        return channels == 1 ? 0 : (i / inner) % channels;
    }

    private static int[] layout(Tensor x, int axis) {
        if (axis < 0) return new int[] {1, 1};
        int inner = 1;
        for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape().dim(d);
        return new int[] {inner, x.shape().dim(axis)};
    }

    /**
     * The one loop of both ops: q = clamp(round(x / scale) + zp, qmin, qmax) per element; writes
     * (q - zp) scale, or for the gradient the upstream in[3] where q was not clamped, else 0.
     */
    private static void loop(String op, Tensor[] in, Attrs attrs, Tensor out, boolean gradient) {
        int[] l = layout(in[0], axis(op, in[0].type(), in[1].type(), in[2].type(), attrs));
        double qmin = attrs.getInt("qmin"), qmax = attrs.getInt("qmax");
        int n = in[0].numel();
        if (in[0].dtype() == DType.FLOAT32) {
            float[] x = in[0].f32(), s = in[1].f32(), z = in[2].f32(), y = out.f32(), g = gradient ? in[3].f32() : null;
            for (int i = 0; i < n; i++) {
                int c = channel(i, l[0], l[1]);
                // As ONNX Runtime: x / scale in float, rounded half to even, then (q - zp) * scale in float.
                double q = Math.rint(x[i] / s[c]) + z[c];
                if (gradient) y[i] = q >= qmin && q <= qmax ? g[i] : 0f;
                else y[i] = ((float) Math.min(Math.max(q, qmin), qmax) - z[c]) * s[c];
            }
        } else {
            double[] x = in[0].f64(), s = in[1].f64(), z = in[2].f64(), y = out.f64(), g = gradient ? in[3].f64() : null;
            for (int i = 0; i < n; i++) {
                int c = channel(i, l[0], l[1]);
                double q = Math.rint(x[i] / s[c]) + z[c];
                if (gradient) y[i] = q >= qmin && q <= qmax ? g[i] : 0;
                else y[i] = (Math.min(Math.max(q, qmin), qmax) - z[c]) * s[c];
            }
        }
    }

    static final class FakeQuantize extends Op {
        FakeQuantize() {
            super("fake_quantize", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            axis(name(), in[0], in[1], in[2], attrs);
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            loop(name(), in, attrs, out[0], false);
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            V gx = wanted[0] ? e.one(Ops.FAKE_QUANTIZE_GRAD, attrs, List.of(in.get(0), in.get(1), in.get(2), gOut.get(0))) : null;
            return Arrays.asList(gx, null, null);
        }

        /**
         * QuantizeLinear then DequantizeLinear, into int8 when [qmin, qmax] fits it, else uint8; a
         * narrower range (int8's [-127, 127]) clips x to it first, so the pair computes exactly this op.
         */
        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            Attrs a = node.attrs();
            int qmin = a.getInt("qmin"), qmax = a.getInt("qmax");
            int type, lo, hi;
            if (qmin >= -128 && qmax <= 127) {
                type = INT8; lo = -128; hi = 127;
            } else if (qmin >= 0 && qmax <= 255) {
                type = UINT8; lo = 0; hi = 255;
            } else {
                throw node.error("the range [" + qmin + ", " + qmax + "] fits neither int8 nor uint8, the types ONNX quantizes to");
            }
            boolean wide = node.inputType(0).dtype() == DType.FLOAT64;
            String x = node.input(0), s = node.input(1), z = node.input(2);
            if (wide) {
                // ONNX Runtime's QuantizeLinear takes float32 only.
                x = out.emit("Cast", List.of(x), "to", FLOAT);
                s = out.emit("Cast", List.of(s), "to", FLOAT);
                z = out.emit("Cast", List.of(z), "to", FLOAT);
            }
            if (qmin != lo || qmax != hi) {
                String min = out.emit("Mul", List.of(out.emit("Sub", List.of(out.scalar(qmin, DType.FLOAT32), z)), s));
                String max = out.emit("Mul", List.of(out.emit("Sub", List.of(out.scalar(qmax, DType.FLOAT32), z)), s));
                if (node.inputType(1).rank() == 1) {
                    Shape bcast = broadcastShape(node.inputType(0).rank(), axisOf(node));
                    min = out.emit("Reshape", List.of(min, out.int64s(bcast.dims())));
                    max = out.emit("Reshape", List.of(max, out.int64s(bcast.dims())));
                }
                x = out.emit("Min", List.of(out.emit("Max", List.of(x, min)), max));
            }
            String zq = out.emit("Cast", List.of(z), "to", type);
            Object[] axis = node.inputType(1).rank() == 1 ? new Object[] {"axis", axisOf(node)} : new Object[0];
            String q = out.emit("QuantizeLinear", List.of(x, s, zq), axis);
            if (wide) {
                String y = out.emit("DequantizeLinear", List.of(q, s, zq), axis);
                out.node("Cast", List.of(y), node.outputs(), "to", DOUBLE);
            } else {
                out.node("DequantizeLinear", List.of(q, s, zq), node.outputs(), axis);
            }
        }

        private static int axisOf(ExportNode node) {
            return node.inputType(0).shape().axis(node.attrs().getInt("axis", 1), "fake_quantize");
        }

        /** [1, ..., -1, ..., 1]: a 1-D per-axis vector made to broadcast along {@code axis} of a rank-r tensor. */
        private static Shape broadcastShape(int rank, int axis) {
            int[] d = new int[rank];
            Arrays.fill(d, 1);
            d[axis] = -1;
            return Shape.of(d);
        }
    }

    // ONNX TensorProto element types.
    private static final int FLOAT = 1, UINT8 = 2, INT8 = 3, DOUBLE = 11;

    /**
     * The straight-through gradient of fake_quantize: inputs x, scale, zero_point and the upstream
     * gradient g; g where round(x / scale) + zero_point lies in [qmin, qmax], else 0. Emitted only by
     * fake_quantize's gradient rule.
     */
    static final class FakeQuantizeGrad extends Op {
        FakeQuantizeGrad() {
            super("fake_quantize_grad", 4, 4);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            axis(name(), in[0], in[1], in[2], attrs);
            if (!in[3].equals(in[0])) throw new ShapeException(name() + ": the gradient " + in[3] + " must have x's type " + in[0]);
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            loop(name(), in, attrs, out[0], true);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            throw node.error("a training-only op (fake_quantize's gradient) has no ONNX form");
        }
    }
}
