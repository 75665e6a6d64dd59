package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A chain of elementwise ops run as one kernel (made by {@link ElementwiseFusion}; graph-private,
 * never exported). It composes the core kernels themselves: the output is cut into tiles, and each
 * op of the chain runs its own kernel on tile-sized registers, so the results are bit for bit those
 * of the unfused ops while the intermediates stay in small, reused registers instead of full
 * buffers. A tensor that fits one tile runs on registers of its own shape, reading inputs in place.
 *
 * <p>Operands from outside the chain are either full (the output's shape) or repeat with a period
 * (a scalar, a bias row; see {@link Elementwise#period}). Every input of a tile is read before any
 * output of it is written, so an output may share an input's buffer. Not thread-safe (registers).
 *
 * <p>{@link #compute} is the CPU kernel (heap storage). The chain is public so that a backend can
 * generate one kernel per chain for its device (CUDA C through NVRTC, say): it registers a generator
 * with {@code Kernels.registerGenerator(FusedElementwise.class, kind, op -> kernel)}, reading
 * {@link #program()}, {@link #inputTypes()}, {@link #period(int)} and {@link #outputValues()}.
 */
public final class FusedElementwise extends Op {
    /** A chain of elementwise ops is itself elementwise (it may be fused further and run in place). */
    @Override
    public boolean isElementwise() {
        return true;
    }

    static final int TILE = 4096;

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
    private final Tensor[][] args, res;
    private final Tensor[] bound;
    private final boolean[] direct;
    private Tensor[] single, full, tail;
    private boolean[] fullReady, tailReady;
    private boolean constantsReady;

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
        bound = new Tensor[regType.length];
        direct = new boolean[outputs.length];
        args = new Tensor[this.program.length][];
        res = new Tensor[this.program.length][];
        for (int k = 0; k < args.length; k++) {
            args[k] = new Tensor[this.program[k].src.length];
            res[k] = new Tensor[1];
        }
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

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        if (size <= TILE) {
            computeWhole(in, out, ctx);
            return;
        }
        if (full == null) {
            full = registers(Shape.of(TILE));
            if (size % TILE != 0) tail = registers(Shape.of(size % TILE));
            fullReady = new boolean[in.length];
            tailReady = new boolean[in.length];
        }
        for (int j = 0; j < in.length; j++) {
            if (!constant[j]) fullReady[j] = tailReady[j] = false;
        }
        for (int start = 0; start < size; start += TILE) {
            int len = Math.min(TILE, size - start);
            Tensor[] regs = len == TILE ? full : tail;
            boolean[] ready = len == TILE ? fullReady : tailReady;
            System.arraycopy(regs, 0, bound, 0, regs.length);
            for (int j = 0; j < in.length; j++) {
                // A repeating operand whose period divides the tile reads the same in every tile:
                // its register is filled once per run, or once for good when it is a constant.
                boolean samePerTile = period[j] < size && TILE % period[j] == 0;
                if (samePerTile && ready[j]) continue;
                fill(bound[j], in[j], period[j], start, len);
                ready[j] = samePerTile;
            }
            execute(ctx);
            for (int k = 0; k < outputs.length; k++) {
                System.arraycopy(bound[reg[outputs[k]]].heapArray(), 0, out[k].heapArray(), start, len);
            }
        }
    }

    // One tile: full inputs are read where they are, outputs written where they go unless they
    // share a buffer with an input (then through a register, copied at the end).
    private void computeWhole(Tensor[] in, Tensor[] out, ExecContext ctx) {
        if (single == null) single = registers(shape);
        System.arraycopy(single, 0, bound, 0, single.length);
        for (int j = 0; j < in.length; j++) {
            if (period[j] == size && in[j].shape().equals(shape)) {
                bound[j] = in[j];
            } else if (!constant[j] || !constantsReady) {
                fill(bound[j], in[j], period[j], 0, size);
            }
        }
        constantsReady = true;
        for (int k = 0; k < outputs.length; k++) {
            direct[k] = !sharesInput(out[k], in);
            if (direct[k]) bound[reg[outputs[k]]] = out[k];
        }
        execute(ctx);
        for (int k = 0; k < outputs.length; k++) {
            if (!direct[k]) {
                System.arraycopy(bound[reg[outputs[k]]].heapArray(), 0, out[k].heapArray(), 0, size);
            }
        }
    }

    private static boolean sharesInput(Tensor o, Tensor[] in) {
        for (Tensor t : in) if (t.storage() == o.storage()) return true;
        return false;
    }

    private void execute(ExecContext ctx) {
        int nIn = inTypes.length;
        for (int k = 0; k < program.length; k++) {
            Instr ins = program[k];
            Tensor[] a = args[k];
            for (int i = 0; i < a.length; i++) a[i] = bound[reg[ins.src[i]]];
            res[k][0] = bound[reg[nIn + k]];
            ins.op.compute(a, ins.attrs, res[k], ctx);
        }
    }

    private Tensor[] registers(Shape s) {
        Tensor[] r = new Tensor[regType.length];
        for (int i = 0; i < r.length; i++) r[i] = Tensor.empty(regType[i], s);
        return r;
    }

    /** Writes elements [start, start + len) of {@code operand}, repeated with {@code period}, into {@code reg}. */
    private static void fill(Tensor reg, Tensor operand, int period, int start, int len) {
        Object src = operand.heapArray(), dst = reg.heapArray();
        if (len == 0) return;
        if (period == 1) {
            switch (reg.dtype()) {
                case FLOAT32: Arrays.fill((float[]) dst, 0, len, ((float[]) src)[0]); break;
                case FLOAT64: Arrays.fill((double[]) dst, 0, len, ((double[]) src)[0]); break;
                case INT64: Arrays.fill((long[]) dst, 0, len, ((long[]) src)[0]); break;
                default: Arrays.fill((boolean[]) dst, 0, len, ((boolean[]) src)[0]);
            }
            return;
        }
        int pos = start % period;
        for (int i = 0; i < len; ) {
            int c = Math.min(period - pos, len - i);
            System.arraycopy(src, pos, dst, i, c);
            i += c;
            pos = 0;
        }
    }
}
