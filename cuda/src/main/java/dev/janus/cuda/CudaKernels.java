package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Kernel;
import dev.janus.core.ops.Kernels;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.graph.FusedElementwise;
import org.bytedeco.cuda.global.cudart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CUDA kernels of the op set, registered for the cuda storage kind. Elementwise ops (and the
 * compiler's fused chains) are generated CUDA C ({@link Elementwise}); reductions, softmax, the
 * softmax cross-entropy, mse, dropout, the strided copies (transpose, expand, slice, slice_scatter),
 * gather, index_add and one_hot are generated per dtype ({@link KernelSources}); products go to
 * cuBLAS; reshape and concat are device copies. Every other op runs its CPU kernel on host copies,
 * logged once per op (see {@link #ops()} for which have kernels).
 */
final class CudaKernels {
    private static final int THREADS = 256, MAX_BLOCKS = 65535;
    private static final Set<String> WITH_KERNELS = new TreeSet<>();

    private CudaKernels() {
    }

    /** The names of the ops that have CUDA kernels (the fused chains besides). */
    static Set<String> ops() {
        return new TreeSet<>(WITH_KERNELS);
    }

    static void registerAll(CudaStorageKind kind) {
        for (Op op : Ops.all()) if (Elementwise.supports(op)) register(kind, op, elementwise(op));
        for (Op op : List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN)) register(kind, op, reduction(op.name()));
        register(kind, Ops.ARGMAX, CudaKernels::argmax);
        register(kind, Ops.SOFTMAX, softmax(false));
        register(kind, Ops.LOG_SOFTMAX, softmax(true));
        register(kind, Ops.SOFTMAX_CROSS_ENTROPY, CudaKernels::softmaxCrossEntropy);
        register(kind, Ops.MSE, CudaKernels::mse);
        register(kind, Ops.DROPOUT, CudaKernels::dropout);
        register(kind, Ops.MATMUL, CudaKernels::matmul);
        register(kind, Ops.LINEAR, CudaKernels::linear);
        register(kind, Ops.RESHAPE, CudaKernels::reshape);
        register(kind, Ops.TRANSPOSE, CudaKernels::transpose);
        register(kind, Ops.EXPAND, CudaKernels::expand);
        register(kind, Ops.GATHER, CudaKernels::gather);
        register(kind, Ops.INDEX_ADD, CudaKernels::indexAdd);
        register(kind, Ops.ONE_HOT, CudaKernels::oneHot);
        register(kind, Ops.CONCAT, CudaKernels::concat);
        register(kind, Ops.SLICE, CudaKernels::slice);
        register(kind, Ops.SLICE_SCATTER, CudaKernels::sliceScatter);
        Kernels.registerGenerator(FusedElementwise.class, kind, CudaKernels::fused);
    }

    private static void register(CudaStorageKind kind, Op op, Kernel k) {
        Kernels.register(op, kind, k);
        WITH_KERNELS.add(op.name());
    }

    // ------------------------------------------------------------------ helpers

    static CudaStream stream(ExecContext ctx, Tensor t) {
        return ((CudaStream) ctx.stream(t.device())).enter();
    }

    static long address(Tensor t) {
        return ((CudaStorage) t.storage()).address(0);
    }

    /** The tensor on {@code d}: host scalars beside device tensors are copied over. */
    static Tensor onDevice(Tensor t, Device d) {
        return t.storage() instanceof CudaStorage ? t : t.to(d);
    }

    static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 1 << 20));
    }

    /** Row-major strides of a shape. */
    static int[] strides(Shape s) {
        int[] st = new int[s.rank()];
        int acc = 1;
        for (int i = s.rank() - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= s.dim(i);
        }
        return st;
    }

    static int[] padded(int[] v, String op) {
        if (v.length > CudaC.MAX_RANK) throw new JanusException(op + ": rank " + v.length + " is above the CUDA kernels' " + CudaC.MAX_RANK);
        return java.util.Arrays.copyOf(v, CudaC.MAX_RANK);
    }

    /** The strides that read a tensor of shape {@code in} broadcast to {@code out} (0 along broadcast axes). */
    static int[] broadcastStrides(Shape in, Shape out) {
        int[] st = strides(in), r = new int[out.rank()];
        int off = out.rank() - in.rank();
        for (int i = 0; i < in.rank(); i++) r[off + i] = in.dim(i) == 1 && out.dim(off + i) != 1 ? 0 : st[i];
        return r;
    }

    /** Like the graph compiler's period: the operand repeats with its size over out, or -1. */
    static int period(Shape operand, Shape out) {
        int lead = 0;
        while (lead < operand.rank() && operand.dim(lead) == 1) lead++;
        int r = operand.rank() - lead;
        if (r > out.rank()) return -1;
        for (int i = 0; i < r; i++) if (operand.dim(lead + i) != out.dim(out.rank() - r + i)) return -1;
        return operand.size();
    }

    // ------------------------------------------------------------------ elementwise

    private static Kernel elementwise(Op op) {
        return (in, attrs, out, ctx) -> {
            Tensor o = out[0];
            Shape s = o.shape();
            long n = s.size();
            if (n == 0) return;
            int nIn = in.length;
            DType[] types = new DType[nIn];
            Elementwise.Read[] reads = new Elementwise.Read[nIn];
            int[] srcs = new int[nIn];
            for (int j = 0; j < nIn; j++) {
                types[j] = in[j].dtype();
                srcs[j] = j;
                Shape sj = in[j].shape();
                if (Kernels.isHostScalar(in[j])) reads[j] = Elementwise.Read.ARG;
                else if (sj.equals(s)) reads[j] = Elementwise.Read.FULL;
                else if (period(sj, s) > 0) reads[j] = Elementwise.Read.PERIOD;
                else reads[j] = Elementwise.Read.STRIDED;
            }
            List<Elementwise.Step> steps = List.of(new Elementwise.Step(op, attrs, srcs, o.dtype()));
            String src = Elementwise.source("janus_ew", types, reads, s.rank(), steps, new int[] {nIn});
            KernelArgs args = new KernelArgs().i64(n);
            for (int j = 0; j < nIn; j++) {
                if (reads[j] == Elementwise.Read.ARG) scalarArg(args, in[j]);
                else args.pointer(in[j]);
            }
            args.pointer(o);
            boolean strided = false;
            for (int j = 0; j < nIn; j++) {
                if (reads[j] == Elementwise.Read.PERIOD) args.i64(in[j].numel());
                strided |= reads[j] == Elementwise.Read.STRIDED;
            }
            if (strided) {
                args.ints(padded(s.dims(), op.name()));
                for (int j = 0; j < nIn; j++) {
                    if (reads[j] == Elementwise.Read.STRIDED) args.ints(padded(broadcastStrides(in[j].shape(), s), op.name()));
                }
            }
            CudaStream st = stream(ctx, o);
            CudaFunction.get(o.device().index(), src, "janus_ew").launch(blocks(n), THREADS, 0, st, args);
        };
    }

    private static void scalarArg(KernelArgs args, Tensor t) {
        switch (t.dtype()) {
            case FLOAT32: args.f32((float) t.storage().getDouble(0)); break;
            case FLOAT64: args.f64(t.storage().getDouble(0)); break;
            case INT64: args.i64(t.storage().getLong(0)); break;
            default: args.i32(t.storage().getDouble(0) != 0 ? 1 : 0);
        }
    }

    /** One generated kernel for a fused chain of the graph compiler. */
    static Kernel fused(FusedElementwise f) {
        String src = fusedSource(f);
        Shape s = f.shape();
        int nIn = f.inputTypes().length;
        long n = s.size();
        return (in, attrs, out, ctx) -> {
            if (n == 0) return;
            Device d = out[0].device();
            KernelArgs args = new KernelArgs().i64(n);
            for (Tensor t : in) args.pointer(onDevice(t, d));
            for (Tensor t : out) args.pointer(t);
            for (int j = 0; j < nIn; j++) if (f.period(j) != s.size()) args.i64(f.period(j));
            CudaFunction.get(d.index(), src, "janus_fused").launch(blocks(n), THREADS, 0, stream(ctx, out[0]), args);
        };
    }

    /** The CUDA C of a fused chain (for the NVRTC checks). */
    static String fusedSource(FusedElementwise f) {
        Shape s = f.shape();
        TensorType[] inTypes = f.inputTypes();
        DType[] types = new DType[inTypes.length];
        Elementwise.Read[] reads = new Elementwise.Read[inTypes.length];
        List<TensorType> valueTypes = new ArrayList<>();
        for (int j = 0; j < inTypes.length; j++) {
            types[j] = inTypes[j].dtype();
            reads[j] = f.period(j) == s.size() ? Elementwise.Read.FULL : Elementwise.Read.PERIOD;
            valueTypes.add(new TensorType(types[j], s));
        }
        List<Elementwise.Step> steps = new ArrayList<>();
        for (FusedElementwise.Instr ins : f.program()) {
            int[] src = ins.sources();
            TensorType[] args = new TensorType[src.length];
            for (int a = 0; a < src.length; a++) args[a] = valueTypes.get(src[a]);
            TensorType t = ins.op().infer(args, ins.attrs())[0];
            valueTypes.add(new TensorType(t.dtype(), s));
            steps.add(new Elementwise.Step(ins.op(), ins.attrs(), src, t.dtype()));
        }
        return Elementwise.source("janus_fused", types, reads, s.rank(), steps, f.outputValues());
    }

    // ------------------------------------------------------------------ reductions, softmax, losses, dropout

    private static Kernel reduction(String kind) {
        return (in, attrs, out, ctx) -> {
            Device d = out[0].device();
            Tensor x = onDevice(in[0], d);
            Shape s = x.shape();
            int r = s.rank();
            boolean[] red = new boolean[r];
            int[] axes = attrs.getIntsOrNull("axes");
            if (axes == null) java.util.Arrays.fill(red, true);
            else for (int a : axes) red[s.axis(a, kind)] = true;
            int[] st = strides(s);
            List<Integer> kd = new ArrayList<>(), ks = new ArrayList<>(), rd = new ArrayList<>(), rs = new ArrayList<>();
            int nRed = 1;
            for (int i = 0; i < r; i++) {
                if (red[i]) {
                    rd.add(s.dim(i));
                    rs.add(st[i]);
                    nRed *= s.dim(i);
                } else {
                    kd.add(s.dim(i));
                    ks.add(st[i]);
                }
            }
            int nOut = out[0].numel();
            if (nOut == 0) return;
            DType t = x.dtype();
            KernelArgs args = new KernelArgs().pointer(x).pointer(out[0]).i32(nOut).i32(nRed)
                    .ints(padded(ints(kd), kind)).ints(padded(ints(ks), kind)).i32(kd.size())
                    .ints(padded(ints(rd), kind)).ints(padded(ints(rs), kind)).i32(rd.size());
            String name = "reduce_" + kind + "_" + CudaC.tag(t);
            CudaFunction.get(d.index(), KernelSources.reduce(kind, t), name)
                    .launch(Math.min(nOut, MAX_BLOCKS), KernelSources.THREADS, 0, stream(ctx, out[0]), args);
        };
    }

    private static int[] ints(List<Integer> v) {
        int[] r = new int[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = v.get(i);
        return r;
    }

    private static void argmax(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        Shape s = x.shape();
        int axis = s.axis(attrs.getInt("axis", 0), "argmax");
        int n = s.dim(axis), inner = s.size(axis + 1, s.rank());
        long nOut = out[0].numel();
        if (nOut == 0) return;
        DType t = x.dtype();
        KernelArgs args = new KernelArgs().pointer(x).pointer(out[0]).i64(nOut).i32(n).i32(inner);
        CudaFunction.get(d.index(), KernelSources.argmax(t), "argmax_" + CudaC.tag(t)).launch(blocks(nOut), THREADS, 0, stream(ctx, out[0]), args);
    }

    private static Kernel softmax(boolean log) {
        return (in, attrs, out, ctx) -> {
            Device d = out[0].device();
            Tensor x = onDevice(in[0], d);
            Shape s = x.shape();
            int axis = s.axis(attrs.getInt("axis", -1), log ? "log_softmax" : "softmax");
            int n = s.dim(axis), inner = s.size(axis + 1, s.rank()), rows = s.size(0, axis) * inner;
            if (rows == 0 || n == 0) return;
            DType t = x.dtype();
            KernelArgs args = new KernelArgs().pointer(x).pointer(out[0]).i32(rows).i32(n).i32(inner);
            String name = (log ? "log_softmax_" : "softmax_") + CudaC.tag(t);
            CudaFunction.get(d.index(), KernelSources.softmax(log, t), name)
                    .launch(Math.min(rows, MAX_BLOCKS), KernelSources.THREADS, 0, stream(ctx, out[0]), args);
        };
    }

    private static void softmaxCrossEntropy(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor z = onDevice(in[0], d), labels = onDevice(in[1], d);
        int rows = z.shape().dim(0), c = z.shape().dim(1);
        String red = attrs.getString("reduction", "mean");
        int mode = red.equals("none") ? 0 : red.equals("sum") ? 1 : 2;
        DType t = z.dtype();
        KernelArgs args = new KernelArgs().pointer(z).pointer(labels).pointer(out[0])
                .i32(rows).i32(c).f64(attrs.getDouble("label_smoothing", 0)).i32(mode);
        CudaFunction.get(d.index(), KernelSources.softmaxCrossEntropy(t), "softmax_cross_entropy_" + CudaC.tag(t))
                .launch(1, KernelSources.THREADS, 0, stream(ctx, out[0]), args);
    }

    private static void mse(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor a = onDevice(in[0], d), b = onDevice(in[1], d);
        String red = attrs.getString("reduction", "mean");
        int mode = red.equals("none") ? 0 : red.equals("sum") ? 1 : 2;
        long n = a.numel();
        if (n == 0 && mode == 0) return;
        DType t = a.dtype();
        KernelArgs args = new KernelArgs().pointer(a).pointer(b).pointer(out[0]).i64(n).i32(mode);
        CudaFunction.get(d.index(), KernelSources.mse(t), "mse_" + CudaC.tag(t))
                .launch(mode == 0 ? blocks(n) : 1, KernelSources.THREADS, 0, stream(ctx, out[0]), args);
    }

    private static void dropout(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        double p = attrs.getDouble("p", 0.5);
        long n = x.numel();
        // One draw from the caller's generator per call: the same seed gives the same masks.
        long key = ctx.rng().nextLong();
        if (n == 0) return;
        DType t = x.dtype();
        double keep = p >= 1 ? 0 : 1 / (1 - p);
        KernelArgs args = new KernelArgs().pointer(x).pointer(out[0]).pointer(out[1]).i64(n).f32((float) p);
        if (t == DType.FLOAT32) args.f32((float) keep);
        else args.f64(keep);
        args.i32((int) key).i32((int) (key >>> 32));
        CudaFunction.get(d.index(), KernelSources.dropout(t), "dropout_" + CudaC.tag(t)).launch(blocks(n), THREADS, 0, stream(ctx, out[0]), args);
    }

    // ------------------------------------------------------------------ products

    private static void matmul(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor a = onDevice(in[0], d), b = onDevice(in[1], d), c = out[0];
        Shape as = a.shape(), bs = b.shape(), cs = c.shape();
        boolean ta = attrs.getBool("transA", false), tb = attrs.getBool("transB", false);
        int m = cs.dim(-2), n = cs.dim(-1), k = as.dim(ta ? -2 : -1);
        if (c.numel() == 0) return;
        CudaStream st = stream(ctx, c);
        if (k == 0) {
            c.storage().fill(0);
            return;
        }
        int es = CudaStorage.elementBytes(c.dtype());
        Shape batch = cs.sub(0, cs.rank() - 2), ab = as.sub(0, as.rank() - 2), bb = bs.sub(0, bs.rank() - 2);
        int count = batch.size();
        long sa = batchStride(ab, batch, (long) m * k), sb = batchStride(bb, batch, (long) k * n);
        if (sa >= 0 && sb >= 0) {
            Cublas.gemm(st, c.dtype(), ta, tb, m, n, k, address(a), sa, address(b), sb, address(c), (long) m * n, count, 0);
            return;
        }
        // General broadcast of the batch dimensions: one product per batch element.
        int[] aStr = broadcastStrides(ab, batch), bStr = broadcastStrides(bb, batch), dims = batch.dims();
        for (int i = 0; i < count; i++) {
            long ai = 0, bi = 0;
            int rest = i;
            for (int q = dims.length - 1; q >= 0; q--) {
                int coord = rest % dims[q];
                rest /= dims[q];
                ai += (long) coord * aStr[q];
                bi += (long) coord * bStr[q];
            }
            Cublas.gemm(st, c.dtype(), ta, tb, m, n, k, address(a) + ai * m * k * es, 0, address(b) + bi * k * n * es, 0,
                    address(c) + (long) i * m * n * es, 0, 1, 0);
        }
    }

    // The stride between an operand's matrices when its batch is the output's (a full stride) or absent (0); -1 otherwise.
    private static long batchStride(Shape operandBatch, Shape batch, long matrix) {
        if (operandBatch.size() == 1) return 0;
        int lead = batch.rank() - operandBatch.rank();
        for (int i = 0; i < operandBatch.rank(); i++) if (operandBatch.dim(i) != batch.dim(lead + i)) return -1;
        for (int i = 0; i < lead; i++) if (batch.dim(i) != 1) return -1;
        return matrix;
    }

    private static void linear(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d), w = onDevice(in[1], d), y = out[0];
        int k = w.shape().dim(1), n = w.shape().dim(0), m = x.numel() / Math.max(1, k);
        if (m == 0 || n == 0) return;
        CudaStream st = stream(ctx, y);
        boolean bias = in.length == 3;
        if (bias) {
            Tensor b = onDevice(in[2], d);
            copyStrided(ctx, b, y, new int[] {m, n}, new int[] {0, 1}, 0);
        } else if (k == 0) {
            y.storage().fill(0);
        }
        if (k > 0) Cublas.gemm(st, y.dtype(), false, true, m, n, k, address(x), 0, address(w), 0, address(y), 0, 1, bias ? 1 : 0);
    }

    // ------------------------------------------------------------------ shapes

    private static void reshape(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        long bytes = (long) x.numel() * CudaStorage.elementBytes(x.dtype());
        if (bytes == 0 || address(x) == address(out[0])) return;
        CudaStream st = stream(ctx, out[0]);
        CudaDriver.check(cudart.cudaMemcpyAsync(new DevicePointer(address(out[0])), new DevicePointer(address(x)), bytes,
                cudart.cudaMemcpyDeviceToDevice, st.handle), "cudaMemcpyAsync (reshape)");
    }

    private static void transpose(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        Shape s = x.shape();
        int r = s.rank();
        int[] perm = attrs.getIntsOrNull("perm");
        if (perm == null) {
            perm = new int[r];
            for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        }
        int[] st = strides(s), ps = new int[r];
        for (int i = 0; i < r; i++) ps[i] = st[s.axis(perm[i], "transpose")];
        copyStrided(ctx, x, out[0], out[0].shape().dims(), ps, 0);
    }

    private static void expand(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        copyStrided(ctx, x, out[0], out[0].shape().dims(), broadcastStrides(x.shape(), out[0].shape()), 0);
    }

    private static void slice(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Tensor x = onDevice(in[0], out[0].device());
        int[] at = Kernels.sliceLayout(x.shape(), attrs, "slice");
        copyStrided(ctx, x, out[0], out[0].shape().dims(), Arrays.copyOfRange(at, 1, at.length), at[0]);
    }

    /** out = base, then src written into the slice's elements. */
    private static void sliceScatter(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor base = onDevice(in[0], d), src = onDevice(in[1], d), y = out[0];
        int[] at = Kernels.sliceLayout(base.shape(), attrs, "slice_scatter");
        if (y != base) y.copyFrom(base);
        long n = src.numel();
        if (n == 0) return;
        DType t = y.dtype();
        KernelArgs args = new KernelArgs().pointer(src).pointer(y).i64(n).ints(padded(src.shape().dims(), "slice_scatter"))
                .ints(padded(Arrays.copyOfRange(at, 1, at.length), "slice_scatter")).i32(src.shape().rank()).i64(at[0]);
        CudaFunction.get(d.index(), KernelSources.scatterStrided(t), "scatter_strided_" + CudaC.tag(t)).launch(blocks(n), THREADS, 0, stream(ctx, y), args);
    }

    /** y[i] = x[offset + the offset of element i of shape dims through strides]. */
    static void copyStrided(ExecContext ctx, Tensor x, Tensor y, int[] dims, int[] strides, long offset) {
        long n = y.numel();
        if (n == 0) return;
        DType t = y.dtype();
        KernelArgs args = new KernelArgs().pointer(x).pointer(y).i64(n)
                .ints(padded(dims, "copy")).ints(padded(strides, "copy")).i32(dims.length).i64(offset);
        CudaFunction.get(y.device().index(), KernelSources.copyStrided(t), "copy_strided_" + CudaC.tag(t))
                .launch(blocks(n), THREADS, 0, stream(ctx, y), args);
    }

    // ------------------------------------------------------------------ gather, index_add, one_hot, concat

    /** Row numbers as an int64 tensor on the device (the index kernels read them there). */
    private static Tensor upload(int[] v, Device d) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return Tensor.of(l).to(d);
    }

    // The indices are read back and checked on the host first, as the CPU kernel checks them: an
    // index out of range is the same clear error, raised before anything is written.
    private static void gather(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor x = onDevice(in[0], d);
        Shape s = x.shape();
        int axis = s.axis(attrs.getInt("axis", 0), "gather");
        int size = s.dim(axis), inner = s.size(axis + 1, s.rank()), outer = s.size(0, axis);
        int[] rows = Kernels.checkedIndices("gather", in[1].toLongArray(), size, axis);
        long n = out[0].numel();
        if (n == 0) return;
        DType t = x.dtype();
        KernelArgs args = new KernelArgs().pointer(x).pointer(upload(rows, d)).pointer(out[0])
                .i32(outer).i32(size).i32(rows.length).i32(inner);
        CudaFunction.get(d.index(), KernelSources.gather(t), "gather_" + CudaC.tag(t)).launch(blocks(n), THREADS, 0, stream(ctx, out[0]), args);
    }

    private static void indexAdd(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Tensor base = onDevice(in[0], d), src = onDevice(in[2], d), y = out[0];
        Shape b = base.shape();
        int axis = b.axis(attrs.getInt("axis", 0), "index_add");
        int size = b.dim(axis), inner = b.size(axis + 1, b.rank()), outer = b.size(0, axis);
        int[] rows = Kernels.checkedIndices("index_add", in[1].toLongArray(), size, axis);
        if (y != base) y.copyFrom(base);
        int n = rows.length;
        if (n == 0 || outer == 0 || inner == 0) return;
        int[][] plan = bySource(rows);
        int u = plan[0].length;
        DType t = y.dtype();
        KernelArgs args = new KernelArgs().pointer(y).pointer(src).i32(outer).i32(size).i32(n).i32(inner).i32(u)
                .pointer(upload(plan[0], d)).pointer(upload(plan[1], d)).pointer(upload(plan[2], d));
        CudaFunction.get(d.index(), KernelSources.indexAdd(t), "index_add_" + CudaC.tag(t))
                .launch(blocks((long) outer * u * inner), THREADS, 0, stream(ctx, y), args);
    }

    /**
     * index_add's work list: {targets, starts, sources}: each target row once (in order of first
     * appearance), and for target q the positions sources[starts[q] .. starts[q + 1]) of the indices
     * that add into it, in index order, so each sum is the CPU kernel's, in its order.
     */
    static int[][] bySource(int[] rows) {
        Map<Integer, List<Integer>> byTarget = new LinkedHashMap<>();
        for (int j = 0; j < rows.length; j++) byTarget.computeIfAbsent(rows[j], k -> new ArrayList<>()).add(j);
        int u = byTarget.size(), q = 0, p = 0;
        int[] targets = new int[u], starts = new int[u + 1], sources = new int[rows.length];
        for (Map.Entry<Integer, List<Integer>> e : byTarget.entrySet()) {
            targets[q] = e.getKey();
            starts[q++] = p;
            for (int j : e.getValue()) sources[p++] = j;
        }
        starts[u] = p;
        return new int[][] {targets, starts, sources};
    }

    private static void oneHot(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        int depth = attrs.getInt("depth");
        long[] labels = in[0].toLongArray();
        for (int j = 0; j < labels.length; j++) {
            if (labels[j] < 0 || labels[j] >= depth) {
                throw new ShapeException("one_hot: label " + labels[j] + " at position " + j + " is out of range for depth " + depth);
            }
        }
        long n = out[0].numel();
        if (n == 0) return;
        DType t = out[0].dtype();
        KernelArgs args = new KernelArgs().pointer(onDevice(in[0], d)).pointer(out[0]).i64(n).i32(depth);
        CudaFunction.get(d.index(), KernelSources.oneHot(t), "one_hot_" + CudaC.tag(t)).launch(blocks(n), THREADS, 0, stream(ctx, out[0]), args);
    }

    /** Each input is a block of columns of the output seen as [outer, row]: one 2-D device copy per input. */
    private static void concat(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Device d = out[0].device();
        Shape os = out[0].shape();
        int axis = os.axis(attrs.getInt("axis"), "concat");
        long inner = os.size(axis + 1, os.rank()), outer = os.size(0, axis), row = os.dim(axis) * inner;
        int es = CudaStorage.elementBytes(out[0].dtype());
        CudaStream st = stream(ctx, out[0]);
        long at = 0;
        for (Tensor part : in) {
            Tensor t = onDevice(part, d);
            long len = t.shape().dim(axis) * inner;
            if (len > 0 && outer > 0) {
                CudaDriver.check(cudart.cudaMemcpy2DAsync(new DevicePointer(address(out[0]) + at * es), row * es, new DevicePointer(address(t)),
                        len * es, len * es, outer, cudart.cudaMemcpyDeviceToDevice, st.handle), "cudaMemcpy2DAsync (concat)");
            }
            at += len;
        }
    }
}
