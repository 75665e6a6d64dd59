package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.core.ops.Window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The JavaScript kernel of each op a compiled inference plan may hold, written for one node with
 * its shapes as literals. Each computes what the op's Java kernel computes, in the same precision:
 * float32 results are stored to Float32Arrays; what Janus accumulates in double (softmax,
 * normalisation, pooling, recurrent cells, reductions) is accumulated in JS numbers, which are
 * doubles. Matrix products and convolutions sum in double where OpenBLAS sums in float, which puts
 * them within float rounding of Janus, not bit for bit.
 */
final class JsKernels {
    private interface Kernel {
        void emit(JsStep s);
    }

    private static final Map<Op, Kernel> KERNELS = new LinkedHashMap<>();

    static {
        KERNELS.put(Ops.MATMUL, JsKernels::matmul);
        KERNELS.put(Ops.LINEAR, JsKernels::linear);
        KERNELS.put(Ops.CONV, JsKernels::conv);
        KERNELS.put(Ops.MAX_POOL, JsKernels::maxPool);
        KERNELS.put(Ops.AVG_POOL, JsKernels::avgPool);
        KERNELS.put(Ops.BATCH_NORM, JsKernels::batchNorm);
        KERNELS.put(Ops.LAYER_NORM, JsKernels::layerNorm);
        KERNELS.put(Ops.SOFTMAX, JsKernels::softmax);
        KERNELS.put(Ops.LOG_SOFTMAX, JsKernels::softmax);
        KERNELS.put(Ops.LSTM, JsKernels::lstm);
        KERNELS.put(Ops.GRU, JsKernels::gru);
        for (Op op : List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN)) KERNELS.put(op, JsKernels::reduce);
        KERNELS.put(Ops.ARGMAX, JsKernels::argmax);
        for (Op op : List.of(Ops.RESHAPE, Ops.TRANSPOSE, Ops.EXPAND, Ops.SLICE)) KERNELS.put(op, JsKernels::movement);
        KERNELS.put(Ops.CONCAT, JsKernels::concat);
        KERNELS.put(Ops.GATHER, JsKernels::gather);
        KERNELS.put(Ops.ONE_HOT, JsKernels::oneHot);
    }

    private JsKernels() {
    }

    /** Writes the node's kernel into {@code s.code}, or fails naming the op. */
    static void emit(JsStep s) {
        Op op = s.node.op();
        if (op.isElementwise()) {
            elementwise(s);
            return;
        }
        Kernel k = KERNELS.get(op);
        if (k == null) {
            TreeSet<String> known = new TreeSet<>();
            for (Op o : KERNELS.keySet()) known.add(o.name());
            known.add("the elementwise ops");
            throw new JanusException("JavaScript export: " + s.describe() + ": op '" + op.name()
                    + "' has no JavaScript kernel (the generator covers " + String.join(", ", known) + ")");
        }
        k.emit(s);
    }

    // ------------------------------------------------------------ elementwise, fused or single

    private static void elementwise(JsStep s) {
        Op op = s.node.op();
        int nIn = s.inputCount();
        List<FusedElementwise.Instr> program;
        int[] outputs;
        if (op instanceof FusedElementwise) {
            program = ((FusedElementwise) op).program();
            outputs = ((FusedElementwise) op).outputValues();
        } else {
            int[] src = new int[nIn];
            for (int i = 0; i < nIn; i++) src[i] = i;
            program = List.of(new FusedElementwise.Instr(op, s.attrs(), src));
            outputs = new int[] {nIn};
        }
        DType[] types = new DType[nIn + program.size()];
        for (int i = 0; i < nIn; i++) types[i] = s.inType(i);
        List<JsElementwise.Step> steps = new ArrayList<>();
        for (int k = 0; k < program.size(); k++) {
            FusedElementwise.Instr ins = program.get(k);
            DType[] argTypes = new DType[ins.src.length];
            TensorType[] scalars = new TensorType[ins.src.length];
            for (int i = 0; i < argTypes.length; i++) {
                argTypes[i] = types[ins.src[i]];
                scalars[i] = new TensorType(argTypes[i], Shape.scalar());
            }
            types[nIn + k] = ins.op.infer(scalars, ins.attrs)[0].dtype();
            steps.add(new JsElementwise.Step(ins.op, ins.attrs, argTypes, types[nIn + k]));
        }
        for (JsElementwise.Step step : steps) {
            String why = JsElementwise.unwritable(step);
            if (why != null) throw new JanusException("JavaScript export: " + s.describe() + ": " + why);
        }
        Shape out = s.outShape(0);
        List<JsElementwise.Operand> operands = new ArrayList<>();
        for (int i = 0; i < nIn; i++) operands.add(JsElementwise.Operand.broadcast(s.in(i), s.inShape(i), out));
        JsElementwise.loop(s.code, out, operands, (c, values, o) -> {
            String[] v = new String[types.length];
            System.arraycopy(values, 0, v, 0, nIn);
            for (int k = 0; k < program.size(); k++) {
                int[] src = program.get(k).src;
                String[] args = new String[src.length];
                for (int i = 0; i < src.length; i++) args[i] = v[src[i]];
                v[nIn + k] = "t" + k;
                c.line("const t" + k + " = " + JsElementwise.expr(steps.get(k), args, s.helpers()) + ";");
            }
            for (int j = 0; j < outputs.length; j++) c.line(s.out(j) + "[" + o + "] = " + v[outputs[j]] + ";");
        });
    }

    // ------------------------------------------------------------ products

    /** Row-major [rows, cols] offsets of each matrix of a batch broadcast over {@code batch}. */
    private static int[] batchOffsets(Shape batch, Shape own, int matrix) {
        int count = batch.size();
        int[] offsets = new int[count];
        JsElementwise.Operand o = JsElementwise.Operand.broadcast("", own, batch);
        for (int b = 0, rest; b < count; b++) {
            rest = b;
            int off = 0;
            for (int k = batch.rank() - 1; k >= 0; k--) {
                off += (rest % batch.dim(k)) * o.strides[k];
                rest /= batch.dim(k);
            }
            offsets[b] = off * matrix;
        }
        return offsets;
    }

    /**
     * Adds a dot product of length k, a[ai + z * aStep] * b[bi + z * bStep], to the JS variable
     * {@code acc} (declared by the caller with its starting value). Long contiguous ones run four
     * sums side by side, which breaks the chain of dependent adds (about twice as fast in V8).
     */
    private static void dot(JsCode c, String acc, String a, String ai, int aStep, String b, String bi, int bStep, int k) {
        if (k < 8 || aStep != 1 || bStep != 1) {
            c.line("for (let z = 0; z < " + k + "; z++) " + acc + " += " + a + "[" + JsCode.index(ai, "z", aStep) + "] * "
                    + b + "[" + JsCode.index(bi, "z", bStep) + "];");
            return;
        }
        c.openBlock();
        c.line("let u1 = 0, u2 = 0, u3 = 0, z = 0;");
        c.open("for (; z < " + (k - 3) + "; z += 4)");
        c.line(acc + " += " + a + "[" + ai + " + z] * " + b + "[" + bi + " + z];");
        for (int u = 1; u < 4; u++) c.line("u" + u + " += " + a + "[" + ai + " + z + " + u + "] * " + b + "[" + bi + " + z + " + u + "];");
        c.close();
        c.line("for (; z < " + k + "; z++) " + acc + " += " + a + "[" + ai + " + z] * " + b + "[" + bi + " + z];");
        c.line(acc + " += u1 + u2 + u3;");
        c.close();
    }

    /**
     * The dot products of one row, a[aBase + z] for z in [0, k), with {@code count} rows of b, row j
     * at bFirst + j k: sum j starts at {@code start.apply(j)} and is stored by {@code store}. Four
     * rows go together so each element of a is loaded once for four products (loads, not
     * multiplications, bound these loops in V8: measured 1.5x over one row at a time). Each sum
     * still adds its terms in order.
     */
    private static void dotRows(JsCode c, String a, String aBase, String b, String bFirst, int k, int count,
                                Function<String, String> start, BiFunction<String, String, String> store) {
        c.openBlock();
        c.line("let j = 0;");
        if (count >= 4) {
            c.open("for (; j < " + (count - 3) + "; j += 4)");
            c.line("const r = " + JsCode.index(bFirst, "j", k) + ";");
            c.line("let s0 = " + start.apply("j") + ", s1 = " + start.apply("j + 1") + ", s2 = " + start.apply("j + 2") + ", s3 = "
                    + start.apply("j + 3") + ";");
            c.open("for (let z = 0; z < " + k + "; z++)");
            c.line("const v = " + a + "[" + JsCode.index(aBase, "z", 1) + "];");
            c.line("s0 += " + b + "[r + z] * v;");
            for (int u = 1; u < 4; u++) c.line("s" + u + " += " + b + "[r + " + u * k + " + z] * v;");
            c.close();
            c.line(store.apply("j", "s0") + " " + store.apply("j + 1", "s1") + " " + store.apply("j + 2", "s2") + " " + store.apply("j + 3", "s3"));
            c.close();
        }
        c.open("for (; j < " + count + "; j++)");
        c.line("let s0 = " + start.apply("j") + ";");
        c.line("const r = " + JsCode.index(bFirst, "j", k) + ";");
        c.line("for (let z = 0; z < " + k + "; z++) s0 += " + a + "[" + JsCode.index(aBase, "z", 1) + "] * " + b + "[r + z];");
        c.line(store.apply("j", "s0"));
        c.close();
        c.close();
    }

    private static void matmul(JsStep s) {
        Shape a = s.inShape(0), b = s.inShape(1), out = s.outShape(0);
        boolean ta = s.attrs().getBool("transA", false), tb = s.attrs().getBool("transB", false);
        int m = out.dim(-2), n = out.dim(-1), k = a.dim(ta ? -2 : -1);
        Shape batch = out.sub(0, out.rank() - 2);
        int count = batch.size();
        String bName;
        Tensor bConst = s.constant(1);
        if (bConst != null && !tb && b.rank() == 2) {
            // A weight read column by column is embedded transposed, so both operands of each dot run contiguously.
            bName = s.addConstant(transposeLastTwo(bConst), s.constantName(1) + ", transposed");
            tb = true;
        } else {
            bName = s.in(1);
        }
        int aRow = ta ? 1 : k, aStep = ta ? m : 1, bCol = tb ? k : 1, bStep = tb ? 1 : n;
        JsCode c = s.code;
        String ao = "0", bo = "0", co = "0";
        if (count > 1) {
            c.line("const AO = " + JsCode.ints(batchOffsets(batch, a.sub(0, a.rank() - 2), m * k)) + ", BO = "
                    + JsCode.ints(batchOffsets(batch, b.sub(0, b.rank() - 2), k * n)) + ";");
            c.open("for (let q = 0; q < " + count + "; q++)");
            c.line("const ao = AO[q], bo = BO[q], co = q * " + m * n + ";");
            ao = "ao";
            bo = "bo";
            co = "co";
        }
        c.open("for (let i = 0; i < " + m + "; i++)");
        c.line("const ai = " + JsCode.index(ao, "i", aRow) + ", ci = " + JsCode.index(co, "i", n) + ";");
        String y = s.out(0);
        if (!ta && tb) {
            dotRows(c, s.in(0), "ai", bName, bo, k, n, j -> "0", (j, v) -> y + "[ci + " + j + "] = " + v + ";");
        } else {
            c.open("for (let j = 0; j < " + n + "; j++)");
            c.line("const bj = " + JsCode.index(bo, "j", bCol) + ";");
            c.line("let acc = 0;");
            dot(c, "acc", s.in(0), "ai", aStep, bName, "bj", bStep, k);
            c.line(y + "[ci + j] = acc;");
            c.close();
        }
        c.close();
        if (count > 1) c.close();
    }

    private static Tensor transposeLastTwo(Tensor t) {
        int r = t.rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return Ops.TRANSPOSE.run(new ExecContext(new Generator(0)), Attrs.of("perm", perm), t)[0];
    }

    /** linear(x, w[, b]) = x w^T + b: each output is a dot of an input row with a weight row. */
    private static void linear(JsStep s) {
        Shape w = s.inShape(1);
        int n = w.dim(0), k = w.dim(1), m = s.inShape(0).size() / Math.max(1, k);
        JsCode c = s.code;
        String bias = s.inputCount() == 3 ? s.in(2) : null, y = s.out(0);
        c.open("for (let i = 0; i < " + m + "; i++)");
        c.line("const xi = i * " + k + ", yi = i * " + n + ";");
        dotRows(c, s.in(0), "xi", s.in(1), "0", k, n, j -> bias == null ? "0" : bias + "[" + j + "]", (j, v) -> y + "[yi + " + j + "] = " + v + ";");
        c.close();
    }

    // ------------------------------------------------------------ convolution and pooling

    /** {@code lo} and {@code hi}: the kernel taps t in [0, k) whose position start + t * d lies in [from, to). */
    private static String taps(String lo, String hi, String start, int d, int k, String from, String to) {
        return "const " + lo + " = " + start + " < " + from + " ? Math.ceil((" + from + " - " + start + ") / " + d + ") : 0, "
                + hi + " = Math.min(" + k + ", Math.floor((" + to + " - 1 - " + start + ") / " + d + ") + 1);";
    }

    /**
     * Per image and group, the input's windows are unfolded into rows of a scratch array (im2col,
     * as Janus's kernel does, padding as zeros), then each output is a bias plus one contiguous dot
     * product of a window with a filter.
     */
    private static void conv(JsStep s) {
        Shape x = s.inShape(0), w = s.inShape(1);
        Window g = Window.of("conv", x, w.sub(2, w.rank()).dims(), s.attrs(), false);
        int groups = s.attrs().getInt("group", 1), batch = x.dim(0), channels = x.dim(1), filters = w.dim(0);
        int cg = channels / groups, mg = filters / groups, plane = g.ih * g.iw, taps = g.kh * g.kw, ck = cg * taps, os = g.oh * g.ow;
        String xs = s.in(0), ws = s.in(1), y = s.out(0), col = s.scratch(s.inType(0), os * ck);
        JsCode c = s.code;
        c.open("for (let n = 0; n < " + batch + "; n++)");
        c.open("for (let gi = 0; gi < " + groups + "; gi++)");
        c.line("const xg = (n * " + channels + " + gi * " + cg + ") * " + plane + ";");
        c.open("for (let ch = 0; ch < " + cg + "; ch++)");
        c.open("for (let ky = 0; ky < " + g.kh + "; ky++)");
        c.open("for (let kx = 0; kx < " + g.kw + "; kx++)");
        c.line("const q = (ch * " + g.kh + " + ky) * " + g.kw + " + kx, xc = xg + ch * " + plane + ";");
        c.open("for (let oy = 0; oy < " + g.oh + "; oy++)");
        c.line("const iy = oy * " + g.sh + " - " + g.ph + " + ky * " + g.dh + ", at = oy * " + g.ow * ck + " + q;");
        c.open("if (iy < 0 || iy >= " + g.ih + ")");
        c.line("for (let ox = 0; ox < " + g.ow + "; ox++) " + col + "[at + ox * " + ck + "] = 0;");
        c.line("continue;");
        c.close();
        c.line("const xr = xc + iy * " + g.iw + ";");
        c.open("for (let ox = 0; ox < " + g.ow + "; ox++)");
        c.line("const ix = ox * " + g.sw + " - " + g.pw + " + kx * " + g.dw + ";");
        c.line(col + "[at + ox * " + ck + "] = ix >= 0 && ix < " + g.iw + " ? " + xs + "[xr + ix] : 0;");
        c.close().close().close().close().close();
        String bias = s.inputCount() == 3 ? s.in(2) : null;
        c.line("const m0 = gi * " + mg + ", y0 = (n * " + filters + " + m0) * " + os + ";");
        c.open("for (let p = 0; p < " + os + "; p++)");
        dotRows(c, col, "p * " + ck, ws, "m0 * " + ck, ck, mg, j -> bias == null ? "0" : bias + "[m0 + " + j + "]",
                (j, v) -> y + "[y0 + (" + j + ") * " + os + " + p] = " + v + ";");
        c.close().close().close();
    }

    private static Window poolWindow(JsStep s) {
        return Window.of(s.node.op().name(), s.inShape(0), s.attrs().getInts("kernel_shape"), s.attrs(), true);
    }

    /**
     * Opens the loops over planes (p), output rows (oy) and columns (ox, with o the output index),
     * and declares each window's taps inside the input, [kyLo, kyHi) x [kxLo, kxHi), and with
     * {@code padded} also inside the padded input, [cyLo, cyHi) x [cxLo, cxHi). Close three levels.
     */
    private static void openPoolWindows(JsStep s, Window g, boolean padded) {
        Shape x = s.inShape(0);
        JsCode c = s.code;
        c.line("let o = 0;");
        c.open("for (let p = 0; p < " + x.dim(0) * x.dim(1) + "; p++)");
        c.line("const plane = p * " + g.ih * g.iw + ";");
        c.open("for (let oy = 0; oy < " + g.oh + "; oy++)");
        c.line("const y0 = oy * " + g.sh + " - " + g.ph + ";");
        c.line(taps("kyLo", "kyHi", "y0", g.dh, g.kh, "0", Integer.toString(g.ih)));
        if (padded) c.line(taps("cyLo", "cyHi", "y0", g.dh, g.kh, Integer.toString(-g.ph), Integer.toString(g.ih + g.phEnd)));
        c.open("for (let ox = 0; ox < " + g.ow + "; ox++, o++)");
        c.line("const x0 = ox * " + g.sw + " - " + g.pw + ";");
        c.line(taps("kxLo", "kxHi", "x0", g.dw, g.kw, "0", Integer.toString(g.iw)));
        if (padded) c.line(taps("cxLo", "cxHi", "x0", g.dw, g.kw, Integer.toString(-g.pw), Integer.toString(g.iw + g.pwEnd)));
    }

    /** The first largest value of each window (a NaN wins), and its flat index when a later node reads it. */
    private static void maxPool(JsStep s) {
        Window g = poolWindow(s);
        boolean indices = s.outputUsed(1);
        String xs = s.in(0), y = s.out(0), idx = s.out(1);
        JsCode c = s.code;
        openPoolWindows(s, g, false);
        c.open("if (kyLo >= kyHi || kxLo >= kxHi)");
        c.line(y + "[o] = NaN;");
        if (indices) c.line(idx + "[o] = -1;");
        c.line("continue;");
        c.close();
        c.line("let at = plane + (y0 + kyLo * " + g.dh + ") * " + g.iw + " + x0 + kxLo * " + g.dw + ", best = " + xs + "[at];");
        c.open("for (let ky = kyLo; ky < kyHi; ky++)");
        c.line("const row = plane + (y0 + ky * " + g.dh + ") * " + g.iw + " + x0;");
        c.open("for (let kx = kxLo; kx < kxHi; kx++)");
        c.line("const i = " + JsCode.index("row", "kx", g.dw) + ", v = " + xs + "[i];");
        c.open("if (v > best || (v !== v && best === best))");
        c.line("best = v;");
        c.line("at = i;");
        c.close().close().close();
        c.line(y + "[o] = best;");
        if (indices) c.line(idx + "[o] = at;");
        c.close().close().close();
    }

    /**
     * The mean of each window, divided by the taps inside the input, or (count_include_pad) inside
     * the padded input; positions past the end padding never count.
     */
    private static void avgPool(JsStep s) {
        Window g = poolWindow(s);
        boolean include = Window.flag(s.attrs(), "count_include_pad");
        String xs = s.in(0), y = s.out(0);
        JsCode c = s.code;
        openPoolWindows(s, g, include);
        c.line("let acc = 0;");
        c.open("for (let ky = kyLo; ky < kyHi; ky++)");
        c.line("const row = plane + (y0 + ky * " + g.dh + ") * " + g.iw + " + x0;");
        c.line("for (let kx = kxLo; kx < kxHi; kx++) acc += " + xs + "[" + JsCode.index("row", "kx", g.dw) + "];");
        c.close();
        String count = include ? "(Math.max(0, cyHi - cyLo) * Math.max(0, cxHi - cxLo))" : "(Math.max(0, kyHi - kyLo) * Math.max(0, kxHi - kxLo))";
        c.line(y + "[o] = acc * (1 / " + count + ");");
        c.close().close().close();
    }

    // ------------------------------------------------------------ normalisation and softmax

    /** (x - mean) / sqrt(var + epsilon) * scale + bias per channel, as x * a + b with a and b per channel. */
    private static void batchNorm(JsStep s) {
        Shape x = s.inShape(0);
        int n = x.dim(0), ch = x.dim(1), inner = x.size(2, x.rank());
        String a = s.scratch(DType.FLOAT64, ch), b = s.scratch(DType.FLOAT64, ch);
        JsCode c = s.code;
        c.open("for (let k = 0; k < " + ch + "; k++)");
        c.line(a + "[k] = " + s.in(1) + "[k] / Math.sqrt(" + s.in(4) + "[k] + " + JsCode.num(s.attrs().getDouble("epsilon", 1e-5)) + ");");
        c.line(b + "[k] = " + s.in(2) + "[k] - " + s.in(3) + "[k] * " + a + "[k];");
        c.close();
        c.open("for (let i = 0; i < " + n + "; i++)");
        c.open("for (let k = 0; k < " + ch + "; k++)");
        c.line("const p = (i * " + ch + " + k) * " + inner + ", ak = " + a + "[k], bk = " + b + "[k];");
        c.line("for (let j = 0; j < " + inner + "; j++) " + s.out(0) + "[p + j] = " + s.in(0) + "[p + j] * ak + bk;");
        c.close().close();
    }

    private static void layerNorm(JsStep s) {
        Shape x = s.inShape(0);
        int axis = x.axis(s.attrs().getInt("axis", -1), "layer_norm"), d = x.size(axis, x.rank()), rows = x.size(0, axis);
        String xs = s.in(0), scale = s.in(1), y = s.out(0);
        JsCode c = s.code;
        c.open("for (let r = 0; r < " + rows + "; r++)");
        c.line("const p = r * " + d + ";");
        c.line("let mean = 0, v = 0;");
        c.line("for (let j = 0; j < " + d + "; j++) mean += " + xs + "[p + j];");
        c.line("mean /= " + d + ";");
        c.line("for (let j = 0; j < " + d + "; j++) v += (" + xs + "[p + j] - mean) * (" + xs + "[p + j] - mean);");
        c.line("const inv = 1 / Math.sqrt(v / " + d + " + " + JsCode.num(s.attrs().getDouble("epsilon", 1e-5)) + ");");
        c.line("for (let j = 0; j < " + d + "; j++) " + y + "[p + j] = (" + xs + "[p + j] - mean) * inv * " + scale + "[j]"
                + (s.inputCount() == 3 ? " + " + s.in(2) + "[j]" : " + 0") + ";");
        c.close();
    }

    /** softmax and log_softmax over one axis, with the largest value subtracted first. */
    private static void softmax(JsStep s) {
        Shape x = s.inShape(0);
        boolean log = s.node.op() == Ops.LOG_SOFTMAX;
        int axis = x.axis(s.attrs().getInt("axis", -1), s.node.op().name());
        int n = x.dim(axis), inner = x.size(axis + 1, x.rank()), outer = x.size(0, axis);
        String xs = s.in(0), y = s.out(0), at = JsCode.index("q", "j", inner);
        JsCode c = s.code;
        c.open("for (let r = 0; r < " + outer * inner + "; r++)");
        c.line("const q = " + (inner == 1 ? "r * " + n : "((r / " + inner + ") | 0) * " + n * inner + " + r % " + inner) + ";");
        c.line("let m = -Infinity, sum = 0;");
        c.line("for (let j = 0; j < " + n + "; j++) m = Math.max(m, " + xs + "[" + at + "]);");
        c.line("for (let j = 0; j < " + n + "; j++) sum += Math.exp(" + xs + "[" + at + "] - m);");
        if (log) c.line("const logSum = Math.log(sum);");
        c.line("for (let j = 0; j < " + n + "; j++) " + y + "[" + at + "] = " + (log ? xs + "[" + at + "] - m - logSum" : "Math.exp(" + xs + "[" + at + "] - m) / sum") + ";");
        c.close();
    }

    // ------------------------------------------------------------ recurrent layers

    /** What an LSTM and a GRU share: sizes, x W^T + Wb for every step, the direction loop and the initial states. */
    private static final class Rnn {
        final int t, n, in, dirs, h, gh;
        final boolean reverse;
        final JsCode c;
        final String xw;

        Rnn(JsStep s, int gates) {
            Shape x = s.inShape(0), r = s.inShape(2);
            t = x.dim(0);
            n = x.dim(1);
            in = x.dim(2);
            dirs = r.dim(0);
            h = r.dim(2);
            gh = gates * h;
            reverse = s.attrs().getString("direction", "forward").equals("reverse");
            c = s.code;
            xw = s.scratch(DType.FLOAT64, t * n * gh);
        }

        /** Opens the loop over directions and writes x W^T + Wb of this direction into xw. */
        void openDirection(JsStep s) {
            c.open("for (let d = 0; d < " + dirs + "; d++)");
            String b = s.in(3);
            c.open("for (let row = 0; row < " + t * n + "; row++)");
            dotRows(c, s.in(0), "row * " + in, s.in(1), "d * " + gh * in, in, gh, g -> b + "[d * " + 2 * gh + " + " + g + "]",
                    (g, v) -> xw + "[row * " + gh + " + " + g + "] = " + v + ";");
            c.close();
        }

        /** Sets a state array [N, H] to this direction's initial state (input {@code input}) or zeros. */
        void initial(JsStep s, String state, int input) {
            if (s.inputCount() > input) c.line("for (let k = 0; k < " + n * h + "; k++) " + state + "[k] = " + s.in(input) + "[d * " + n * h + " + k];");
            else c.line(state + ".fill(0);");
        }

        /** Opens the loop over time steps (backwards for the reverse direction); declares t. */
        void openSteps() {
            c.open("for (let step = 0; step < " + t + "; step++)");
            c.line("const t = " + (dirs == 2 ? "d === 1" : Boolean.toString(reverse)) + " ? " + (t - 1) + " - step : step;");
        }

        /** a[row, g] = Rb[g] + state[row] . R[g] for g in [0, cols), R and Rb of direction d. */
        void recurrent(JsStep s, String a, String state, int cols, int firstGate) {
            String b = s.in(3);
            c.open("for (let row = 0; row < " + n + "; row++)");
            dotRows(c, state, "row * " + h, s.in(2), "(d * " + gh + " + " + firstGate + ") * " + h, h, cols,
                    g -> b + "[d * " + 2 * gh + " + " + (gh + firstGate) + " + " + g + "]", (g, v) -> a + "[row * " + cols + " + " + g + "] = " + v + ";");
            c.close();
        }

        /** Copies a state [N, H] into Y [T, D, N, H] at step t, unless nothing reads Y (a classifier of the last state). */
        void output(JsStep s, String state) {
            if (!s.outputUsed(0)) return;
            c.line("for (let k = 0; k < " + n * h + "; k++) " + s.out(0) + "[(t * " + dirs + " + d) * " + n * h + " + k] = " + state + "[k];");
        }

        void finalState(JsStep s, int output, String state) {
            if (!s.outputUsed(output)) return;
            c.line("for (let k = 0; k < " + n * h + "; k++) " + s.out(output) + "[d * " + n * h + " + k] = " + state + "[k];");
        }
    }

    /** ONNX's LSTM (gates i, o, f, c), in double as Janus's kernel. */
    private static void lstm(JsStep s) {
        Rnn r = new Rnn(s, 4);
        int h = r.h, gh = r.gh;
        String hs = s.scratch(DType.FLOAT64, r.n * h), cs = s.scratch(DType.FLOAT64, r.n * h), a = s.scratch(DType.FLOAT64, r.n * gh);
        JsCode c = r.c;
        r.openDirection(s);
        r.initial(s, hs, 4);
        r.initial(s, cs, 5);
        r.openSteps();
        r.recurrent(s, a, hs, gh, 0);
        c.open("for (let row = 0; row < " + r.n + "; row++)");
        c.line("const p = row * " + gh + ", q = (t * " + r.n + " + row) * " + gh + ";");
        c.open("for (let j = 0; j < " + h + "; j++)");
        c.line("const i = 1 / (1 + Math.exp(-(" + a + "[p + j] + " + r.xw + "[q + j])));");
        c.line("const o = 1 / (1 + Math.exp(-(" + a + "[p + " + h + " + j] + " + r.xw + "[q + " + h + " + j])));");
        c.line("const f = 1 / (1 + Math.exp(-(" + a + "[p + " + 2 * h + " + j] + " + r.xw + "[q + " + 2 * h + " + j])));");
        c.line("const g = Math.tanh(" + a + "[p + " + 3 * h + " + j] + " + r.xw + "[q + " + 3 * h + " + j]);");
        c.line("const k = row * " + h + " + j, cell = f * " + cs + "[k] + i * g;");
        c.line(cs + "[k] = cell;");
        c.line(hs + "[k] = o * Math.tanh(cell);");
        c.close().close();
        r.output(s, hs);
        c.close();
        r.finalState(s, 1, hs);
        r.finalState(s, 2, cs);
        c.close();
    }

    /** ONNX's GRU (gates z, r, h), either linear_before_reset, in double as Janus's kernel. */
    private static void gru(JsStep s) {
        Rnn r = new Rnn(s, 3);
        int h = r.h, n = r.n;
        boolean linearFirst = s.attrs().getInt("linear_before_reset", 0) != 0;
        int cols = linearFirst ? r.gh : 2 * h;
        String hs = s.scratch(DType.FLOAT64, n * h), a = s.scratch(DType.FLOAT64, n * cols), z = s.scratch(DType.FLOAT64, n * h);
        String reset = s.scratch(DType.FLOAT64, n * h), cand = s.scratch(DType.FLOAT64, n * h);
        JsCode c = r.c;
        r.openDirection(s);
        r.initial(s, hs, 4);
        r.openSteps();
        r.recurrent(s, a, hs, cols, 0);
        c.open("for (let row = 0; row < " + n + "; row++)");
        c.line("const p = row * " + cols + ", q = (t * " + n + " + row) * " + r.gh + ";");
        c.open("for (let j = 0; j < " + h + "; j++)");
        c.line(z + "[row * " + h + " + j] = 1 / (1 + Math.exp(-(" + a + "[p + j] + " + r.xw + "[q + j])));");
        c.line(reset + "[row * " + h + " + j] = 1 / (1 + Math.exp(-(" + a + "[p + " + h + " + j] + " + r.xw + "[q + " + h + " + j])));");
        if (linearFirst) c.line(cand + "[row * " + h + " + j] = " + reset + "[row * " + h + " + j] * " + a + "[p + " + 2 * h + " + j];");
        c.close().close();
        if (!linearFirst) {
            // The candidate's recurrent product reads reset * h: (r h) R_h^T + Rb_h, before h changes.
            String rh = s.scratch(DType.FLOAT64, n * h);
            c.line("for (let k = 0; k < " + n * h + "; k++) " + rh + "[k] = " + reset + "[k] * " + hs + "[k];");
            r.recurrent(s, cand, rh, h, 2 * h);
        }
        c.open("for (let row = 0; row < " + n + "; row++)");
        c.open("for (let j = 0; j < " + h + "; j++)");
        c.line("const k = row * " + h + " + j;");
        c.line("const g = Math.tanh(" + r.xw + "[(t * " + n + " + row) * " + r.gh + " + " + 2 * h + " + j] + " + cand + "[k]);");
        c.line(hs + "[k] = (1 - " + z + "[k]) * g + " + z + "[k] * " + hs + "[k];");
        c.close().close();
        r.output(s, hs);
        c.close();
        r.finalState(s, 1, hs);
        c.close();
    }

    // ------------------------------------------------------------ reductions

    /** Loops over every index of {@code dims} (row-major), declaring {@code prefix + k}; returns how many to close. */
    private static int nest(JsCode c, int[] dims, String prefix) {
        for (int k = 0; k < dims.length; k++) c.open("for (let " + prefix + k + " = 0; " + prefix + k + " < " + dims[k] + "; " + prefix + k + "++)");
        return dims.length;
    }

    /** sum(i_k * stride_k) over the loop variables {@code prefix + k}. */
    private static String offset(String prefix, int[] strides) {
        String at = "0";
        for (int k = 0; k < strides.length; k++) at = JsCode.index(at, prefix + k, strides[k]);
        return at;
    }

    private static void reduce(JsStep s) {
        Shape x = s.inShape(0);
        String kind = s.node.op().name();
        int[] axes = s.attrs().getIntsOrNull("axes");
        boolean[] reduced = new boolean[x.rank()];
        if (axes == null) Arrays.fill(reduced, true);
        else for (int a : axes) reduced[x.axis(a, kind)] = true;
        int[] strides = x.strides();
        List<Integer> kd = new ArrayList<>(), ks = new ArrayList<>(), rd = new ArrayList<>(), rs = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            (reduced[i] ? rd : kd).add(x.dim(i));
            (reduced[i] ? rs : ks).add(strides[i]);
        }
        int count = 1;
        for (int d : rd) count *= d;
        String start = kind.equals("max") ? "-Infinity" : kind.equals("min") ? "Infinity" : "0";
        String xs = s.in(0);
        JsCode c = s.code;
        c.line("let o = 0;");
        int open = nest(c, ints(kd), "k");
        c.line("const base = " + offset("k", ints(ks)) + ";");
        c.line("let acc = " + start + ";");
        int inner = nest(c, ints(rd), "r");
        String v = xs + "[" + JsCode.index("base", offset("r", ints(rs)), 1) + "]";
        c.line(kind.equals("max") ? "acc = Math.max(acc, " + v + ");" : kind.equals("min") ? "acc = Math.min(acc, " + v + ");" : "acc += " + v + ";");
        for (int i = 0; i < inner; i++) c.close();
        c.line(s.out(0) + "[o++] = " + (kind.equals("mean") ? "acc / " + count : "acc") + ";");
        for (int i = 0; i < open; i++) c.close();
    }

    private static int[] ints(List<Integer> v) {
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The index of the first largest value along the axis; a NaN wins and ends the search. */
    private static void argmax(JsStep s) {
        Shape x = s.inShape(0);
        int axis = x.axis(s.attrs().getInt("axis", 0), "argmax");
        int red = x.dim(axis), inner = x.size(axis + 1, x.rank()), outer = x.size(0, axis);
        String xs = s.in(0);
        JsCode c = s.code;
        c.open("for (let o = 0; o < " + outer + "; o++)");
        c.open("for (let i = 0; i < " + inner + "; i++)");
        c.line("const base = o * " + red * inner + " + i;");
        c.line("let best = 0, bv = " + xs + "[base];");
        c.open("for (let r = 1; r < " + red + " && bv === bv; r++)");
        c.line("const v = " + xs + "[" + JsCode.index("base", "r", inner) + "];");
        c.open("if (v > bv || v !== v)");
        c.line("bv = v;");
        c.line("best = r;");
        c.close().close();
        c.line(s.out(0) + "[o * " + inner + " + i] = best;");
        c.close().close();
    }

    // ------------------------------------------------------------ moving elements

    /**
     * reshape, transpose, expand, slice: what each output element reads is learned by running the
     * op's own kernel on the element numbers 0, 1, 2, ... of the input. That map is a strided view
     * (an offset and a stride per output axis), written as the loop nest of an elementwise copy.
     */
    private static void movement(JsStep s) {
        Shape in = s.inShape(0), out = s.outShape(0);
        Tensor numbers = Tensor.arange(0, in.size(), 1, DType.FLOAT64).view(in);
        Tensor map = s.node.op().run(new ExecContext(new Generator(0)), s.attrs(), numbers)[0];
        int r = out.rank(), base = out.size() == 0 ? 0 : (int) map.readDouble(0);
        int[] strides = new int[r], unit = out.strides();
        for (int k = 0; k < r; k++) strides[k] = out.dim(k) > 1 ? (int) map.readDouble(unit[k]) - base : 0;
        for (int i = 0; i < out.size(); i++) {
            int at = base, rest = i;
            for (int k = r - 1; k >= 0; k--) {
                at += (rest % out.dim(k)) * strides[k];
                rest /= out.dim(k);
            }
            if (at != (int) map.readDouble(i)) throw new JanusException("JavaScript export: " + s.describe() + " is not a strided view of its input");
        }
        if (base == 0 && Arrays.equals(strides, contiguous(out)) && out.size() == in.size()) {
            s.code.line(s.out(0) + ".set(" + s.in(0) + ");");
            return;
        }
        JsElementwise.loop(s.code, out, List.of(new JsElementwise.Operand(s.in(0), base, strides)),
                (c, values, o) -> c.line(s.out(0) + "[" + o + "] = " + values[0] + ";"));
    }

    /** Row-major strides, 0 for axes of size 1 (as the strided-view fit writes them). */
    private static int[] contiguous(Shape s) {
        int[] st = s.strides();
        for (int k = 0; k < st.length; k++) if (s.dim(k) == 1) st[k] = 0;
        return st;
    }

    private static void concat(JsStep s) {
        Shape os = s.outShape(0);
        int axis = os.axis(s.attrs().getInt("axis"), "concat");
        int inner = os.size(axis + 1, os.rank()), outer = os.size(0, axis), row = os.dim(axis) * inner;
        JsCode c = s.code;
        int at = 0;
        for (int i = 0; i < s.inputCount(); i++) {
            int len = s.inShape(i).dim(axis) * inner;
            if (len == 0) continue;
            if (outer == 1) {
                c.line(s.out(0) + ".set(" + s.in(i) + ", " + at + ");");
            } else {
                c.line("for (let o = 0; o < " + outer + "; o++) " + s.out(0) + ".set(" + s.in(i) + ".subarray(o * " + len + ", (o + 1) * "
                        + len + "), o * " + row + " + " + at + ");");
            }
            at += len;
        }
    }

    /** data taken at int64 indices along the axis (negative ones wrap); an index out of range throws. */
    private static void gather(JsStep s) {
        Shape d = s.inShape(0);
        int axis = d.axis(s.attrs().getInt("axis", 0), "gather");
        int size = d.dim(axis), inner = d.size(axis + 1, d.rank()), outer = d.size(0, axis), count = s.inShape(1).size();
        String xs = s.in(0), idx = s.in(1), y = s.out(0);
        JsCode c = s.code;
        c.open("for (let j = 0; j < " + count + "; j++)");
        c.line("let k = " + idx + "[j];");
        c.line("if (k < 0) k += " + size + ";");
        c.line("if (!(k >= 0 && k < " + size + ")) throw new RangeError(\"" + s.describe() + ": index \" + " + idx
                + "[j] + \" at position \" + j + \" is out of range for axis " + axis + " of size " + size + "\");");
        c.open("for (let o = 0; o < " + outer + "; o++)");
        if (inner == 1) c.line(y + "[o * " + count + " + j] = " + xs + "[o * " + size + " + k];");
        else c.line(y + ".set(" + xs + ".subarray((o * " + size + " + k) * " + inner + ", (o * " + size + " + k + 1) * " + inner + "), (o * "
                + count + " + j) * " + inner + ");");
        c.close().close();
    }

    private static void oneHot(JsStep s) {
        int depth = s.attrs().getInt("depth"), count = s.inShape(0).size();
        String labels = s.in(0), y = s.out(0);
        JsCode c = s.code;
        c.line(y + ".fill(0);");
        c.open("for (let j = 0; j < " + count + "; j++)");
        c.line("const k = " + labels + "[j];");
        c.line("if (!(k >= 0 && k < " + depth + ")) throw new RangeError(\"" + s.describe() + ": label \" + k + \" at position \" + j + \" is out of range for depth " + depth + "\");");
        c.line(y + "[j * " + depth + " + k] = 1;");
        c.close();
    }
}
