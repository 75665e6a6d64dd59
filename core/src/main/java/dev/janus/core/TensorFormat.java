package dev.janus.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Formats a tensor the way PyTorch prints one: the same number format rules (integer, fixed with
 * four decimals, or scientific, chosen over all printed values), right-aligned columns, 80-column
 * lines, and "..." summaries for tensors over 1000 elements.
 */
final class TensorFormat {
    private static final int PRECISION = 4, THRESHOLD = 1000, EDGE = 3, LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    private TensorFormat() {
    }

    static String format(Tensor t) {
        List<String> suffixes = new ArrayList<>();
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL) suffixes.add("dtype=" + t.dtype());
        String body;
        if (t.numel() == 0) {
            if (t.rank() != 1) suffixes.add("size=" + sizeTuple(t.shape()));
            body = "[]";
        } else {
            boolean summarize = t.numel() > THRESHOLD;
            Number fmt = new Number(t, printedElements(t, summarize));
            body = t.rank() == 0 ? fmt.format(0) : block(t, 0, 0, PREFIX.length(), summarize, fmt);
        }
        StringBuilder sb = new StringBuilder(PREFIX).append(body);
        int lastLine = sb.length() - sb.lastIndexOf("\n") + 1;
        for (String s : suffixes) {
            if (lastLine + s.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(PREFIX.length())).append(s);
                lastLine = PREFIX.length() + s.length();
            } else {
                sb.append(", ").append(s);
                lastLine += s.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    private static String sizeTuple(Shape s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.rank(); i++) sb.append(i > 0 ? ", " : "").append(s.dim(i));
        return sb.append(s.rank() == 1 ? ",)" : ")").toString();
    }

    /** Flat indices of the elements that will be printed. */
    private static List<Integer> printedElements(Tensor t, boolean summarize) {
        List<Integer> out = new ArrayList<>();
        collect(t, 0, 0, summarize, out);
        return out;
    }

    private static void collect(Tensor t, int dim, int offset, boolean summarize, List<Integer> out) {
        if (dim == t.rank()) {
            out.add(offset);
            return;
        }
        int n = t.shape().dim(dim), stride = t.shape().size(dim + 1, t.rank());
        for (int i : indices(n, summarize)) collect(t, dim + 1, offset + i * stride, summarize, out);
    }

    private static int[] indices(int n, boolean summarize) {
        if (!summarize || n <= 2 * EDGE) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] edges = new int[2 * EDGE];
        for (int i = 0; i < EDGE; i++) {
            edges[i] = i;
            edges[EDGE + i] = n - EDGE + i;
        }
        return edges;
    }

    private static String block(Tensor t, int dim, int offset, int indent, boolean summarize, Number fmt) {
        int n = t.shape().dim(dim), stride = t.shape().size(dim + 1, t.rank());
        boolean cut = summarize && n > 2 * EDGE;
        if (dim == t.rank() - 1) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (cut && i == EDGE) {
                    items.add(" ...");
                    i = n - EDGE;
                }
                items.add(fmt.format(offset + i * stride));
            }
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (fmt.width + 2));
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                sb.append(items.get(i));
            }
            return sb.append(']').toString();
        }
        String sep = "," + "\n".repeat(t.rank() - dim - 1) + " ".repeat(indent + 1);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(sep);
            if (cut && i == EDGE) {
                sb.append("...").append(sep);
                i = n - EDGE;
            }
            sb.append(block(t, dim + 1, offset + i * stride, indent + 1, summarize, fmt));
        }
        return sb.append(']').toString();
    }

    /** PyTorch's _Formatter: one number style and width for all printed values. */
    private static final class Number {
        private final Tensor t;
        private final boolean floating;
        private boolean intMode = true, sciMode = false;
        private int width = 1;

        Number(Tensor t, List<Integer> printed) {
            this.t = t;
            this.floating = t.dtype().isFloating();
            if (!floating) {
                for (int i : printed) width = Math.max(width, raw(i).length());
                return;
            }
            double min = Double.POSITIVE_INFINITY, max = 0;
            List<Double> finite = new ArrayList<>();
            for (int i : printed) {
                double v = t.readDouble(i);
                if (Double.isNaN(v) || Double.isInfinite(v)) {
                    width = Math.max(width, special(v).length());
                } else if (v != 0) {
                    finite.add(v);
                    min = Math.min(min, Math.abs(v));
                    max = Math.max(max, Math.abs(v));
                }
            }
            if (finite.isEmpty()) return;
            for (double v : finite) if (v != Math.ceil(v)) intMode = false;
            sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);
            for (double v : finite) {
                String s = sciMode ? sci(v) : intMode ? String.format(Locale.ROOT, "%.0f", v) + "." : fixed(v);
                width = Math.max(width, s.length());
            }
        }

        String format(int i) {
            String s;
            if (!floating) s = raw(i);
            else {
                double v = t.readDouble(i);
                if (Double.isNaN(v) || Double.isInfinite(v)) s = special(v);
                else if (sciMode) s = sci(v);
                else if (intMode) s = String.format(Locale.ROOT, "%.0f", v) + ".";
                else s = fixed(v);
            }
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }

        private String raw(int i) {
            if (t.dtype() == DType.BOOL) return t.readDouble(i) != 0 ? "True" : "False";
            return Long.toString(t.readLong(i));
        }

        private static String special(double v) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }

        private static String sci(double v) {
            return String.format(Locale.ROOT, "%." + PRECISION + "e", v);
        }

        private static String fixed(double v) {
            return String.format(Locale.ROOT, "%." + PRECISION + "f", v);
        }
    }
}
