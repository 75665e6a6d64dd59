package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.ImportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxTypes;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX's affine maps between real numbers and integers, computed on the integer storage itself:
 * quantize_linear ({@code y = saturate(round(x / scale) + zero_point)}, QuantizeLinear),
 * dequantize_linear ({@code y = (x - zero_point) scale}, DequantizeLinear) and
 * dynamic_quantize_linear (uint8 with the scale and zero point of x's own range,
 * DynamicQuantizeLinear). Rounding is half to even and the arithmetic float32, as ONNX Runtime
 * computes them, so the integers are ONNX Runtime's. Scale and zero point are one value (per
 * tensor), one per slice along {@code axis} (per channel), or, with {@code block_size}, one per block
 * of that many elements along the axis (ONNX's blocked quantization, opset 21).
 *
 * <p>No gradient flows through them: their integer side has none. Quantization-aware training uses
 * fake_quantize instead, which exports as these ops.
 */
final class LinearQuantize {
    private LinearQuantize() {
    }

    /** The integer types these ops store: 8, 16 and 32 bits, signed or not. */
    static boolean storable(DType d) {
        return d == DType.INT8 || d == DType.UINT8 || d == DType.INT16 || d == DType.UINT16 || d == DType.INT32;
    }

    /** [min, max] of an integer dtype that {@link #storable} accepts. */
    static int[] range(DType d) {
        switch (d) {
            case INT8: return new int[] {-128, 127};
            case UINT8: return new int[] {0, 255};
            case INT16: return new int[] {Short.MIN_VALUE, Short.MAX_VALUE};
            case UINT16: return new int[] {0, 65535};
            default: return new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        }
    }

    /** The dtypes the kernels here compute themselves; half floats are widened to float32. */
    static boolean computed(DType d) {
        return d == DType.FLOAT32 || storable(d) || d == DType.INT64 || d == DType.BOOL;
    }

    /** The values of an integer tensor as ints (unsigned types as their unsigned values). */
    static int[] ints(Tensor t) {
        int n = t.numel();
        int[] v = new int[n];
        switch (t.dtype()) {
            case INT8: {
                byte[] b = t.i8();
                for (int i = 0; i < n; i++) v[i] = b[i];
                return v;
            }
            case UINT8: {
                byte[] b = t.i8();
                for (int i = 0; i < n; i++) v[i] = b[i] & 0xFF;
                return v;
            }
            case INT16: {
                short[] s = t.i16();
                for (int i = 0; i < n; i++) v[i] = s[i];
                return v;
            }
            case UINT16: {
                short[] s = t.i16();
                for (int i = 0; i < n; i++) v[i] = s[i] & 0xFFFF;
                return v;
            }
            case INT32: return t.i32().clone();
            default: throw new ShapeException("expected an 8-, 16- or 32-bit integer tensor, got " + t.type());
        }
    }

    /** Stores ints, already within t's range, into t. */
    static void store(int[] v, Tensor t) {
        int n = v.length;
        switch (t.dtype()) {
            case INT8: case UINT8: {
                byte[] b = t.i8();
                for (int i = 0; i < n; i++) b[i] = (byte) v[i];
                return;
            }
            case INT16: case UINT16: {
                short[] s = t.i16();
                for (int i = 0; i < n; i++) s[i] = (short) v[i];
                return;
            }
            default: System.arraycopy(v, 0, t.i32(), 0, n);
        }
    }

    /** round(v) half to even, plus zp, saturated to [lo, hi]: QuantizeLinear's and requantization's last step. */
    static int saturate(float v, int zp, int lo, int hi) {
        double q = Math.rint(v) + zp;
        return !(q > lo) ? lo : q >= hi ? hi : (int) q;    // NaN gives lo, as MLAS's max-then-min clamp does
    }

    /**
     * An op of ONNX's quantization: it computes 8-, 16- and 32-bit integers itself (half-float scales
     * are widened to float32), and no gradient flows through it (its integer side has none).
     */
    abstract static class IntegerOp extends Op {
        IntegerOp(String name, int minInputs, int maxInputs) {
            super(name, minInputs, maxInputs);
        }

        /** An op that is the ONNX op {@code onnxType}, input for input (see {@link Op}). */
        IntegerOp(String name, int minInputs, int maxInputs, String onnxType) {
            super(name, minInputs, maxInputs, onnxType);
        }

        @Override
        public boolean computes(DType dtype) {
            return computed(dtype);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
            return Arrays.asList((V[]) new Object[in.size()]);
        }
    }

    static void requireFloat(String op, String what, TensorType t) {
        DType d = t.dtype();
        if (d != DType.FLOAT32 && d != DType.FLOAT16 && d != DType.BFLOAT16) {
            throw new ShapeException(op + ": " + what + " must be float32, float16 or bfloat16, got " + t);
        }
    }

    static void requireStorable(String op, String what, TensorType t) {
        if (!storable(t.dtype())) throw new ShapeException(op + ": " + what + " must be int8, uint8, int16, uint16 or int32, got " + t);
    }

    /**
     * Where each element of x finds its scale and zero point: per tensor, per slice along an axis
     * (scale 1-D), or per block of {@code block} elements along the axis (scale of x's rank).
     */
    static final class Params {
        final int inner, channels, block, blocks;

        private Params(int inner, int channels, int block, int blocks) {
            this.inner = inner;
            this.channels = channels;
            this.block = block;
            this.blocks = blocks;
        }

        int at(int i) {
            if (channels == 0) return 0;
            int c = (i / inner) % channels;
            if (block == 0) return c;
            return ((i / (inner * channels)) * blocks + c / block) * inner + i % inner;
        }

        /**
         * Checks scale and zero point against x and attributes "axis" (default 1) and "block_size"
         * (default 0); unknown sizes pass. The zero point has scale's shape or is a scalar.
         */
        static Params of(String op, Shape x, Shape scale, Shape zeroPoint, Attrs attrs) {
            if (!zeroPoint.equals(scale) && zeroPoint.rank() != 0) {
                throw new ShapeException(op + ": zero point " + zeroPoint + " must have the scale's shape " + scale + " or be a scalar");
            }
            int block = attrs.getInt("block_size", 0);
            if (block < 0) throw new ShapeException(op + ": block_size must not be negative, got " + block);
            if (scale.rank() == 0 && block == 0) return new Params(1, 0, 0, 0);
            int axis = x.axis(attrs.getInt("axis", 1), op), c = x.dim(axis);
            int inner = x.isStatic() ? x.size(axis + 1, x.rank()) : 1;
            if (block == 0) {
                if (scale.rank() != 1) throw new ShapeException(op + ": scale " + scale + " must be a scalar or 1-D (one per slice along axis " + axis + ")");
                int s = scale.dim(0);
                if (c != Shape.DYNAMIC && s != Shape.DYNAMIC && c != s) {
                    throw new ShapeException(op + ": scale " + scale + " has " + s + " values for axis " + axis + " of " + x + ", which has " + c);
                }
                return new Params(inner, c, 0, 0);
            }
            if (scale.rank() != x.rank()) throw new ShapeException(op + ": with block_size " + block + ", scale " + scale + " must have the rank of " + x);
            for (int d = 0; d < x.rank(); d++) {
                int want = d == axis && x.dim(d) != Shape.DYNAMIC ? (x.dim(d) + block - 1) / block : x.dim(d);
                if (want != Shape.DYNAMIC && scale.dim(d) != Shape.DYNAMIC && scale.dim(d) != want) {
                    throw new ShapeException(op + ": with block_size " + block + " along axis " + axis + ", scale " + scale + " must be "
                            + x.with(axis, want) + " for " + x);
                }
            }
            return new Params(inner, c, block, scale.dim(axis));
        }
    }

    /** axis and block_size when they matter: for the ONNX node. */
    private static Object[] onnxAttrs(ExportNode node, OnnxWriter out) {
        Attrs a = node.attrs();
        List<Object> kv = new ArrayList<>();
        if (node.inputType(1).rank() > 0) kv.addAll(List.of("axis", a.getInt("axis", 1)));
        if (a.getInt("block_size", 0) > 0) {
            if (out.opset() < 21) throw node.error("blocked quantization (block_size) needs opset 21 or newer, got " + out.opset());
            kv.addAll(List.of("block_size", a.getInt("block_size", 0)));
        }
        return kv.toArray();
    }

    /** axis and block_size of an ONNX node; "saturate" matters only for float8, which Janus has no dtype for. */
    private static Attrs readAttrs(ImportNode n) {
        n.ignore("saturate");
        Attrs a = Attrs.of("axis", n.getInt("axis", 1));
        int block = n.getInt("block_size", 0);
        return block == 0 ? a : a.with("block_size", block);
    }

    /** Input {@code input}, or a zero of {@code dtype} when the node omits it: ONNX's default zero point. */
    static dev.janus.core.ir.Value zeroPoint(ImportNode n, int input, DType dtype) {
        return n.hasInput(input) ? n.input(input) : n.emit().constant(Tensor.zeros(dtype));
    }

    // ------------------------------------------------------------ quantize_linear

    /** quantize_linear(x, scale, zero_point) -> zero point's integer type, attributes axis and block_size. */
    static final class Quantize extends IntegerOp {
        Quantize() {
            super("quantize_linear", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            requireFloat(name(), "x", in[0]);
            requireFloat(name(), "scale", in[1]);
            requireStorable(name(), "zero point", in[2]);
            Params.of(name(), in[0].shape(), in[1].shape(), in[2].shape(), attrs);
            return new TensorType[] {new TensorType(in[2].dtype(), in[0].shape())};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Params p = Params.of(name(), in[0].shape(), in[1].shape(), in[2].shape(), attrs);
            float[] x = in[0].f32(), s = in[1].f32();
            int[] z = ints(in[2]), r = range(out[0].dtype()), q = new int[x.length];
            boolean scalarZero = z.length == 1;
            for (int i = 0; i < x.length; i++) {
                int c = p.at(i);
                q[i] = saturate(x[i] / s[c], z[scalarZero ? 0 : c], r[0], r[1]);
            }
            store(q, out[0]);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("QuantizeLinear", node.inputs(), node.outputs(), onnxAttrs(node, out));
        }

        /** The omitted zero point is uint8 0, or 0 of output_dtype (opset 21). */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("QuantizeLinear", n -> {
                int precision = n.getInt("precision", 0);
                if (precision != 0 && precision != OnnxTypes.FLOAT) throw n.error("precision " + OnnxTypes.name(precision) + " is not supported (float32 only)");
                DType type = DType.UINT8;
                if (n.has("output_dtype")) type = OnnxTypes.dtype(n.getInt("output_dtype", 0), "output_dtype");
                if (n.hasInput(2) && n.has("output_dtype") && n.input(2).type().dtype() != type) {
                    throw n.error("output_dtype " + type + " differs from the zero point's type " + n.input(2).type());
                }
                return List.of(n.emit().one(this, readAttrs(n), List.of(n.input(0), n.input(1), zeroPoint(n, 2, type))));
            });
        }
    }

    // ------------------------------------------------------------ dequantize_linear

    /** dequantize_linear(x, scale, zero_point) -> scale's float type, attributes axis and block_size. */
    static final class Dequantize extends IntegerOp {
        Dequantize() {
            super("dequantize_linear", 3, 3);
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            requireStorable(name(), "x", in[0]);
            requireFloat(name(), "scale", in[1]);
            if (in[2].dtype() != in[0].dtype()) throw new ShapeException(name() + ": zero point " + in[2] + " must have x's type " + in[0]);
            Params.of(name(), in[0].shape(), in[1].shape(), in[2].shape(), attrs);
            return new TensorType[] {new TensorType(in[1].dtype(), in[0].shape())};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Params p = Params.of(name(), in[0].shape(), in[1].shape(), in[2].shape(), attrs);
            int[] x = ints(in[0]), z = ints(in[2]);
            float[] s = in[1].f32(), y = out[0].f32();
            boolean scalarZero = z.length == 1;
            for (int i = 0; i < x.length; i++) {
                int c = p.at(i);
                // In float32 as ONNX Runtime: the integer difference, converted, times the scale.
                y[i] = (float) (x[i] - z[scalarZero ? 0 : c]) * s[c];
            }
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            out.node("DequantizeLinear", node.inputs(), node.outputs(), onnxAttrs(node, out));
        }

        /** The omitted zero point is 0 of x's type; output_dtype (opset 23), when it differs from the scale's, is a cast after. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("DequantizeLinear", n -> {
                dev.janus.core.ir.Value x = n.input(0);
                dev.janus.core.ir.Value y = n.emit().one(this, readAttrs(n), List.of(x, n.input(1), zeroPoint(n, 2, x.type().dtype())));
                if (n.has("output_dtype")) {
                    DType to = OnnxTypes.dtype(n.getInt("output_dtype", 0), "output_dtype");
                    if (to != y.type().dtype()) y = n.emit().cast(y, to);
                }
                return List.of(y);
            });
        }
    }

    // ------------------------------------------------------------ dynamic_quantize_linear

    /**
     * dynamic_quantize_linear(x) -> (y uint8, scale float32 scalar, zero point uint8 scalar): the
     * range of x widened to hold 0, over [0, 255] (scale 1 when x is all zeros), zero point
     * {@code round(saturate(0 - min / scale))}, then quantize_linear with them.
     */
    static final class Dynamic extends IntegerOp {
        Dynamic() {
            super("dynamic_quantize_linear", 1, 1, "DynamicQuantizeLinear");
        }

        @Override
        public int outputCount() {
            return 3;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.dtype(name(), "x", in[0], DType.FLOAT32);
            return new TensorType[] {new TensorType(DType.UINT8, in[0].shape()), TensorType.of(DType.FLOAT32), TensorType.of(DType.UINT8)};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            float[] x = in[0].f32();
            float min = 0, max = 0;
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float scale = max == min ? 1f : (max - min) / 255f;
            int zp = (int) Math.rint(Math.max(0f, Math.min(255f, 0f - min / scale)));
            byte[] y = out[0].i8();
            for (int i = 0; i < x.length; i++) y[i] = (byte) saturate(x[i] / scale, zp, 0, 255);
            out[1].f32()[0] = scale;
            out[2].i8()[0] = (byte) zp;
        }

        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            return Map.of("DynamicQuantizeLinear", n -> n.emit().apply(this, Attrs.NONE, List.of(n.input(0))));
        }
    }
}
