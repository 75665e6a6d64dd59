package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * einsum(x...): the sum of products that attribute "equation" names, as numpy and ONNX's Einsum
 * read it: a comma-separated list of operand subscripts (letters, and "..." for the dimensions not
 * named, broadcast as numpy broadcasts), then optionally "->" and the output's subscripts; without
 * an output, the letters that appear once, in alphabetical order, after the "..." dimensions. A
 * letter repeated in one operand takes its diagonal; a letter absent from the output is summed.
 * Float inputs accumulate in double. The gradient of each operand is again an einsum: of the
 * upstream gradient with the other operands, times a ones vector for a letter only that operand
 * has and an identity matrix for a repeated letter.
 */
final class Einsum extends Op {
    /** Labels are numbered; these are the letters an equation may use, and the gradient's fresh labels. */
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    Einsum() {
        super("einsum", 1, Integer.MAX_VALUE);
    }

    /**
     * An equation resolved against the operands' shapes: each operand axis's label (the "..."
     * dimensions given labels of their own, and a broadcast dimension of size 1 a label of its own
     * that only it has), the output's labels, and every label's size (-1 when unknown).
     */
    static final class Spec {
        final int[][] in;
        final int[] out;
        final int[] size;

        private Spec(int[][] in, int[] out, int[] size) {
            this.in = in;
            this.out = out;
            this.size = size;
        }

        static Spec of(String op, String equation, Shape[] shapes) {
            String eq = equation.replace(" ", "");
            int arrow = eq.indexOf("->");
            String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
            String[] terms = lhs.split(",", -1);
            if (terms.length != shapes.length) {
                throw new ShapeException(op + ": equation '" + equation + "' names " + terms.length + " operands, got " + shapes.length);
            }
            // How many dimensions "..." stands for: the most any operand gives it.
            int ellipsis = 0;
            for (int t = 0; t < terms.length; t++) {
                int letters = letters(op, equation, terms[t]).length;
                if (terms[t].contains("...")) {
                    if (shapes[t].rank() < letters) throw rankError(op, equation, t, shapes[t]);
                    ellipsis = Math.max(ellipsis, shapes[t].rank() - letters);
                } else if (shapes[t].rank() != letters) {
                    throw rankError(op, equation, t, shapes[t]);
                }
            }
            // labels 0..51 are the letters, then the "..." dimensions, then broadcast ones
            List<Integer> sizes = new ArrayList<>();
            for (int i = 0; i < LETTERS.length() + ellipsis; i++) sizes.add(null);
            int[] count = new int[LETTERS.length()];
            int[][] in = new int[terms.length][];
            for (int t = 0; t < terms.length; t++) {
                in[t] = labels(terms[t], shapes[t].rank(), ellipsis);
                for (int a = 0; a < in[t].length; a++) if (in[t][a] < LETTERS.length()) count[in[t][a]]++;
            }
            // sizes: letters must agree; "..." dimensions broadcast
            for (int t = 0; t < terms.length; t++) {
                for (int a = 0; a < in[t].length; a++) {
                    int l = in[t][a], d = shapes[t].dim(a);
                    Integer known = sizes.get(l);
                    if (known == null || known == Shape.DYNAMIC || (l >= LETTERS.length() && known == 1)) sizes.set(l, d);
                    else if (d != Shape.DYNAMIC && d != known && !(l >= LETTERS.length() && d == 1)) {
                        throw new ShapeException(op + ": in '" + equation + "', " + describe(l) + " has size " + known + " in one operand and "
                                + d + " in operand " + t + " " + shapes[t]);
                    }
                }
            }
            for (int t = 0; t < terms.length; t++) {
                for (int a = 0; a < in[t].length; a++) {
                    int l = in[t][a];
                    if (l >= LETTERS.length() && shapes[t].dim(a) == 1 && sizes.get(l) != 1) {
                        in[t][a] = sizes.size();
                        sizes.add(1);
                    }
                }
            }
            int[] out;
            if (arrow < 0) {
                List<Integer> o = new ArrayList<>();
                for (int i = 0; i < ellipsis; i++) o.add(LETTERS.length() + i);
                // numpy's order: by character code, so capitals first
                for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray()) {
                    int l = LETTERS.indexOf(c);
                    if (count[l] == 1) o.add(l);
                }
                out = o.stream().mapToInt(Integer::intValue).toArray();
            } else {
                String rhs = eq.substring(arrow + 2);
                if (!rhs.contains("...") && ellipsis > 0) {
                    throw new ShapeException(op + ": in '" + equation + "', the operands have '...' dimensions that the output leaves out (numpy refuses this too)");
                }
                out = labels(rhs, letters(op, equation, rhs).length + (rhs.contains("...") ? ellipsis : 0), ellipsis);
                boolean[] seen = new boolean[sizes.size()];
                for (int l : out) {
                    if (seen[l]) throw new ShapeException(op + ": in '" + equation + "', the output names " + describe(l) + " twice");
                    seen[l] = true;
                    if (l < LETTERS.length() && count[l] == 0) {
                        throw new ShapeException(op + ": in '" + equation + "', the output names " + describe(l) + ", which no operand has");
                    }
                }
            }
            int[] size = new int[sizes.size()];
            for (int i = 0; i < size.length; i++) size[i] = sizes.get(i) == null ? 0 : sizes.get(i);
            return new Spec(in, out, size);
        }

        private static ShapeException rankError(String op, String equation, int t, Shape s) {
            return new ShapeException(op + ": in '" + equation + "', operand " + t + " " + s + " does not have the rank its subscripts name");
        }

        private static String describe(int label) {
            return label < LETTERS.length() ? "'" + LETTERS.charAt(label) + "'" : "a '...' dimension";
        }

        private static int[] letters(String op, String equation, String term) {
            String t = term.replace("...", "");
            int[] l = new int[t.length()];
            for (int i = 0; i < l.length; i++) {
                l[i] = LETTERS.indexOf(t.charAt(i));
                if (l[i] < 0) throw new ShapeException(op + ": equation '" + equation + "' has '" + t.charAt(i) + "'; subscripts are letters and '...'");
            }
            if (term.indexOf("...") != term.lastIndexOf("...")) throw new ShapeException(op + ": equation '" + equation + "' has '...' twice in one term");
            return l;
        }

        /** A term's labels for an operand of {@code rank}: its "..." takes the last of the {@code ellipsis} labels. */
        private static int[] labels(String term, int rank, int ellipsis) {
            int[] l = new int[rank];
            int dots = term.indexOf("...");
            String head = dots < 0 ? term : term.substring(0, dots), tail = dots < 0 ? "" : term.substring(dots + 3);
            int k = 0;
            for (char c : head.toCharArray()) l[k++] = LETTERS.indexOf(c);
            int span = rank - head.length() - tail.length();
            for (int i = 0; i < span; i++) l[k++] = LETTERS.length() + ellipsis - span + i;
            for (char c : tail.toCharArray()) l[k++] = LETTERS.indexOf(c);
            return l;
        }

        Shape outShape() {
            int[] d = new int[out.length];
            for (int i = 0; i < d.length; i++) d[i] = size[out[i]];
            return Shape.of(d);
        }
    }

    private String equation(Attrs attrs) {
        String eq = attrs.getString("equation", null);
        if (eq == null) throw new ShapeException(name() + ": attribute 'equation' is required");
        return eq;
    }

    private Spec spec(Attrs attrs, TensorType[] in) {
        Shape[] s = new Shape[in.length];
        for (int i = 0; i < in.length; i++) s[i] = in[i].shape();
        return Spec.of(name(), equation(attrs), s);
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        for (TensorType t : in) {
            Check.numeric(name(), t);
            Check.sameDType(name(), in[0], t);
        }
        return new TensorType[] {in[0].withShape(spec(attrs, in).outShape())};
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        TensorType[] types = new TensorType[in.length];
        for (int i = 0; i < in.length; i++) types[i] = in[i].type();
        Spec sp = spec(attrs, types);
        int m = sp.size.length, n = in.length;
        // The loop runs over the output's labels, then the summed ones (innermost).
        int[] order = new int[m];
        boolean[] placed = new boolean[m];
        int k = 0;
        for (int l : sp.out) {
            order[k++] = l;
            placed[l] = true;
        }
        for (int[] labels : sp.in) for (int l : labels) if (!placed[l]) {
            order[k++] = l;
            placed[l] = true;
        }
        int used = k;
        long[][] stride = new long[n][used];
        long[] outStride = new long[used];
        int[] pos = new int[m];
        for (int i = 0; i < used; i++) pos[order[i]] = i;
        for (int t = 0; t < n; t++) {
            int[] st = in[t].shape().strides();
            for (int a = 0; a < sp.in[t].length; a++) stride[t][pos[sp.in[t][a]]] += st[a];
        }
        int[] ost = out[0].shape().strides();
        for (int a = 0; a < sp.out.length; a++) outStride[pos[sp.out[a]]] = ost[a];
        int[] size = new int[used];
        long total = 1;
        for (int i = 0; i < used; i++) {
            size[i] = sp.size[order[i]];
            total *= size[i];
        }
        boolean integer = out[0].dtype() == DType.INT64;
        double[][] x = new double[n][];
        long[][] xi = new long[n][];
        for (int t = 0; t < n; t++) {
            if (integer) xi[t] = in[t].i64();
            else x[t] = doubles(in[t]);
        }
        int outSize = out[0].numel();
        double[] acc = integer ? null : new double[outSize];
        long[] iacc = integer ? new long[outSize] : null;
        int[] idx = new int[used];
        long[] off = new long[n];
        long oOff = 0;
        for (long step = 0; step < total; step++) {
            if (integer) {
                long p = 1;
                for (int t = 0; t < n; t++) p *= xi[t][(int) off[t]];
                iacc[(int) oOff] += p;
            } else {
                double p = 1;
                for (int t = 0; t < n; t++) p *= x[t][(int) off[t]];
                acc[(int) oOff] += p;
            }
            for (int i = used - 1; i >= 0; i--) {
                idx[i]++;
                for (int t = 0; t < n; t++) off[t] += stride[t][i];
                oOff += outStride[i];
                if (idx[i] < size[i]) break;
                for (int t = 0; t < n; t++) off[t] -= stride[t][i] * size[i];
                oOff -= outStride[i] * size[i];
                idx[i] = 0;
            }
        }
        for (int i = 0; i < outSize; i++) {
            if (integer) out[0].setLong(i, iacc[i]);
            else out[0].setDouble(i, acc[i]);
        }
    }

    /**
     * The elements as doubles: float64 storage itself (no copy), else each element read through the
     * tensor, so any number type and any storage does (Doubles.read takes heap float32 only, and
     * Tensor.toDoubleArray copies float64).
     */
    private static double[] doubles(Tensor t) {
        if (t.dtype() == DType.FLOAT64) return t.f64();
        double[] d = new double[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.readDouble(i);
        return d;
    }

    @Override
    public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gOut, boolean[] wanted) {
        TensorType[] types = new TensorType[in.size()];
        for (int i = 0; i < types.length; i++) types[i] = e.type(in.get(i));
        Spec sp = spec(attrs, types);
        DType dt = types[0].dtype();
        List<V> grads = new ArrayList<>();
        for (int k = 0; k < in.size(); k++) {
            if (!wanted[k]) {
                grads.add(null);
                continue;
            }
            List<V> operands = new ArrayList<>(List.of(gOut.get(0)));
            List<int[]> labels = new ArrayList<>(List.of(sp.out));
            boolean[] present = new boolean[sp.size.length];
            for (int l : sp.out) present[l] = true;
            for (int t = 0; t < in.size(); t++) {
                if (t == k) continue;
                operands.add(in.get(t));
                labels.add(sp.in[t]);
                for (int l : sp.in[t]) present[l] = true;
            }
            int[] result = new int[sp.in[k].length];
            boolean[] seen = new boolean[sp.size.length];
            int fresh = sp.size.length;
            for (int a = 0; a < result.length; a++) {
                int l = sp.in[k][a], d = sp.size[l];
                if (seen[l]) {
                    // a repeated label: the gradient lies on the diagonal
                    result[a] = fresh++;
                    operands.add(e.constant(eye(d, dt)));
                    labels.add(new int[] {l, result[a]});
                    continue;
                }
                seen[l] = true;
                result[a] = l;
                if (!present[l]) {
                    // summed from this operand alone: every element gets the same gradient
                    operands.add(e.constant(Tensor.ones(dt, d)));
                    labels.add(new int[] {l});
                }
            }
            StringBuilder eq = new StringBuilder();
            int[] letter = letterFor(labels, result);
            for (int i = 0; i < labels.size(); i++) {
                if (i > 0) eq.append(',');
                for (int l : labels.get(i)) eq.append(LETTERS.charAt(letter[l]));
            }
            eq.append("->");
            for (int l : result) eq.append(LETTERS.charAt(letter[l]));
            grads.add(e.one(this, Attrs.of("equation", eq.toString()), operands));
        }
        return grads;
    }

    /** A letter for each label the gradient's equation uses. */
    private static int[] letterFor(List<int[]> labels, int[] result) {
        int max = 0;
        for (int[] ls : labels) for (int l : ls) max = Math.max(max, l);
        for (int l : result) max = Math.max(max, l);
        int[] letter = new int[max + 1];
        Arrays.fill(letter, -1);
        int next = 0;
        for (int[] ls : labels) for (int l : ls) if (letter[l] < 0) letter[l] = next++;
        for (int l : result) if (letter[l] < 0) letter[l] = next++;
        if (next > LETTERS.length()) throw new ShapeException("einsum: the gradient needs more than 52 subscripts");
        return letter;
    }

    private static Tensor eye(int n, DType dt) {
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        Tensor t = Tensor.of(v, n, n);
        return dt == DType.FLOAT64 ? t : Immediate.global().cast(t, dt);
    }

    @Override
    public void toOnnx(ExportNode node, OnnxWriter out) {
        out.node("Einsum", node.inputs(), node.outputs(), "equation", node.attrs().getString("equation", ""));
    }

    @Override
    public Map<String, OnnxImportRule> fromOnnx() {
        return Map.of("Einsum", n -> List.of(n.emit().one(this, Attrs.of("equation", n.getString("equation", "")), n.inputs())));
    }
}
