package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.onnx.ExportNode;
import dev.janus.core.onnx.OnnxImportRule;
import dev.janus.core.onnx.OnnxImports;
import dev.janus.core.onnx.OnnxWriter;

import java.util.List;
import java.util.Map;

/**
 * One operation of the op set, defined in one place: its shape and dtype rule ({@link #inferTypes}),
 * its reference CPU kernel on heap storage ({@link #compute}), its gradient rule ({@link #gradient}),
 * written once against an {@link Emitter} so the eager engine runs it and the graph autodiff emits
 * it, and its ONNX mapping ({@link #toOnnx} and {@link #fromOnnx}). Kernels for other storage kinds
 * (native, CUDA) are registered by their backends with {@link Kernels}; {@link #run} and
 * {@link #execute} pick the kernel for the tensors' storage.
 */
public abstract class Op implements Kernel {
    private final String name;
    private final int minInputs, maxInputs;
    private final String onnxType;

    protected Op(String name, int minInputs, int maxInputs) {
        this(name, minInputs, maxInputs, null);
    }

    /**
     * An op that is the ONNX op {@code onnxType}, input for input and with no attributes: that is
     * its ONNX mapping both ways, unless it overrides {@link #toOnnx} or {@link #fromOnnx}.
     */
    protected Op(String name, int minInputs, int maxInputs, String onnxType) {
        this.name = name;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.onnxType = onnxType;
    }

    public final String name() {
        return name;
    }

    /** How many outputs the op produces. */
    public int outputCount() {
        return 1;
    }

    /**
     * Whether this op's kernels compute tensors of {@code dtype} themselves. For any other dtype
     * (int8, float16, ...) a call computes in {@link DType#computeType()} on widened copies and casts
     * the outputs back ({@link Kernels#resolve}). By default: float32, float64, int64 and bool.
     */
    public boolean computes(DType dtype) {
        return dtype.computeType() == dtype;
    }

    /**
     * The dtype a call computes a tensor of {@code dtype} in when the op does not compute it itself:
     * {@link DType#computeType()}, unless the op says otherwise (a float kernel taking integers that
     * float64 holds exactly, say).
     */
    protected DType widened(DType dtype) {
        return dtype.computeType();
    }

    /**
     * Whether the op is elementwise: one output whose element i depends only on element i of each
     * input (after broadcasting). Such kernels work in place, so the compiler's buffer planner may
     * give the output an input's buffer, its fusion pass may chain them in one kernel, and a backend
     * may run them tile by tile. An op declares it here; nothing else lists them.
     */
    public boolean isElementwise() {
        return false;
    }

    /** Random ops draw from the context's generator: never constant-folded or merged. */
    public boolean isRandom() {
        return false;
    }

    /**
     * The shape and dtype rule: validates the inputs and returns the output types. Shapes may hold
     * unknown dimensions (-1). Errors name the op and the shapes seen.
     */
    public final TensorType[] infer(TensorType[] inputs, Attrs attrs) {
        if (inputs.length < minInputs || inputs.length > maxInputs) {
            String want = minInputs == maxInputs ? Integer.toString(minInputs)
                    : maxInputs == Integer.MAX_VALUE ? "at least " + minInputs : minInputs + " to " + maxInputs;
            throw new ShapeException(name + ": expected " + want + " inputs, got " + inputs.length);
        }
        TensorType[] out = inferTypes(inputs, attrs);
        for (TensorType t : out) t.shape().requireFits(name);
        return withElements(inputs, attrs, out);
    }

    protected abstract TensorType[] inferTypes(TensorType[] inputs, Attrs attrs);

    /**
     * The elements of small integer outputs known before run time ({@link TensorType#elements()}):
     * when every input is known, the kernel's result; else what {@link #knownElements} can tell.
     */
    private TensorType[] withElements(TensorType[] in, Attrs attrs, TensorType[] out) {
        boolean holds = false;
        for (TensorType t : out) holds |= TensorType.holdsElements(t.dtype(), t.shape());
        if (!holds || isRandom()) return out;
        Long[][] e = folded(in, attrs, out);
        if (e == null) e = knownElements(in, attrs, out);
        if (e == null) return out;
        TensorType[] typed = out.clone();
        for (int i = 0; i < typed.length; i++) typed[i] = typed[i].withElements(e[i]);
        return typed;
    }

    private Long[][] folded(TensorType[] in, Attrs attrs, TensorType[] out) {
        Tensor[] x = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) if ((x[i] = in[i].value()) == null) return null;
        Tensor[] y = new Tensor[out.length];
        Long[][] e = new Long[out.length][];
        for (int i = 0; i < out.length; i++) {
            if (!out[i].shape().isStatic()) return null;
            y[i] = Tensor.empty(out[i].dtype(), out[i].shape());
        }
        try {
            Kernels.resolve(this, x, y).compute(x, attrs, y, ExecContext.global());
        } catch (JanusException e1) {
            return null;    // the same call fails at run time, where its error belongs
        }
        for (int i = 0; i < out.length; i++) e[i] = TensorType.ofValue(y[i]).elements();
        return e;
    }

    /**
     * The output elements known from partly known inputs (null entries unknown; null when nothing is
     * known): shape values through the ops that build and take them apart. The default knows nothing.
     */
    protected Long[][] knownElements(TensorType[] in, Attrs attrs, TensorType[] out) {
        return null;
    }

    /**
     * The reference CPU kernel, on heap storage (raw arrays through {@code f32()} ...). {@code out}
     * holds tensors of the inferred (static) types; the kernel must write every element of every
     * output, as output buffers are reused, and must not change its inputs. Elementwise kernels also
     * work in place, with an output that is one of the inputs. Callers outside a kernel use
     * {@link #execute} or {@link #run}, which dispatch on the storage.
     */
    @Override
    public abstract void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx);

    /**
     * The gradient rule (a vector-Jacobian product): given the inputs, the outputs and the upstream
     * gradient of each output (null where none flows), returns the gradient of each input, or null
     * for inputs with {@code wanted[i]} false or that are not differentiable. Shapes seen through
     * the emitter are static.
     */
    public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gradOut, boolean[] wanted) {
        throw new JanusException(name + ": no gradient is defined for this op");
    }

    /**
     * The ONNX mapping, export side: writes the ONNX nodes that compute this op's outputs (named in
     * {@code node}) from its inputs, in the inference form. The default writes the op's ONNX twin,
     * or says there is no mapping.
     */
    public void toOnnx(ExportNode node, OnnxWriter out) {
        if (onnxType == null) throw node.error("no ONNX mapping is defined for this op");
        out.node(onnxType, node.inputs(), node.outputs());
    }

    /** The ONNX mapping, import side: the ONNX op types that import as this op, each with its rule. */
    public Map<String, OnnxImportRule> fromOnnx() {
        return onnxType == null ? Map.of() : Map.of(onnxType, OnnxImports.direct(this));
    }

    /**
     * Infers, allocates the outputs and runs the kernel now. The outputs go where the inputs are: on
     * their device; when every input is on the heap, in the kind the context's storage policy gives
     * their size (the heap, unless the policy puts large tensors in native memory); else in the
     * inputs' other storage kind.
     */
    public final Tensor[] run(ExecContext ctx, Attrs attrs, Tensor... in) {
        TensorType[] types = new TensorType[in.length];
        boolean heap = true, computed = true;
        for (int i = 0; i < in.length; i++) {
            types[i] = in[i].type();
            heap &= in[i].storage().kind() == StorageKind.HEAP;
            computed &= computes(types[i].dtype());
        }
        TensorType[] outTypes = infer(types, attrs);
        if (!allStatic(outTypes)) outTypes = inferFromValues(in, attrs);
        Tensor[] out = new Tensor[outTypes.length];
        if (heap && ctx.storage().heapOnly()) {
            // The checks of Kernels.widens made in the loops that are there anyway: this path is
            // every tiny eager op's, where a second pass over the operands showed in the time.
            for (int i = 0; i < out.length; i++) {
                out[i] = Tensor.empty(outTypes[i].dtype(), outTypes[i].shape());
                computed &= computes(outTypes[i].dtype());
            }
            if (computed) compute(in, attrs, out, ctx);
            else Kernels.resolve(this, in, out).compute(in, attrs, out, ctx);
            return out;
        }
        if (heap && ctx.device().isCpu()) {
            for (int i = 0; i < out.length; i++) out[i] = ctx.allocate(outTypes[i].dtype(), outTypes[i].shape());
            Kernels.resolve(this, in, out).compute(in, attrs, out, ctx);
            return out;
        }
        // The kernel is resolved before allocating, so mixed devices fail without side effects.
        Kernel kernel = Kernels.resolve(this, in, out);
        StorageKind kind = StorageKind.HEAP;
        dev.janus.core.Device device = null;
        for (Tensor t : in) {
            if (Kernels.isHostScalar(t) && device != null) continue;
            kind = Kernels.join(this, kind, t.storage().kind());
            if (device == null || !t.device().isCpu()) device = t.device();
        }
        for (int i = 0; i < out.length; i++) out[i] = kind.empty(outTypes[i].dtype(), outTypes[i].shape(), device);
        kernel.compute(in, attrs, out, ctx);
        return out;
    }

    /**
     * The output types of a call whose output shapes depend on its inputs' values (a reshape to a
     * computed shape): by default, the shape rule given the values of the small integer inputs.
     */
    protected TensorType[] inferFromValues(Tensor[] in, Attrs attrs) {
        TensorType[] types = new TensorType[in.length];
        for (int i = 0; i < in.length; i++) types[i] = TensorType.ofValue(in[i]);
        return infer(types, attrs);
    }

    private static boolean allStatic(TensorType[] types) {
        for (TensorType t : types) if (!t.shape().isStatic()) return false;
        return true;
    }

    /** Runs the kernel for these tensors' storage (see {@link Kernels#resolve}) into {@code out}. */
    public final void execute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Kernels.resolve(this, in, out).compute(in, attrs, out, ctx);
    }

    @Override
    public String toString() {
        return name;
    }
}
