package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loops for float32 chains that every training step of a dense network makes: relu's gradient and
 * Adam's update. {@link FusedElementwise} runs a chain op by op
 * over tiles (a pass over the tile per op); these loops compute the same float operations in the
 * same order per element, so the results are the chain's bits, with the intermediates in registers
 * (measured in benchmarks/RESULTS.md "CPU backend"). A chain that matches no template runs op by op
 * as before.
 *
 * <p>Templates are written as the chain prints: {@code "sub a b; mul #0 c"}: an op, then its
 * operands, a letter for a chain input (the same letter, the same input) and {@code #k} for the
 * k-th result.
 */
final class ChainLoops {
    /**
     * What a template's loop computes over elements [0, n): from input {@code in[at[i]]} for its
     * i-th letter, its j-th result into {@code out[res[j]]}. Full operands and results are read and
     * written from element {@code off} on, all with one index (the JIT vectorises a loop whose
     * arrays it cannot tell apart only then); a scalar letter's value is element 0 of its array.
     */
    private interface Body {
        void run(float[][] in, int[] at, float[][] out, int[] res, int off, int n);
    }

    private static final class Template {
        final String program;
        final String[][] instrs;
        final String letters, scalars;
        final int[] results;   // the results the body writes (#k), in the body's result-array order
        // Per result (body order): the letters of the inputs whose array it may be written into at
        // the same elements, because the body reads each such element before writing it there and
        // never again after. "*": every input.
        final String[] mayOverwrite;
        final Body body;

        Template(String program, String letters, String scalars, int[] results, String[] mayOverwrite, Body body) {
            this.program = program;
            String[] parts = program.split(";\\s*");
            instrs = new String[parts.length][];
            for (int i = 0; i < parts.length; i++) instrs[i] = parts[i].trim().split("\\s+");
            this.letters = letters;
            this.scalars = scalars;
            this.results = results;
            this.mayOverwrite = mayOverwrite;
            this.body = body;
        }
    }

    private static final Map<String, Op> OPS = Map.of("add", Ops.ADD, "sub", Ops.SUB, "mul", Ops.MUL, "div", Ops.DIV,
            "sqrt", Ops.SQRT, "relu", Ops.RELU, "greater", Ops.GREATER, "where", Ops.WHERE);

    private static final String RELU_GRADIENT = "greater a b; where #0 c d";

    private static final List<Template> TEMPLATES = List.of(
            // relu's gradient: where(x > t, g, t) (t the scalar 0). The choice is made on the bits, as
            // where's kernel makes it: a branch on relu's random mask mispredicts half the time.
            new Template(RELU_GRADIENT, "abcd", "", new int[] {1}, new String[] {"*"}, (x, at, r, res, o, n) -> {
                float[] a = x[at[0]], b = x[at[1]], c = x[at[2]], d = x[at[3]], y = r[res[0]];
                for (int i = o; i < o + n; i++) {
                    int m = -(a[i] > b[i] ? 1 : 0);
                    y[i] = Float.intBitsToFloat(Float.floatToRawIntBits(c[i]) & m | Float.floatToRawIntBits(d[i]) & ~m);
                }
            }),
            // Adam (core.optim.Adam.update): m' = m + (g - m) c; v' = v b + g k g;
            // p' = p + (s m') / (sqrt(v') / q + e), with c = 1 - beta1, k = 1 - beta2, s = -step size.
            // Three loops of one store each: the JIT vectorises those, not one loop storing three arrays.
            // A plan updates m, v and p in place: m' may be written over m, v' over v, p' over p, as
            // each loop reads such an element before writing it and no later loop reads it.
            new Template("sub g m; mul #0 c; add m #1; mul v b; mul g k; mul #4 g; add #3 #5; sqrt #6; div #7 q; add #8 e;"
                    + " mul s #2; div #10 #9; add p #11", "gmcvbkqesp", "cbkqes", new int[] {2, 6, 12}, new String[] {"m", "v", "p"},
                    (x, at, r, res, o, n) -> {
                float[] g = x[at[0]], m = x[at[1]], v = x[at[3]], p = x[at[9]], m1 = r[res[0]], v1 = r[res[1]], p1 = r[res[2]];
                float c = x[at[2]][0], b = x[at[4]][0], k = x[at[5]][0], q = x[at[6]][0], e = x[at[7]][0], s = x[at[8]][0];
                for (int i = o; i < o + n; i++) m1[i] = m[i] + (g[i] - m[i]) * c;
                for (int i = o; i < o + n; i++) v1[i] = v[i] * b + g[i] * k * g[i];
                for (int i = o; i < o + n; i++) p1[i] = p[i] + s * m1[i] / ((float) Math.sqrt(v1[i]) / q + e);
            }));

    /**
     * A matched loop: elements [off, off + n) of each full input's array (repeated operands
     * expanded to the output's size, or scalars: see {@link #scalarInput}) into elements
     * [off, off + n) of each output's array. An output's array may be an input's only where
     * {@link #mayOverwrite} says so.
     */
    static final class Loop {
        private final Body body;
        private final int[] bound, res;
        private final boolean[][] overwrite;
        private final boolean[] scalar;
        private final boolean reluGradient;

        private Loop(Template t, int[] bound, int[] res, int nIn) {
            this.body = t.body;
            this.bound = bound;
            this.res = res;
            // Output res[j] over input u: when result j may overwrite every letter bound to u.
            overwrite = new boolean[res.length][nIn];
            scalar = new boolean[nIn];
            java.util.Arrays.fill(scalar, true);
            for (int i = 0; i < bound.length; i++) scalar[bound[i]] &= t.scalars.indexOf(t.letters.charAt(i)) >= 0;
            for (int j = 0; j < res.length; j++) {
                String may = t.mayOverwrite[j];
                for (int u = 0; u < nIn; u++) {
                    boolean ok = true;
                    for (int i = 0; i < bound.length; i++) ok &= bound[i] != u || may.equals("*") || may.indexOf(t.letters.charAt(i)) >= 0;
                    overwrite[res[j]][u] = ok;
                }
            }
            reluGradient = t.program.equals(RELU_GRADIENT);
        }

        void run(float[][] in, float[][] out, int off, int n) {
            body.run(in, bound, out, res, off, n);
        }

        /** Whether input {@code j} is read only as a scalar: its value is element 0 of its array, whatever the offset. */
        boolean scalarInput(int j) {
            return scalar[j];
        }

        /** Whether output {@code k} may be written into input {@code j}'s array at the same elements. */
        boolean mayOverwrite(int k, int j) {
            return overwrite[k][j];
        }

        /** For relu's gradient where(a > b, c, d): the chain inputs bound to a, b, c and d; else null. */
        int[] selectInputs() {
            return reluGradient ? bound.clone() : null;
        }
    }

    /**
     * relu's gradient where(a > 0, c, d) on float32 bits held in ints ({@code d} the bits of a
     * scalar): the float loop's selection, element for element, on int arrays, which the JIT
     * vectorises (it does not vectorise the float loop's bit moves). {@code a > 0}, and
     * {@code a > -0}, hold for exactly the bits 1 to 0x7F800000: positive denormals, normals and
     * infinity, not zeros, negatives or NaNs. Arrays from element 0; y may be a or c.
     */
    static void reluGradientBits(int[] a, int[] c, int d, int[] y, int n) {
        for (int i = 0; i < n; i++) {
            int t = a[i] - 1;
            int m = ((t - 0x7F800000) & ~t) >> 31;
            y[i] = c[i] & m | d & ~m;
        }
    }

    private ChainLoops() {
    }

    /**
     * The loop for this chain, or null. {@code outputs} are the chain's output value numbers
     * (inputs first, then results); every input and output must be float32.
     */
    static Loop match(List<FusedElementwise.Instr> program, TensorType[] inTypes, int[] period, int[] outputs) {
        int nIn = inTypes.length;
        for (TensorType t : inTypes) if (t.dtype() != DType.FLOAT32) return null;
        for (Template t : TEMPLATES) {
            int[] bound = bind(t, program, nIn);
            if (bound == null) continue;
            boolean scalarsOk = true;
            for (char c : t.scalars.toCharArray()) scalarsOk &= period[bound[t.letters.indexOf(c)]] == 1;
            if (!scalarsOk) continue;
            // Each output must be a result the body writes; its slot in the body's results.
            int[] slot = new int[outputs.length];
            boolean ok = true;
            for (int k = 0; k < outputs.length && ok; k++) {
                slot[k] = -1;
                for (int j = 0; j < t.results.length; j++) if (t.results[j] == outputs[k] - nIn) slot[k] = j;
                ok = slot[k] >= 0;
            }
            // Every result an output of its own: the loops write them all.
            if (!ok || outputs.length != t.results.length || java.util.Arrays.stream(slot).distinct().count() != slot.length) continue;
            int[] res = new int[outputs.length];
            for (int k = 0; k < slot.length; k++) res[slot[k]] = k;
            return new Loop(t, bound, res, nIn);
        }
        return null;
    }

    // The chain input bound to each letter of the template, or null when the program differs.
    private static int[] bind(Template t, List<FusedElementwise.Instr> program, int nIn) {
        if (program.size() != t.instrs.length) return null;
        Map<Character, Integer> letter = new HashMap<>();
        for (int k = 0; k < t.instrs.length; k++) {
            String[] ins = t.instrs[k];
            FusedElementwise.Instr got = program.get(k);
            int[] src = got.sources();
            if (got.op() != OPS.get(ins[0]) || src.length != ins.length - 1 || !got.attrs().keys().isEmpty()) return null;
            for (int i = 0; i < src.length; i++) {
                String want = ins[i + 1];
                if (want.startsWith("#")) {
                    if (src[i] != nIn + Integer.parseInt(want.substring(1))) return null;
                    continue;
                }
                char c = want.charAt(0);
                if (src[i] >= nIn) return null;
                // Two letters may name one input (relu's gradient uses its 0 twice).
                Integer had = letter.putIfAbsent(c, src[i]);
                if (had != null && had != src[i]) return null;
            }
        }
        if (letter.size() != t.letters.length() || new java.util.HashSet<>(letter.values()).size() != nIn) return null;
        int[] bound = new int[t.letters.length()];
        for (int i = 0; i < bound.length; i++) bound[i] = letter.get(t.letters.charAt(i));
        return bound;
    }
}
