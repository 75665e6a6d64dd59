package dev.janus.core.ops;

import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Bitwise ops on integers (ONNX's BitwiseAnd/Or/Xor/Not, opset 18, and BitShift, opset 11): computed
 * on int64, other integer types widened to it and cast back, which keeps every bit of the narrow
 * type (shifts and nots wrap as in the narrow type; a right shift of uint64 is logical). Not
 * differentiable: their inputs are integers.
 */
final class Bitwise {
    private Bitwise() {
    }

    enum Kind {
        AND("bitwise_and", "BitwiseAnd"), OR("bitwise_or", "BitwiseOr"), XOR("bitwise_xor", "BitwiseXor"),
        SHIFT_LEFT("bit_shift_left", "BitShift"), SHIFT_RIGHT("bit_shift_right", "BitShift");

        final String name, onnxType;

        Kind(String name, String onnxType) {
            this.name = name;
            this.onnxType = onnxType;
        }
    }

    static final class Pair extends Binary {
        private final Kind kind;

        Pair(Kind kind) {
            super(kind.name, kind.onnxType);
            this.kind = kind;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.integer(name(), "inputs", in[0]);
            return super.inferTypes(in, attrs);
        }

        long i64(long a, long b) {
            switch (kind) {
                case AND: return a & b;
                case OR: return a | b;
                case XOR: return a ^ b;
                case SHIFT_LEFT: return a << b;
                default: return a >>> b;
            }
        }

        void f32(float[] a, int ai, float[] b, int bi, float[] o, int oi, int n) { throw new UnsupportedOperationException(name()); }
        void f64(double[] a, int ai, double[] b, int bi, double[] o, int oi, int n) { throw new UnsupportedOperationException(name()); }
        void f32(float[] a, float[] b, float[] o, int from, int n) { throw new UnsupportedOperationException(name()); }
        void f64(double[] a, double[] b, double[] o, int from, int n) { throw new UnsupportedOperationException(name()); }

        <V> List<V> grads(Emitter<V> e, V a, V b, V y, V g, boolean[] w) {
            return Arrays.asList(null, null);
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (kind == Kind.SHIFT_LEFT || kind == Kind.SHIFT_RIGHT) {
                out.node("BitShift", node.inputs(), node.outputs(), "direction", kind == Kind.SHIFT_LEFT ? "LEFT" : "RIGHT");
            } else {
                if (out.opset() < 18) throw node.error("needs opset 18 or newer (" + kind.onnxType + "), got " + out.opset());
                super.toOnnx(node, out);
            }
        }

        /** BitShift imports as the left or the right shift by its direction; the right shift adds no rule of its own. */
        @Override
        public Map<String, OnnxImportRule> fromOnnx() {
            if (kind == Kind.SHIFT_RIGHT) return Map.of();
            if (kind != Kind.SHIFT_LEFT) return super.fromOnnx();
            return Map.of("BitShift", n -> {
                String direction = n.getString("direction", "");
                if (!direction.equals("LEFT") && !direction.equals("RIGHT")) throw n.error("direction must be LEFT or RIGHT, got '" + direction + "'");
                return List.of(n.apply1(direction.equals("LEFT") ? this : Ops.BIT_SHIFT_RIGHT, Attrs.NONE, n.input(0), n.input(1)));
            });
        }
    }

    static final class Not extends Unary {
        Not() {
            super("bitwise_not", "BitwiseNot");
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            Check.integer(name(), "input", in[0]);
            return super.inferTypes(in, attrs);
        }

        long i64(long x) {
            return ~x;
        }

        @Override
        public void toOnnx(ExportNode node, OnnxWriter out) {
            if (out.opset() < 18) throw node.error("needs opset 18 or newer (BitwiseNot), got " + out.opset());
            super.toOnnx(node, out);
        }

        void f32(float[] x, float[] y, int from, int n, Attrs a) { throw new UnsupportedOperationException(name()); }
        void f64(double[] x, double[] y, int from, int n, Attrs a) { throw new UnsupportedOperationException(name()); }

        <V> V grad(Emitter<V> e, Attrs a, V x, V y, V g) {
            return null;
        }
    }
}
