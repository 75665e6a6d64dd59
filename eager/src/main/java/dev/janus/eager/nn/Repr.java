package dev.janus.eager.nn;

import java.math.BigDecimal;

/** Values written as Python writes them, so that modules print as PyTorch prints them. */
final class Repr {
    private Repr() {
    }

    /** (3, 3), or (3,) for one element. */
    static String tuple(int[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(v[i]);
        return sb.append(v.length == 1 ? ",)" : ")").toString();
    }

    /** One number when every axis has the same value (as a PyTorch layer given one int prints it), else a tuple. */
    static String value(int[] v) {
        for (int x : v) if (x != v[0]) return tuple(v);
        return Integer.toString(v[0]);
    }

    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** Python's repr of a float: 0.1, 1e-05, 0.001, 1.0. */
    static String number(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return v == 0 ? "0.0" : Double.toString(v).toLowerCase();
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
