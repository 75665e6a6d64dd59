package dev.janus.graph;

import dev.janus.core.DType;

/** JavaScript source being written: lines at the current indentation, and JS literals. */
final class JsCode {
    private final StringBuilder sb = new StringBuilder();
    private int depth;

    JsCode line(String s) {
        sb.append("  ".repeat(depth)).append(s).append('\n');
        return this;
    }

    /** A line ending in "{", and one level deeper until {@link #close}. */
    JsCode open(String s) {
        line(s + " {");
        depth++;
        return this;
    }

    /** A bare block, for names that must not leak into the enclosing one; {@link #close} ends it. */
    JsCode openBlock() {
        line("{");
        depth++;
        return this;
    }

    JsCode close() {
        depth--;
        return line("}");
    }

    /** Another writer's lines, at this one's indentation. */
    JsCode append(JsCode other) {
        for (String l : other.toString().split("\n", -1)) if (!l.isEmpty()) line(l);
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    /** A number as a JS literal that reads back as the same double. */
    static String num(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
        if (v == 0) return 1 / v < 0 ? "-0" : "0";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    /** A float32 value (a float attribute, say) as the JS double it widens to. */
    static String f32(double v) {
        return num((float) v);
    }

    static String ints(int[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(v[i]);
        return b.append(']').toString();
    }

    /** {@code base + v * stride} with the trivial parts left out: "i", "a + i", "a + i * 64". */
    static String index(String base, String v, int stride) {
        String term = stride == 0 ? "" : stride == 1 ? v : v + " * " + stride;
        if (base.equals("0") || base.isEmpty()) return term.isEmpty() ? "0" : term;
        return term.isEmpty() ? base : base + " + " + term;
    }

    /** The typed array holding a dtype: int64 as float64 (exact to 2^53), bool as bytes. */
    static String arrayType(DType t) {
        switch (t) {
            case FLOAT32: return "Float32Array";
            case BOOL: return "Uint8Array";
            default: return "Float64Array";
        }
    }
}
