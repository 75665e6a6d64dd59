package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The kernels of every op per storage kind, and the rule that picks one for a call.
 *
 * <ul>
 *   <li>Heap storage: the op's own {@link Op#compute}, always.</li>
 *   <li>Other kinds: the kernel a backend registered for (op, kind) with {@link #register}, or for
 *       ops made at compile time (fused elementwise chains) one its generator makes for the op
 *       ({@link #registerGenerator}).</li>
 *   <li>No kernel: when the kind allows it ({@link StorageKind#hostFallback()}), the op's CPU kernel
 *       on heap copies of the operands, written back after; logged once per op and kind. Otherwise
 *       an error naming the op and the device.</li>
 * </ul>
 *
 * All tensors of one call must be on one device (else an error naming both), except 0-d heap inputs
 * (host scalars), which go with any device. On the CPU, heap and native operands mix: the call then
 * runs the native kernel, which must take heap operands too.
 *
 * <p>A call on a dtype the op does not compute itself ({@link Op#computes}: int8, float16, ...) runs
 * the op's CPU kernel on copies widened to {@link DType#computeType()} and casts the outputs back
 * with ONNX's casting rules, which gives what computing in the narrow type would (integers wrap,
 * half floats round to nearest even).
 */
public final class Kernels {
    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());
    private static final Map<Op, Map<StorageKind, Kernel>> BY_OP = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Map<StorageKind, Function<Op, Kernel>>> GENERATORS = new ConcurrentHashMap<>();
    private static final Set<String> FALLBACKS = ConcurrentHashMap.newKeySet();

    static {
        NativeKernels.register();
    }

    private Kernels() {
    }

    /** Registers {@code kernel} as {@code op}'s kernel for storage of {@code kind} (replacing an earlier one). */
    public static void register(Op op, StorageKind kind, Kernel kernel) {
        checkKind(op.name(), kind);
        BY_OP.computeIfAbsent(op, o -> new ConcurrentHashMap<>()).put(kind, kernel);
    }

    /**
     * Registers a generator of kernels for every op of a class made at compile time (one instance per
     * compiled chain, such as the graph compiler's fused elementwise ops): asked once per op when a
     * plan is built for storage of {@code kind}.
     */
    public static <T extends Op> void registerGenerator(Class<T> opClass, StorageKind kind, Function<? super T, Kernel> generator) {
        checkKind(opClass.getSimpleName(), kind);
        GENERATORS.computeIfAbsent(opClass, c -> new ConcurrentHashMap<>()).put(kind, op -> generator.apply(opClass.cast(op)));
    }

    private static void checkKind(String what, StorageKind kind) {
        if (kind == StorageKind.HEAP) {
            throw new JanusException(what + ": the heap kernel is the op's own compute method; register kernels for other kinds");
        }
    }

    /** The kernel registered for (op, kind), the op itself for heap storage, or null. */
    public static Kernel find(Op op, StorageKind kind) {
        if (kind == StorageKind.HEAP) return op;
        Map<StorageKind, Kernel> m = BY_OP.get(op);
        Kernel k = m == null ? null : m.get(kind);
        if (k != null) return k;
        Map<StorageKind, Function<Op, Kernel>> g = GENERATORS.get(op.getClass());
        Function<Op, Kernel> gen = g == null ? null : g.get(kind);
        return gen == null ? null : gen.apply(op);
    }

    /**
     * True when {@code op}'s kernel for {@code kind} runs its heap kernel on heap copies of the
     * operands ({@link Staged}: one extra pass over each operand in that storage), or when there is
     * none. A compiler weighs this when it chooses a buffer's storage.
     */
    public static boolean stages(Op op, StorageKind kind) {
        Kernel k = find(op, kind);
        return k == null || k instanceof Staged;
    }

    /**
     * True when {@code op}'s kernel for {@code kind} gives the heap kernel's results bit for bit:
     * every CPU kernel but ND4J's own exp and softmax ({@link Nd4jKernel}), which round differently.
     */
    public static boolean heapBits(Op op, StorageKind kind) {
        return !(find(op, kind) instanceof Nd4jKernel);
    }

    /** The kernel for a call of {@code op} on these tensors (see the class comment for the rule). */
    public static Kernel resolve(Op op, Tensor[] in, Tensor[] out) {
        Tensor first = null;
        StorageKind kind = null;
        for (Tensor[] group : new Tensor[][] {in, out}) {
            for (Tensor t : group) {
                if (t == null || isHostScalar(t) && group == in) continue;
                StorageKind k = t.storage().kind();
                if (first == null) {
                    first = t;
                    kind = k;
                    continue;
                }
                if (!t.device().equals(first.device())) {
                    throw new JanusException(op.name() + ": expected all tensors on one device, found " + first.device()
                            + " and " + t.device() + " (move them with to(device))");
                }
                kind = join(op, kind, k);
            }
        }
        if (widens(op, in, out)) return new Widened(op);
        if (kind == null || kind == StorageKind.HEAP) return op;
        // Only host scalars besides a device's tensors: a device kernel, which reads the scalars.
        Kernel k = find(op, kind);
        if (k != null) return k;
        Device device = first.device();
        if (!kind.hostFallback()) {
            throw new JanusException(op.name() + ": no kernel for " + device + " (" + kind + " storage) is registered, and "
                    + kind + " storage does not fall back to the host");
        }
        if (FALLBACKS.add(op.name() + " on " + kind)) {
            LOG.log(device.isCpu() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "{0}: no kernel for {1} storage on {2}; running the CPU kernel on heap copies", op.name(), kind, device);
        }
        return new Staged(op);
    }

    /** True when a tensor of the call has a dtype that {@code op} computes in a wider one. */
    static boolean widens(Op op, Tensor[] in, Tensor[] out) {
        for (Tensor[] group : new Tensor[][] {in, out}) {
            for (Tensor t : group) if (t != null && !op.computes(t.dtype())) return true;
        }
        return false;
    }

    /**
     * A 0-d heap tensor: it may be an input beside tensors of any device (as PyTorch's CPU scalars
     * may), so that gradient rules and optimizer updates written with host constants run anywhere.
     * The device's kernels read its value.
     */
    public static boolean isHostScalar(Tensor t) {
        return t.shape().rank() == 0 && t.storage().kind() == StorageKind.HEAP;
    }

    /**
     * The rows that int64 indices pick along an axis of the given size, negatives wrapped, checked
     * as the CPU kernels of gather and index_add check them (the same error, before anything is
     * written): for other backends' kernels of those ops.
     */
    public static int[] checkedIndices(String op, long[] indices, int size, int axis) {
        return Shaping.checkedIndices(op, indices, size, axis);
    }

    /**
     * Where a slice (the attributes of slice and slice_scatter, ONNX Slice semantics) of a
     * row-major tensor of shape {@code s} lies: {@code {offset}} of its first element, then its
     * strides in elements (negative for negative steps), for other backends' kernels of those ops.
     */
    public static int[] sliceLayout(Shape s, Attrs attrs, String op) {
        Shaping.Region r = new Shaping.Region(s, attrs, op);
        int[] strides = r.strides(s), out = new int[strides.length + 1];
        out[0] = r.offset(s);
        System.arraycopy(strides, 0, out, 1, strides.length);
        return out;
    }

    /** The storage kind a call on tensors of kinds a and b runs on: heap mixes with any other kind of its device. */
    static StorageKind join(Op op, StorageKind a, StorageKind b) {
        if (a == b || b == StorageKind.HEAP) return a;
        if (a == StorageKind.HEAP) return b;
        throw new JanusException(op.name() + ": cannot mix " + a + " and " + b + " storage in one call (move one with to(kind))");
    }

    /** "op on kind" for every op that ran through the host fallback so far (each was logged once). */
    public static Set<String> hostFallbacks() {
        return new TreeSet<>(FALLBACKS);
    }

    /** The op's CPU kernel on heap copies widened to the dtypes it computes; the outputs are cast back. */
    private static final class Widened implements Kernel {
        private final Op op;

        Widened(Op op) {
            this.op = op;
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            Tensor[] win = new Tensor[in.length], wout = new Tensor[out.length];
            for (int i = 0; i < in.length; i++) win[i] = in[i] == null ? null : wide(op, in[i], true);
            for (int j = 0; j < out.length; j++) wout[j] = wide(op, out[j], false);
            op.compute(win, attrs, wout, ctx);
            for (int j = 0; j < out.length; j++) if (wout[j] != out[j]) Select.Cast.convert(wout[j], out[j]);
        }

        // t itself when the op computes it on the heap, else a heap tensor of the wider dtype (holding t's values for an input).
        private static Tensor wide(Op op, Tensor t, boolean copyValues) {
            boolean heap = t.storage().kind() == StorageKind.HEAP;
            if (heap && op.computes(t.dtype())) return t;
            DType d = op.computes(t.dtype()) ? t.dtype() : op.widened(t.dtype());
            Tensor w = Tensor.empty(d, t.shape());
            if (copyValues) Select.Cast.convert(t, w);
            return w;
        }
    }
}
