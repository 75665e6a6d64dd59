package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JavaScript for elementwise work: each elementwise op as an expression with the value
 * its Java kernel stores (float32 results rounded with Math.fround, so a chain rounds where the
 * Java registers do), and the loop nest over an output that reads operands through strides (NumPy
 * broadcasting, or any strided view: a transpose, a slice).
 */
final class JsElementwise {
    private JsElementwise() {
    }

    /** Writes the statements for one element, given each operand's value and the output index. */
    interface Body {
        void write(JsCode c, String[] values, String outIndex);
    }

    /** An operand of a loop over an output: element (i_0, ..., i_r-1) is {@code buffer[base + sum_k i_k strides[k]]}. */
    static final class Operand {
        final String buffer;
        final int base;
        final int[] strides;

        Operand(String buffer, int base, int[] strides) {
            this.buffer = buffer;
            this.base = base;
            this.strides = strides;
        }

        /** A tensor of {@code shape} broadcast (NumPy's rules) over an output of shape {@code out}. */
        static Operand broadcast(String buffer, Shape shape, Shape out) {
            int r = out.rank(), pad = r - shape.rank();
            int[] own = shape.strides(), s = new int[r];
            for (int k = pad; k < r; k++) s[k] = shape.dim(k - pad) == 1 ? 0 : own[k - pad];
            return new Operand(buffer, 0, s);
        }
    }

    /**
     * Loops over every element of {@code out} in row-major order. Axes of size 1 are dropped and
     * neighbouring axes merged where every operand walks them as one, so a full-shaped chain is one
     * flat loop and a bias add two; operands that never move are read once, before the loops.
     */
    static void loop(JsCode c, Shape out, List<Operand> operands, Body body) {
        if (out.size() == 0) return;
        int n = operands.size();
        List<Integer> dims = new ArrayList<>();
        List<int[]> strides = new ArrayList<>();   // per kept axis, one stride per operand
        for (int k = out.rank() - 1; k >= 0; k--) {
            int d = out.dim(k);
            if (d == 1) continue;
            int[] s = new int[n];
            for (int j = 0; j < n; j++) s[j] = operands.get(j).strides[k];
            if (!dims.isEmpty()) {
                int inner = dims.get(0);
                int[] si = strides.get(0);
                boolean merge = true;
                for (int j = 0; j < n && merge; j++) merge = s[j] == si[j] * inner;
                if (merge) {
                    dims.set(0, inner * d);
                    continue;
                }
            }
            dims.add(0, d);
            strides.add(0, s);
        }
        int m = dims.size();
        String[] values = new String[n];
        boolean[] still = new boolean[n];
        for (int j = 0; j < n; j++) {
            still[j] = true;
            for (int[] s : strides) still[j] &= s[j] == 0;
            values[j] = "v" + j;
            if (still[j]) c.line("const v" + j + " = " + operands.get(j).buffer + "[" + operands.get(j).base + "];");
        }
        if (m == 0) {
            body.write(c, values, "0");
            return;
        }
        String[] partial = new String[n];
        for (int j = 0; j < n; j++) partial[j] = Integer.toString(operands.get(j).base);
        if (m > 1) c.line("let o = 0;");
        for (int k = 0; k < m; k++) {
            String i = "i" + k;
            boolean innermost = k == m - 1;
            c.open("for (let " + i + " = 0; " + i + " < " + dims.get(k) + "; " + i + (innermost && m > 1 ? "++, o++)" : "++)"));
            for (int j = 0; j < n; j++) {
                if (still[j]) continue;
                String at = JsCode.index(partial[j], i, strides.get(k)[j]);
                if (innermost) {
                    c.line("const v" + j + " = " + operands.get(j).buffer + "[" + at + "];");
                } else if (strides.get(k)[j] != 0) {
                    partial[j] = "p" + j + "_" + k;
                    c.line("const " + partial[j] + " = " + at + ";");
                }
            }
            if (innermost) body.write(c, values, m > 1 ? "o" : i);
        }
        for (int k = 0; k < m; k++) c.close();
    }

    /** One op of a chain: where its arguments come from (operand values or earlier results) and its dtypes. */
    static final class Step {
        final Op op;
        final Attrs attrs;
        final DType[] argTypes;
        final DType type;

        Step(Op op, Attrs attrs, DType[] argTypes, DType type) {
            this.op = op;
            this.attrs = attrs;
            this.argTypes = argTypes;
            this.type = type;
        }
    }

    /** Ops whose float32 result needs no rounding: it is one of the (float) arguments, or a bound. */
    private static boolean exactOnFloats(String op) {
        switch (op) {
            case "neg": case "abs": case "sign": case "relu": case "maximum": case "minimum": case "clip": case "where":
                return true;
            default:
                return false;
        }
    }

    /**
     * The value the op's kernel stores, as a JS expression of its arguments (identifiers): float32
     * results are rounded (Math.fround) except where the result is exact already.
     */
    static String expr(Step s, String[] a, JsHelpers helpers) {
        String raw = raw(s, a, helpers);
        boolean f32 = s.type == DType.FLOAT32;
        if (f32 && !exactOnFloats(s.op.name()) && !(s.op.name().equals("cast") && s.argTypes[0] == DType.BOOL)) {
            return "Math.fround(" + raw + ")";
        }
        return raw;
    }

    private static String raw(Step s, String[] a, JsHelpers helpers) {
        Attrs at = s.attrs;
        boolean f32 = s.argTypes.length > 0 && s.argTypes[0] == DType.FLOAT32;
        String x = a.length > 0 ? a[0] : null, y = a.length > 1 ? a[1] : null;
        switch (s.op.name()) {
            case "neg": return "-" + x;
            case "exp": return "Math.exp(" + x + ")";
            case "log": return "Math.log(" + x + ")";
            case "sqrt": return "Math.sqrt(" + x + ")";
            case "abs": return "Math.abs(" + x + ")";
            case "sign": return "Math.sign(" + x + ")";
            case "erf": return helpers.use(f32 ? "erfFast" : "erf") + "(" + x + ")";
            case "relu": return "Math.max(" + x + ", 0)";
            case "leaky_relu": {
                double alpha = at.getDouble("alpha", 0.01);
                return "(" + x + " > 0 ? " + x + " : " + (f32 ? JsCode.f32(alpha) : JsCode.num(alpha)) + " * " + x + ")";
            }
            case "elu":
                return "(" + x + " > 0 ? " + x + " : " + JsCode.num(at.getDouble("alpha", 1.0)) + " * Math.expm1(" + x + "))";
            case "gelu":
                if (at.getString("approximate", "none").equals("tanh")) {
                    return "0.5 * " + x + " * (1 + Math.tanh(" + JsCode.num(Math.sqrt(2 / Math.PI)) + " * (" + x + " + "
                            + JsCode.num(0.044715) + " * " + x + " * " + x + " * " + x + ")))";
                }
                return x + " * 0.5 * " + helpers.use(f32 ? "erfcFast" : "erfc") + "(-" + x + " * " + JsCode.num(1 / Math.sqrt(2)) + ")";
            case "sigmoid": return "1 / (1 + Math.exp(-" + x + "))";
            case "tanh": return "Math.tanh(" + x + ")";
            case "hard_swish": return x + " * Math.min(Math.max(" + x + " + 3, 0), 6) / 6";
            case "hard_sigmoid": {
                double alpha = at.getDouble("alpha", 0.2), beta = at.getDouble("beta", 0.5);
                return "Math.min(Math.max(" + (f32 ? JsCode.f32(alpha) : JsCode.num(alpha)) + " * " + x + " + "
                        + (f32 ? JsCode.f32(beta) : JsCode.num(beta)) + ", 0), 1)";
            }
            case "reciprocal": return "1 / " + x;
            case "sin": case "cos": case "tan": case "asin": case "acos": case "atan":
            case "sinh": case "cosh": case "asinh": case "acosh": case "atanh": case "floor": case "ceil":
                return "Math." + s.op.name() + "(" + x + ")";
            case "round": // halves to even, as Java's Math.rint and ONNX's Round
                return "(Math.abs(" + x + " % 1) === 0.5 ? 2 * Math.round(" + x + " / 2) : Math.round(" + x + "))";
            case "softplus": {
                String beta = JsCode.num(at.getDouble("beta", 1)), th = JsCode.num(at.getDouble("threshold", 20));
                return "(" + x + " * " + beta + " > " + th + " ? " + x + " : Math.log1p(Math.exp(" + x + " * " + beta + ")) / " + beta + ")";
            }
            case "clip": {
                double lo = at.getDouble("min", Double.NEGATIVE_INFINITY), hi = at.getDouble("max", Double.POSITIVE_INFINITY);
                String v = x;
                if (at.has("min")) v = "Math.max(" + v + ", " + (f32 ? JsCode.f32(lo) : JsCode.num(lo)) + ")";
                if (at.has("max")) v = "Math.min(" + v + ", " + (f32 ? JsCode.f32(hi) : JsCode.num(hi)) + ")";
                return v;
            }
            case "add": return x + " + " + y;
            case "sub": return x + " - " + y;
            case "mul": return x + " * " + y;
            case "div": return x + " / " + y;
            case "pow": return "Math.pow(" + x + ", " + y + ")";
            case "maximum": return "Math.max(" + x + ", " + y + ")";
            case "minimum": return "Math.min(" + x + ", " + y + ")";
            case "greater": return "(" + x + " > " + y + " ? 1 : 0)";
            case "equal": return "(" + x + " === " + y + " ? 1 : 0)";
            case "where": return "(" + x + " ? " + y + " : " + a[2] + ")";
            case "cast": return cast(x, s.argTypes[0], s.type);
            default:
                throw new JanusException("JavaScript export: elementwise op '" + s.op.name() + "' on " + Arrays.toString(s.argTypes)
                        + " has no JavaScript expression");
        }
    }

    /**
     * Why the generator cannot write this step, or null when it can: the bitwise ops work on int64,
     * and JavaScript numbers are doubles, exact only to 2^53, whose bitwise operators see 32 bits.
     */
    static String unwritable(Step s) {
        String name = s.op.name();
        if (name.startsWith("bitwise_") || name.startsWith("bit_shift_")) {
            return "op '" + name + "' on " + Arrays.toString(s.argTypes) + " has no JavaScript expression: JavaScript numbers are doubles,"
                    + " exact to 2^53, and its bitwise operators work on 32 bits, so " + s.type + " bit operations would give wrong answers";
        }
        return null;
    }

    /** Java's conversions: float to int64 truncates toward zero (NaN to 0, saturating), anything to bool tests != 0. */
    private static String cast(String x, DType from, DType to) {
        if (from == to) return x;
        switch (to) {
            case BOOL: return "(" + x + " !== 0 ? 1 : 0)";
            case INT64:
                if (!from.isFloating()) return x;
                return "(" + x + " !== " + x + " ? 0 : Math.max(-9223372036854775808, Math.min(9223372036854775807, Math.trunc(" + x + "))))";
            default: return x;   // to float32 the caller rounds; to float64 every value is exact
        }
    }
}
