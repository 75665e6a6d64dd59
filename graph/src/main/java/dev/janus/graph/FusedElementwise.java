package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.NativeStorage;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ElementwiseTiles;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Kernels;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of elementwise ops run as one kernel (made by {@link ElementwiseFusion}; graph-private,
 * never exported). It composes the core kernels themselves: the output is cut into tiles, and each
 * op of the chain runs its own kernel on tile-sized registers, so the results are bit for bit those
 * of the unfused ops while the intermediates stay in small, reused registers instead of full
 * buffers. A tensor that fits one tile runs on registers of its own shape, reading inputs in place.
 * A chain that matches a known loop ({@link ChainLoops}: relu's gradient, Adam) runs as that loop,
 * tile by tile, reading and writing full heap operands where they lie; relu's gradient on native
 * float32 buffers runs on their raw bits, which the JIT vectorises.
 *
 * <p>Operands from outside the chain are either full (the output's shape) or repeat with a period
 * (a scalar, a bias row; see {@link ElementwiseTiles#period}). Every input of a tile is read before any
 * output of it is written, so an output may share an input's buffer. Each thread has registers of
 * its own; a large output's tiles are shared out among threads ({@link CpuThreads}).
 *
 * <p>{@link #compute} is the CPU kernel (heap and native storage). The chain is public so that a backend can
 * generate one kernel per chain for its device (CUDA C through NVRTC, say): it registers a generator
 * with {@code Kernels.registerGenerator(FusedElementwise.class, kind, op -> kernel)}, reading
 * {@link #program()}, {@link #inputTypes()}, {@link #period(int)} and {@link #outputValues()}.
 */
public final class FusedElementwise extends Op {
    static final int TILE = ElementwiseTiles.TILE;

    // The chain reads and writes any CPU storage through its registers, so it is native storage's kernel too.
    static {
        Kernels.registerGenerator(FusedElementwise.class, StorageKind.NATIVE, op -> op);
    }

    /** A chain of elementwise ops is itself elementwise (it may be fused further and run in place). */
    @Override
    public boolean isElementwise() {
        return true;
    }

    /** One op of the chain: its sources and result are value numbers (inputs first, then results). */
    public static final class Instr {
        final Op op;
        final Attrs attrs;
        final int[] src;

        Instr(Op op, Attrs attrs, int[] src) {
            this.op = op;
            this.attrs = attrs;
            this.src = src;
        }

        public Op op() {
            return op;
        }

        public Attrs attrs() {
            return attrs;
        }

        /** Value numbers of its operands: the chain's inputs are 0..n-1, the k-th result is n+k. */
        public int[] sources() {
            return src.clone();
        }
    }

    private final Shape shape;
    private final int size;
    private final TensorType[] inTypes, outTypes;
    private final int[] period;
    private final boolean[] constant;
    private final Instr[] program;
    private final int[] outputs;
    // Physical register of each value: inputs use 0..nIn-1, results share registers by lifetime.
    private final int[] reg;
    private final DType[] regType;
    // One loop for the whole chain where it matches a known one (ChainLoops), else null: op by op.
    private final ChainLoops.Loop loop;
    // Each thread runs tiles on registers of its own.
    private final ThreadLocal<Registers> registers = ThreadLocal.withInitial(Registers::new);

    /**
     * @param valueTypes dtype of every result, in program order
     * @param outputs    value numbers of the chain's outputs
     */
    FusedElementwise(Shape shape, TensorType[] inTypes, int[] period, boolean[] constant, List<Instr> program,
                     DType[] valueTypes, int[] outputs) {
        super("fused", inTypes.length, inTypes.length);
        this.shape = shape;
        this.size = shape.size();
        this.inTypes = inTypes.clone();
        this.period = period.clone();
        this.constant = constant.clone();
        this.program = program.toArray(new Instr[0]);
        this.outputs = outputs.clone();
        int nIn = inTypes.length, nv = nIn + this.program.length;
        outTypes = new TensorType[outputs.length];
        for (int k = 0; k < outputs.length; k++) outTypes[k] = new TensorType(valueTypes[outputs[k] - nIn], shape);

        int[] lastUse = new int[nv];
        for (int k = 0; k < this.program.length; k++) for (int s : this.program[k].src) lastUse[s] = k;
        for (int o : outputs) lastUse[o] = Integer.MAX_VALUE;
        reg = new int[nv];
        List<DType> types = new ArrayList<>();
        for (int j = 0; j < nIn; j++) {
            reg[j] = j;
            types.add(inTypes[j].dtype());
        }
        List<Integer> free = new ArrayList<>();
        for (int k = 0; k < this.program.length; k++) {
            for (int s : this.program[k].src) {
                if (s >= nIn && lastUse[s] == k && !free.contains(reg[s])) free.add(reg[s]);
            }
            DType t = valueTypes[k];
            Integer r = null;
            for (Integer f : free) {
                if (types.get(f) == t) {
                    r = f;
                    break;
                }
            }
            if (r != null) {
                free.remove(r);
            } else {
                r = types.size();
                types.add(t);
            }
            reg[nIn + k] = r;
        }
        regType = types.toArray(new DType[0]);
        boolean floats = true;
        for (TensorType t : outTypes) floats &= t.dtype() == DType.FLOAT32;
        loop = floats ? ChainLoops.match(this.program(), inTypes, period, outputs) : null;
    }

    /** True when the chain runs as one loop ({@link ChainLoops}) rather than op by op. */
    boolean runsAsOneLoop() {
        return loop != null;
    }

    /** True when the chain runs as one loop that is fastest on heap operands (all but relu's gradient, which runs native on bits). */
    boolean loopsOnHeap() {
        return loop != null && loop.selectInputs() == null;
    }

    /** The ops of the chain, for printing: "add, relu". */
    static String describe(List<Instr> program) {
        StringBuilder sb = new StringBuilder();
        for (Instr i : program) sb.append(sb.length() == 0 ? "" : ", ").append(i.op.name());
        return sb.toString();
    }

    /** The shape of every output (and of the full inputs). */
    public Shape shape() {
        return shape;
    }

    /** The ops of the chain in order; the k-th is value number inputs + k. */
    public List<Instr> program() {
        return List.of(program);
    }

    public TensorType[] inputTypes() {
        return inTypes.clone();
    }

    /** The period with which input {@code j} repeats over the output: its size when full, 1 for a scalar. */
    public int period(int j) {
        return period[j];
    }

    /** The value numbers of the chain's outputs, in output order. */
    public int[] outputValues() {
        return outputs.clone();
    }

    @Override
    public int outputCount() {
        return outTypes.length;
    }

    @Override
    protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
        for (int j = 0; j < in.length; j++) {
            if (!in[j].equals(inTypes[j])) throw new JanusException("fused: input " + j + " must be " + inTypes[j] + ", got " + in[j]);
        }
        return outTypes.clone();
    }

    /**
     * Runs the chain. Operands and outputs may be in any CPU storage (heap or native): registers
     * are filled from and written to the storage, so this is also native storage's kernel for the
     * chain. Large outputs are cut into tiles shared out among threads.
     */
    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        if (size <= TILE) {
            computeWhole(in, out, ctx);
            return;
        }
        int tiles = (size + TILE - 1) / TILE;
        int[] bits = bitsOperands(in, out);
        boolean direct = bits == null && direct(in, out);
        CpuThreads.parallelFor(tiles, ElementwiseTiles.tilesPerThread(), (t0, t1) -> {
            if (bits != null) reluGradientBits(in, out, bits, t0, t1);
            else if (direct) loopTiles(in, out, t0, t1);
            else computeTiles(in, out, ctx, t0, t1);
        });
    }

    /**
     * relu's gradient where(a > b, c, d) on native float32 a, c and output, with b a scalar zero and
     * d a scalar, runs on the raw bits ({@link ChainLoops#reluGradientBits}): {a, c, bits of d};
     * null for every other chain or operand.
     */
    private int[] bitsOperands(Tensor[] in, Tensor[] out) {
        int[] sel = loop == null ? null : loop.selectInputs();
        if (sel == null) return null;
        int a = sel[0], b = sel[1], c = sel[2], d = sel[3];
        if (period[a] != size || period[c] != size || period[b] != 1 || period[d] != 1) return null;
        if (!(in[a].storage() instanceof NativeStorage) || !(in[c].storage() instanceof NativeStorage)
                || !(out[0].storage() instanceof NativeStorage)) {
            return null;
        }
        if ((scalarBits(in[b]) & 0x7FFFFFFF) != 0) return null;
        return new int[] {a, c, scalarBits(in[d])};
    }

    // The raw bits of a float32 scalar operand's element 0, in either CPU storage.
    private static int scalarBits(Tensor t) {
        if (t.storage() instanceof NativeStorage) {
            int[] b = new int[1];
            ((NativeStorage) t.storage()).bitsToHost(0, b, 0, 1);
            return b[0];
        }
        return Float.floatToRawIntBits(t.f32()[0]);
    }

    private void reluGradientBits(Tensor[] in, Tensor[] out, int[] bits, int t0, int t1) {
        Registers r = registers.get();
        if (r.bits == null) r.bits = new int[2][TILE];
        NativeStorage a = (NativeStorage) in[bits[0]].storage(), c = (NativeStorage) in[bits[1]].storage(), y = (NativeStorage) out[0].storage();
        int[] ra = r.bits[0], rc = r.bits[1];
        for (int t = t0; t < t1; t++) {
            int start = t * TILE, len = Math.min(TILE, size - start);
            a.bitsToHost(start, ra, 0, len);
            c.bitsToHost(start, rc, 0, len);
            ChainLoops.reluGradientBits(ra, rc, bits[2], ra, len);
            y.bitsFromHost(ra, 0, start, len);
        }
    }

    /**
     * Whether a loop chain ({@link ChainLoops}) runs on its operands where they lie: every full
     * operand and every output on the heap, every other input a scalar of the loop, and no output
     * over an input the loop still reads there ({@link ChainLoops.Loop#mayOverwrite}). Then all
     * arrays share one index, which the JIT needs to vectorise the loop.
     */
    private boolean direct(Tensor[] in, Tensor[] out) {
        if (loop == null) return false;
        for (int j = 0; j < in.length; j++) {
            if (period[j] == size ? in[j].storage().kind() != StorageKind.HEAP : period[j] != 1 || !loop.scalarInput(j)) return false;
        }
        for (int k = 0; k < out.length; k++) {
            if (out[k].storage().kind() != StorageKind.HEAP) return false;
            for (int j = 0; j < in.length; j++) if (aliased(in[j], out[k]) && !loop.mayOverwrite(k, j)) return false;
        }
        return true;
    }

    /** One storage, or two heap storages over one Java array ({@link Tensor#wrap} of an array twice). */
    private static boolean aliased(Tensor in, Tensor out) {
        return in.storage() == out.storage() || in.storage().kind() == StorageKind.HEAP && in.heapArray() == out.heapArray();
    }

    // The loop over tiles [t0, t1), on the operands' own arrays (see direct); a scalar off the heap through a register.
    private void loopTiles(Tensor[] in, Tensor[] out, int t0, int t1) {
        Registers r = prepare();
        for (int j = 0; j < in.length; j++) {
            if (in[j].storage().kind() == StorageKind.HEAP) {
                r.loopIn[j] = in[j].f32();
            } else {
                ElementwiseTiles.fill(r.full[j], in[j], 1, 0, 1);
                r.loopIn[j] = r.full[j].f32();
            }
        }
        for (int k = 0; k < out.length; k++) r.loopOut[k] = out[k].f32();
        for (int t = t0; t < t1; t++) {
            int start = t * TILE;
            loop.run(r.loopIn, r.loopOut, start, Math.min(TILE, size - start));
        }
    }

    // This thread's tile registers, with the non-constant inputs marked as not yet filled in this run.
    private Registers prepare() {
        Registers r = registers.get();
        if (r.full == null) {
            r.full = registers(Shape.of(TILE));
            if (size % TILE != 0) r.tail = registers(Shape.of(size % TILE));
            r.fullReady = new boolean[inTypes.length];
            r.tailReady = new boolean[inTypes.length];
        }
        for (int j = 0; j < inTypes.length; j++) {
            if (!constant[j]) r.fullReady[j] = r.tailReady[j] = false;
        }
        return r;
    }

    private void computeTiles(Tensor[] in, Tensor[] out, ExecContext ctx, int t0, int t1) {
        Registers r = prepare();
        for (int t = t0; t < t1; t++) {
            int start = t * TILE, len = Math.min(TILE, size - start);
            Tensor[] regs = len == TILE ? r.full : r.tail;
            boolean[] ready = len == TILE ? r.fullReady : r.tailReady;
            System.arraycopy(regs, 0, r.bound, 0, regs.length);
            for (int j = 0; j < in.length; j++) {
                // A repeating operand whose period divides the tile reads the same in every tile:
                // its register is filled once per run, or once for good when it is a constant.
                boolean samePerTile = period[j] < size && TILE % period[j] == 0;
                if (samePerTile && ready[j]) continue;
                ElementwiseTiles.fill(r.bound[j], in[j], period[j], start, len);
                ready[j] = samePerTile;
            }
            execute(r, ctx, len);
            for (int k = 0; k < outputs.length; k++) ElementwiseTiles.store(r.bound[reg[outputs[k]]], out[k], start, len);
        }
    }

    // One tile: full heap inputs are read where they are, heap outputs written where they go unless
    // they share a buffer with an input (then through a register, copied at the end).
    private void computeWhole(Tensor[] in, Tensor[] out, ExecContext ctx) {
        Registers r = registers.get();
        if (r.single == null) r.single = registers(shape);
        System.arraycopy(r.single, 0, r.bound, 0, r.single.length);
        for (int j = 0; j < in.length; j++) {
            if (period[j] == size && in[j].shape().equals(shape) && in[j].storage().kind() == StorageKind.HEAP) {
                r.bound[j] = in[j];
            } else if (!constant[j] || !r.constantsReady) {
                ElementwiseTiles.fill(r.bound[j], in[j], period[j], 0, size);
            }
        }
        r.constantsReady = true;
        for (int k = 0; k < outputs.length; k++) {
            r.direct[k] = out[k].storage().kind() == StorageKind.HEAP && !sharesInput(out[k], in);
            if (r.direct[k]) r.bound[reg[outputs[k]]] = out[k];
        }
        execute(r, ctx, size);
        for (int k = 0; k < outputs.length; k++) {
            if (!r.direct[k]) ElementwiseTiles.store(r.bound[reg[outputs[k]]], out[k], 0, size);
        }
    }

    private static boolean sharesInput(Tensor o, Tensor[] in) {
        for (Tensor t : in) if (t.storage() == o.storage()) return true;
        return false;
    }

    private void execute(Registers r, ExecContext ctx, int n) {
        int nIn = inTypes.length;
        if (loop != null) {
            for (int j = 0; j < nIn; j++) r.loopIn[j] = r.bound[j].f32();
            for (int k = 0; k < outputs.length; k++) r.loopOut[k] = r.bound[reg[outputs[k]]].f32();
            loop.run(r.loopIn, r.loopOut, 0, n);
            return;
        }
        for (int k = 0; k < program.length; k++) {
            Instr ins = program[k];
            Tensor[] a = r.args[k];
            for (int i = 0; i < a.length; i++) a[i] = r.bound[reg[ins.src[i]]];
            r.res[k][0] = r.bound[reg[nIn + k]];
            ins.op.compute(a, ins.attrs, r.res[k], ctx);
        }
    }

    private Tensor[] registers(Shape s) {
        Tensor[] t = new Tensor[regType.length];
        for (int i = 0; i < t.length; i++) t[i] = Tensor.empty(regType[i], s);
        return t;
    }

    /** One thread's registers and the argument arrays its op calls reuse. */
    private final class Registers {
        Tensor[] single, full, tail;
        boolean[] fullReady, tailReady;
        boolean constantsReady;
        final Tensor[] bound = new Tensor[regType.length];
        final boolean[] direct = new boolean[outputs.length];
        final float[][] loopIn = new float[inTypes.length][], loopOut = new float[outputs.length][];
        int[][] bits;
        final Tensor[][] args = new Tensor[program.length][], res = new Tensor[program.length][];

        Registers() {
            for (int k = 0; k < program.length; k++) {
                args[k] = new Tensor[program[k].src.length];
                res[k] = new Tensor[1];
            }
        }
    }
}
