package dev.janus.core;

import dev.janus.core.backend.HeapStorage;
import dev.janus.core.backend.Storage;
import dev.janus.core.backend.StorageKind;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

import java.util.Arrays;
import java.util.Objects;

/**
 * The one tensor of Janus, as PyTorch's {@code torch.Tensor}: an n-dimensional array (a
 * {@link DType}, a {@link Shape}, row-major and contiguous, and a {@link Storage} on a
 * {@link Device}) that also carries autograd. What a Keras model's {@code predict}, an eager
 * module's {@code forward}, a data loader and ONNX Runtime give back is this class, with the same
 * ops everywhere ({@code add}, {@code index}, {@code gt}, {@code argmax} ...).
 *
 * <p>By default the storage is a plain Java array on the heap ({@link StorageKind#HEAP}): small
 * tensors then cost a Java allocation rather than a native call, and the garbage collector frees
 * what is dropped (see the README for the measurements behind this). Tensors may also live in ND4J
 * native buffers ({@link StorageKind#NATIVE}, shared with {@code INDArray}s by {@link #fromNd4j}
 * and {@link #toNd4j()}) or on another device ({@link #to(Device)}).
 *
 * <p>Autograd, as PyTorch's: a tensor with {@code requiresGrad} that no op made is a <em>leaf</em>
 * (a parameter, say): {@link #backward()} adds into its {@link #grad()}. A tensor made by an op from
 * tensors that require gradients records that op ({@link #gradFn()}); backward runs the op's
 * gradient rule from the core op set. Tensors made by kernels, compiled plans, loaders or ONNX
 * Runtime require no grad, and ops on them record nothing. Random ops (dropout) and the random
 * factories without a generator draw from {@link Generator#global()}.
 *
 * <p>Ops never change their inputs. Kernels and optimizers that update storage in place use
 * {@link #copyFrom} (which backward notices), or (CPU kernels, heap storage only) write the raw
 * arrays ({@link #f32()} ...). Everything else reads and writes through the accessors here or the
 * storage.
 */
public class Tensor {
    private final DType dtype;
    private final Shape shape;
    // Replaced only by moveTo (NNModule.to), which keeps the tensor's identity as PyTorch's does.
    private Storage storage;
    // The Java array of heap storage (null for other kinds), kept here so kernels reach it in one step.
    private Object array;

    // Autograd state, made on first need: the tensors of kernels, plans and loaders carry none and
    // stay as small as a plain array's header.
    private Autograd ag;

    /** A tensor's autograd state. */
    private static final class Autograd {
        boolean requiresGrad;
        Tensor grad;
        /** The op that made the tensor, or null for a leaf. */
        GradNode gradFn;
        int outputIndex;
        /** Bumped by every in-place change, so backward can refuse values changed after the forward used them. */
        int version;
    }

    private Autograd ag() {
        if (ag == null) ag = new Autograd();
        return ag;
    }

    /** The recorded op that made this tensor (null for a leaf), for backward. */
    GradNode gradNode() {
        return ag == null ? null : ag.gradFn;
    }

    /** Which output of {@link #gradNode()} this tensor is. */
    int outputIndex() {
        return ag == null ? 0 : ag.outputIndex;
    }

    /** In-place changes so far (those of a tensor that never had autograd state are not counted: nothing can depend on them). */
    int version() {
        return ag == null ? 0 : ag.version;
    }

    private Tensor(DType dtype, Shape shape, Storage storage) {
        this.dtype = dtype;
        this.shape = shape;
        setStorage(storage);
    }

    /** A new leaf holding {@code data}'s values (not a copy), for {@code Parameter}. */
    protected Tensor(Tensor data) {
        this(data.dtype, data.shape, data.storage);
    }

    private void setStorage(Storage storage) {
        this.storage = storage;
        this.array = storage instanceof HeapStorage ? ((HeapStorage) storage).array() : null;
    }

    private static Tensor heap(DType dtype, Shape shape, Object array) {
        return new Tensor(dtype, shape, new HeapStorage(array, dtype));
    }

    // ---------------------------------------------------------------- creation

    /** A zero-filled tensor; the usual way kernels get their output. */
    public static Tensor empty(DType dtype, Shape shape) {
        if (!shape.isStatic()) throw new ShapeException("cannot allocate a tensor of unknown shape " + shape);
        return new Tensor(dtype, shape, HeapStorage.allocate(dtype, shape.size()));
    }

    /** A zero-filled tensor on {@code device}, in the storage that device's tensors get by default. */
    public static Tensor empty(DType dtype, Shape shape, Device device) {
        return device.isCpu() ? empty(dtype, shape) : StorageKind.forDevice(device).empty(dtype, shape, device);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return empty(dtype, Shape.of(shape));
    }

    public static Tensor ones(int... shape) {
        return full(1, DType.FLOAT32, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        return full(value, dtype, Shape.of(shape));
    }

    public static Tensor full(double value, DType dtype, Shape shape) {
        Tensor t = empty(dtype, shape);
        t.fill(value);
        return t;
    }

    public static Tensor scalar(double value) {
        return scalar(value, DType.FLOAT32);
    }

    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype, Shape.scalar());
    }

    /** 0, 1, ..., end-1 as int64, like {@code torch.arange(end)}. */
    public static Tensor arange(int end) {
        return arange(0, end, 1, DType.INT64);
    }

    /** start, start+step, ... up to but excluding end. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new JanusException("arange: step must be non-zero, got " + step);
        long n = (long) Math.ceil((end - start) / step);
        if (n < 0) n = 0;
        if (n > Integer.MAX_VALUE - 8) throw new JanusException("arange: " + n + " elements is too many");
        Tensor t = empty(dtype, Shape.of((int) n));
        for (int i = 0; i < n; i++) t.setDouble(i, start + i * step);
        return t;
    }

    /** A copy of {@code values} with the given shape (1-D when no shape is given). */
    public static Tensor of(float[] values, int... shape) {
        return heap(DType.FLOAT32, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(double[] values, int... shape) {
        return heap(DType.FLOAT64, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(long[] values, int... shape) {
        return heap(DType.INT64, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(boolean[] values, int... shape) {
        return heap(DType.BOOL, checkedShape(values.length, shape), values.clone());
    }

    /** An int32 tensor. */
    public static Tensor of(int[] values, int... shape) {
        return heap(DType.INT32, checkedShape(values.length, shape), values.clone());
    }

    /** An int8 tensor ({@link #wrap} makes uint8 from a byte[]). */
    public static Tensor of(byte[] values, int... shape) {
        return heap(DType.INT8, checkedShape(values.length, shape), values.clone());
    }

    /** A 2-D float32 tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeException("Tensor.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return heap(DType.FLOAT32, Shape.of(rows.length, cols), flat);
    }

    /** A 2-D float64 tensor from rows of equal length. */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeException("Tensor.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return heap(DType.FLOAT64, Shape.of(rows.length, cols), flat);
    }

    /**
     * Wraps a Java array without copying: the array becomes the tensor's storage. The array must
     * be the dtype's (float[] for float32, double[] for float64, long[] for int64, boolean[] for bool,
     * int[] for int32, byte[] for int8 and uint8, ...: see {@link DType}).
     */
    public static Tensor wrap(Object array, DType dtype, Shape shape) {
        Objects.requireNonNull(array, "array");
        Storage s;
        try {
            s = new HeapStorage(array, dtype);
        } catch (JanusException e) {
            throw new JanusException("Tensor.wrap: " + e.getMessage());
        }
        return wrap(s, shape);
    }

    /** A tensor over {@code storage} (no copy), whose length must be the shape's size. */
    public static Tensor wrap(Storage storage, Shape shape) {
        Objects.requireNonNull(storage, "storage");
        if (!shape.isStatic() || shape.size() != storage.length()) {
            throw new ShapeException("Tensor.wrap: shape " + shape + " does not hold " + storage.length() + " values");
        }
        return new Tensor(storage.dtype(), shape, storage);
    }

    private static Shape checkedShape(int length, int[] shape) {
        if (shape.length == 0) return Shape.of(length);
        Shape s = Shape.of(shape);
        if (!s.isStatic() || s.size() != length) {
            throw new ShapeException("Tensor.of: " + length + " values do not fill shape " + s
                    + (s.isStatic() ? " (" + s.size() + " elements)" : ""));
        }
        return s;
    }

    /** Uniform in [0, 1), float32. */
    public static Tensor rand(Generator g, int... shape) {
        return uniform(0, 1, DType.FLOAT32, g, shape);
    }

    /** Standard normal, float32. */
    public static Tensor randn(Generator g, int... shape) {
        return normal(0, 1, DType.FLOAT32, g, shape);
    }

    /** Uniform in [low, high). */
    public static Tensor uniform(double low, double high, DType dtype, Generator g, int... shape) {
        Tensor t = floatingEmpty("uniform", dtype, shape);
        if (dtype == DType.FLOAT32) {
            float[] a = t.f32();
            float lo = (float) low, span = (float) (high - low);
            for (int i = 0; i < a.length; i++) a[i] = lo + span * g.nextFloat();
        } else {
            double[] a = t.f64();
            for (int i = 0; i < a.length; i++) a[i] = low + (high - low) * g.nextDouble();
        }
        return t;
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(double mean, double std, DType dtype, Generator g, int... shape) {
        Tensor t = floatingEmpty("normal", dtype, shape);
        for (int i = 0, n = t.numel(); i < n; i++) t.setDouble(i, mean + std * g.nextGaussian());
        return t;
    }

    /** Standard normal float32 from the global generator, as {@code torch.randn}. */
    public static Tensor randn(int... shape) {
        return randn(Generator.global(), shape);
    }

    /** Uniform [0, 1) float32 from the global generator, as {@code torch.rand}. */
    public static Tensor rand(int... shape) {
        return rand(Generator.global(), shape);
    }

    private static Tensor floatingEmpty(String what, DType dtype, int[] shape) {
        if (!dtype.isFloating()) throw new JanusException(what + ": dtype must be float32 or float64, got " + dtype);
        return empty(dtype, Shape.of(shape));
    }

    // ---------------------------------------------------------------- the dispatch every op goes through

    /** Applies {@code op} of the core op set now and returns its first output. */
    public static Tensor apply(Op op, Attrs attrs, Tensor... inputs) {
        return applyAll(op, attrs, inputs)[0];
    }

    /**
     * Applies {@code op} now, recording it for backward when gradients are enabled and an input
     * requires them, and for the tracer when one is recording. Returns every output.
     */
    public static Tensor[] applyAll(Op op, Attrs attrs, Tensor... inputs) {
        return applyAll(Backward.CTX, op, attrs, inputs);
    }

    /** As {@link #applyAll(Op, Attrs, Tensor...)}, random ops drawing from {@code ctx}'s generator. */
    public static Tensor[] applyAll(ExecContext ctx, Op op, Attrs attrs, Tensor... inputs) {
        boolean needsGrad = false;
        for (Tensor t : inputs) needsGrad |= t.requiresGrad();
        ThreadState state = ThreadState.get();
        Trace trace = state.trace;
        Tensor[] out;
        state.trace = null;   // the kernel's own reads of its inputs are not the user's reads
        try {
            out = op.run(ctx, attrs, inputs);
        } finally {
            state.trace = trace;
        }
        boolean record = needsGrad && state.gradEnabled;
        for (int k = 0; k < out.length; k++) {
            // A kernel may hand back one of its inputs (a no-op reshape, say): the result gets a tensor of its own.
            if (out[k].ag != null || contains(inputs, out[k])) out[k] = out[k].detachedShell();
        }
        if (record) {
            GradNode node = new GradNode(op, attrs, inputs.clone(), out.clone());
            for (int k = 0; k < out.length; k++) {
                if (!out[k].dtype.isFloating()) continue;
                Autograd a = out[k].ag();
                a.gradFn = node;
                a.outputIndex = k;
                a.requiresGrad = true;
            }
        }
        if (trace != null) trace.record(op, attrs, inputs, out);
        return out;
    }

    private static boolean contains(Tensor[] ts, Tensor t) {
        for (Tensor x : ts) if (x == t) return true;
        return false;
    }

    // A new leaf over the same storage, with no autograd state.
    private Tensor detachedShell() {
        return new Tensor(dtype, shape, storage);
    }

    private Tensor constant(double c) {
        return scalar(c, dtype);
    }

    // ---------------------------------------------------------------- inspection

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    public TensorType type() {
        return new TensorType(dtype, shape);
    }

    /** The device its storage lives on. */
    public Device device() {
        return storage.device();
    }

    /** Where the elements live. */
    public Storage storage() {
        return storage;
    }

    public int rank() {
        return shape.rank();
    }

    /** Size of dimension {@code axis} (negative counts from the end); {@link #size(int)} is PyTorch's name for it. */
    public int dim(int axis) {
        return shape.dim(shape.axis(axis, "dim"));
    }

    /** The number of dimensions, as PyTorch's {@code x.dim()} (the same as {@link #rank()}). */
    public int dim() {
        return rank();
    }

    /** Size of dimension {@code axis} (negative counts from the end), as {@code x.size(axis)}. */
    public int size(int axis) {
        return dim(axis);
    }

    /** The shape, as {@code x.size()}. */
    public Shape size() {
        return shape;
    }

    public int numel() {
        return shape.size();
    }

    /** The element at {@code index} (one index per dimension, negative from the end). (While a trace is recorded, reading values is warned about.) */
    public double getDouble(int... index) {
        traced("getDouble");
        return readDouble(flatIndex(index));
    }

    public float getFloat(int... index) {
        return (float) getDouble(index);
    }

    public long getLong(int... index) {
        return readLong(flatIndex(index));
    }

    public boolean getBoolean(int... index) {
        return readDouble(flatIndex(index)) != 0;
    }

    /** The value of a one-element tensor. (While a trace is recorded, reading values is warned about: see {@code Tracer}.) */
    public double item() {
        traced("item()");
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + shape + " has " + numel() + " elements, not 1");
        return readDouble(0);
    }

    private static void traced(String how) {
        Trace t = ThreadState.get().trace;
        if (t != null) t.read(how);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new ShapeException("index " + Messages.list(index) + " has " + index.length
                    + " entries for a tensor of shape " + shape);
        }
        int flat = 0;
        for (int d = 0; d < index.length; d++) {
            int size = shape.dim(d), i = index[d];
            if (i < -size || i >= size) {
                throw new ShapeException("index " + i + " is out of bounds for dimension " + d + " with size " + size);
            }
            flat = flat * size + (i < 0 ? i + size : i);
        }
        return flat;
    }

    /** Element {@code i} of the flat storage, as a double (bool reads as 0 or 1, unsigned types unsigned). */
    public double readDouble(int i) {
        if (array == null) return storage.getDouble(i);
        switch (dtype) {
            case FLOAT32: return ((float[]) array)[i];
            case FLOAT64: return ((double[]) array)[i];
            case INT64: return ((long[]) array)[i];
            default: return HeapStorage.getDouble(array, dtype, i);
        }
    }

    /** Element {@code i} of the flat storage as a long: exact for every integer type (uint64 as its bits). */
    public long readLong(int i) {
        return dtype == DType.INT64 && array != null ? ((long[]) array)[i] : storage.getLong(i);
    }

    /** Sets element {@code i} of the flat storage: exact for int64, wrapping to the width of smaller integer types. */
    public void setLong(int i, long v) {
        if (dtype == DType.INT64 && array != null) ((long[]) array)[i] = v;
        else storage.setLong(i, v);
    }

    /** Sets element {@code i} of the flat storage, converting as ONNX's Cast does. */
    public void setDouble(int i, double v) {
        if (array == null) {
            storage.setDouble(i, v);
            return;
        }
        switch (dtype) {
            case FLOAT32: ((float[]) array)[i] = (float) v; break;
            case FLOAT64: ((double[]) array)[i] = v; break;
            case INT64: ((long[]) array)[i] = (long) v; break;
            default: HeapStorage.setDouble(array, dtype, i, v);
        }
    }

    /** A converted copy of the elements, row-major. */
    public float[] toFloatArray() {
        traced("toFloatArray()");
        if (dtype == DType.FLOAT32) return (float[]) hostCopy();
        float[] out = new float[numel()];
        for (int i = 0; i < out.length; i++) out[i] = (float) readDouble(i);
        return out;
    }

    public double[] toDoubleArray() {
        if (dtype == DType.FLOAT64) return (double[]) hostCopy();
        double[] out = new double[numel()];
        for (int i = 0; i < out.length; i++) out[i] = readDouble(i);
        return out;
    }

    public long[] toLongArray() {
        if (dtype == DType.INT64) return (long[]) hostCopy();
        long[] out = new long[numel()];
        for (int i = 0; i < out.length; i++) out[i] = readLong(i);
        return out;
    }

    public boolean[] toBooleanArray() {
        if (dtype == DType.BOOL) return (boolean[]) hostCopy();
        boolean[] out = new boolean[numel()];
        for (int i = 0; i < out.length; i++) out[i] = readDouble(i) != 0;
        return out;
    }

    // The elements in a new Java array of the dtype's own type.
    private Object hostCopy() {
        Object a = HeapStorage.newArray(dtype, numel());
        storage.toHost(0, a, 0, numel());
        return a;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return ag != null && ag.requiresGrad;
    }

    /** Marks a leaf as needing gradients (or not); returns this, as {@code requires_grad_()}. */
    public Tensor requiresGrad(boolean on) {
        if (gradNode() != null) {
            throw new JanusException("requiresGrad: only leaf tensors can change it; this one was made by "
                    + gradNode().displayName() + " (use detach() for a leaf copy)");
        }
        if (on && !dtype.isFloating()) {
            throw new JanusException("requiresGrad: only float tensors can require gradients, this one is " + type());
        }
        if (on || ag != null) ag().requiresGrad = on;
        return this;
    }

    /** True for tensors no recorded op made: the user's own tensors and parameters. */
    public boolean isLeaf() {
        return gradNode() == null;
    }

    /**
     * The accumulated gradient: set on leaves that require grad by {@link #backward()}, null before
     * the first backward or after zeroGrad. Non-leaf tensors keep none unless {@link #retainGrad()}.
     */
    public Tensor grad() {
        return ag == null ? null : ag.grad;
    }

    Tensor gradOrNull() {
        return grad();
    }

    void setGradValue(Tensor g) {
        ag().grad = g;
    }

    /** Replaces the gradient (null clears it); it must match this tensor's dtype and shape. */
    public void setGrad(Tensor g) {
        if (g != null && !g.type().equals(type())) {
            throw new ShapeException("setGrad: gradient " + g.type() + " does not match tensor " + type());
        }
        if (g != null || ag != null) ag().grad = g == null ? null : g.detachedShell();
    }

    /** Clears the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        if (ag != null) ag.grad = null;
    }

    /** Asks a non-leaf tensor to keep its gradient in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad()) throw new JanusException("retainGrad: the tensor does not require grad");
        if (gradNode() != null) gradNode().retain(outputIndex(), this);
        return this;
    }

    /** The name of the op that made this tensor ("LinearBackward"), or null for a leaf. */
    public String gradFn() {
        return gradNode() == null ? null : gradNode().displayName();
    }

    /** Backward from a scalar (a loss): d this / d leaf, added into every leaf's grad. */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeException("backward: a gradient can only be implied for a scalar, this tensor has shape " + shape()
                    + "; pass one with backward(gradient)");
        }
        backward(null, false);
    }

    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Backward with an upstream gradient of this tensor's shape; retainGraph keeps the graph for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!requiresGrad()) {
            throw new JanusException("backward: this tensor does not require grad and no recorded op made it (was the forward "
                    + "run in Grad.noGrad(), or do no parameters require grad?)");
        }
        Tensor seed;
        if (gradient == null) {
            seed = full(1, dtype, shape);
        } else {
            if (!gradient.type().equals(type())) {
                throw new ShapeException("backward: the gradient " + gradient.type() + " does not match the tensor " + type());
            }
            seed = gradient;
        }
        Backward.run(this, seed, retainGraph);
    }

    // ---------------------------------------------------------------- raw arrays (for CPU kernels)

    /** The float32 heap array itself, not a copy: for CPU kernels, on heap storage only. */
    public float[] f32() {
        return (float[]) storage(DType.FLOAT32);
    }

    /** The float64 storage itself, not a copy. */
    public double[] f64() {
        return (double[]) storage(DType.FLOAT64);
    }

    /** The int64 storage itself, not a copy. */
    public long[] i64() {
        return (long[]) storage(DType.INT64);
    }

    /** The bool storage itself, not a copy. */
    public boolean[] bool() {
        return (boolean[]) storage(DType.BOOL);
    }

    /** The int32 or uint32 storage itself, not a copy. */
    public int[] i32() {
        return (int[]) storage(dtype == DType.UINT32 ? DType.UINT32 : DType.INT32);
    }

    /** The int16, uint16, float16 or bfloat16 storage itself (half floats as their bits), not a copy. */
    public short[] i16() {
        if (HeapStorage.arrayType(dtype) != short[].class) throw new JanusException("tensor is " + dtype + ", not a 16-bit type");
        return (short[]) storage(dtype);
    }

    /** The int8 or uint8 storage itself, not a copy (uint8 elements are {@code b & 0xff}). */
    public byte[] i8() {
        return (byte[]) storage(dtype == DType.UINT8 ? DType.UINT8 : DType.INT8);
    }

    /** The heap array itself, whatever the dtype: for CPU kernels, on heap storage only. */
    public Object heapArray() {
        if (array == null) throw notOnHeap();
        return array;
    }

    private Object storage(DType want) {
        if (dtype != want) throw new JanusException("tensor is " + dtype + ", not " + want);
        if (array == null) throw notOnHeap();
        return array;
    }

    private JanusException notOnHeap() {
        return new JanusException("this " + dtype + " tensor is in " + storage.kind() + " storage on " + device()
                + ", not in a Java array: read it through the tensor (toFloatArray, readDouble, storage()) or move it with to("
                + "StorageKind.HEAP)");
    }

    /** The same storage seen with another shape of the same size (a view, not a copy). */
    public Tensor view(Shape newShape) {
        if (!newShape.isStatic() || newShape.size() != numel()) {
            throw new ShapeException("view: cannot view shape " + shape + " as " + newShape);
        }
        return new Tensor(dtype, newShape, storage);
    }

    /** A copy in the same kind of storage on the same device. */
    public Tensor copy() {
        return new Tensor(dtype, shape, storage.copy());
    }

    /**
     * Overwrites this tensor's elements with {@code src}'s; dtype and shape must match. The two may
     * be in any storage on any devices: this is how data moves between them. As PyTorch's
     * {@code with torch.no_grad(): t.copy_(src)} it is not recorded, and backward refuses graphs that
     * used the old values.
     */
    public void copyFrom(Tensor src) {
        if (src.dtype != dtype || !src.shape.equals(shape)) {
            throw new ShapeException("copyFrom: cannot copy " + src.type() + " into " + type());
        }
        if (array != null && src.array != null) System.arraycopy(src.array, 0, array, 0, numel());
        else storage.copy(src.storage, 0, 0, numel());
        if (ag != null) ag.version++;
    }

    /** Sets every element to {@code value}. */
    public void fill(double value) {
        if (array == null) {
            storage.fill(value);
            return;
        }
        switch (dtype) {
            case FLOAT32: Arrays.fill((float[]) array, (float) value); break;
            case FLOAT64: Arrays.fill((double[]) array, value); break;
            case INT64: Arrays.fill((long[]) array, (long) value); break;
            default: storage.fill(value);
        }
    }

    // ---------------------------------------------------------------- devices and storage kinds

    /**
     * This tensor on {@code device}, as PyTorch's {@code tensor.to(device)}: itself when it is already
     * there, else a copy in that device's default storage. An unknown or unavailable device is an
     * error and changes nothing. The copy of a leaf is a new leaf that requires grad as this one does
     * (move data and parameters before the forward); moving a tensor an op made is not recorded for
     * backward, so it is refused.
     */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        if (gradNode() != null) {
            throw new JanusException("to(" + device + "): this tensor was made by " + gradNode().displayName()
                    + " and moving it would not be recorded for backward; move the inputs and the module before the forward");
        }
        Tensor t = empty(dtype, shape, device);
        t.copyFrom(this);
        if (requiresGrad()) t.ag().requiresGrad = true;
        return t;
    }

    /**
     * This tensor in storage of {@code kind}: itself when it already is, else a copy (on this
     * tensor's device when the kind serves it, else on the kind's first device). Moves a CPU tensor
     * between the heap and ND4J's native memory.
     */
    public Tensor to(StorageKind kind) {
        if (storage.kind() == kind) return this;
        Device d = kind.deviceType().equals(device().type()) ? device()
                : kind.deviceType().equals(Device.CPU_TYPE) ? Device.CPU : Device.parse(kind.deviceType() + ":0");
        Tensor t = kind.empty(dtype, shape, d);
        t.copyFrom(this);
        return t;
    }

    /** This tensor on the CPU (itself when it is there), as PyTorch's {@code tensor.cpu()}. */
    public Tensor cpu() {
        return to(Device.CPU);
    }

    /**
     * Moves a leaf's values, and its gradient, to {@code device} in place, keeping the tensor itself
     * (what {@code Module.to} does to parameters and buffers, so optimizers keep working on them).
     */
    public void moveTo(Device device) {
        if (gradNode() != null) throw new JanusException("moveTo: only leaf tensors move in place; this one was made by " + gradNode().displayName());
        if (device.equals(device())) return;
        Tensor moved = detachedShell().to(device);
        Tensor movedGrad = grad() == null ? null : grad().to(device);
        setStorage(moved.storage);
        ag().grad = movedGrad;
        ag.version++;
    }

    /** The same values as a new leaf that does not require grad; ops on it are not recorded. */
    public Tensor detach() {
        Tensor t = detachedShell();
        Trace trace = ThreadState.get().trace;
        if (trace != null) trace.alias(t, this);   // a detached view still reads the same traced value
        return t;
    }

    // ---------------------------------------------------------------- ND4J interop

    /**
     * As an ND4J array (c order, same dtype). A tensor in native storage shares its buffer with the
     * array (no copy: a change through either is seen by the other); a heap tensor is copied. Loads
     * ND4J's backend on first use.
     */
    public org.nd4j.linalg.api.ndarray.INDArray toNd4j() {
        return Nd4jConvert.toNd4j(this);
    }

    /**
     * A tensor over an ND4J array (float, double, long or bool). An array laid out as a tensor is
     * (c order, contiguous) is shared with no copy: the tensor is in native storage over the array's
     * buffer. Other layouts (f order, strided views) are copied.
     */
    public static Tensor fromNd4j(org.nd4j.linalg.api.ndarray.INDArray array) {
        return Nd4jConvert.fromNd4j(array);
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Tensor add(Tensor o) {
        return apply(Ops.ADD, Attrs.NONE, this, o);
    }

    public Tensor add(double c) {
        return apply(Ops.ADD, Attrs.NONE, this, constant(c));
    }

    public Tensor sub(Tensor o) {
        return apply(Ops.SUB, Attrs.NONE, this, o);
    }

    public Tensor sub(double c) {
        return apply(Ops.SUB, Attrs.NONE, this, constant(c));
    }

    public Tensor mul(Tensor o) {
        return apply(Ops.MUL, Attrs.NONE, this, o);
    }

    public Tensor mul(double c) {
        return apply(Ops.MUL, Attrs.NONE, this, constant(c));
    }

    public Tensor div(Tensor o) {
        return apply(Ops.DIV, Attrs.NONE, this, o);
    }

    public Tensor div(double c) {
        return apply(Ops.DIV, Attrs.NONE, this, constant(c));
    }

    public Tensor pow(double c) {
        return apply(Ops.POW, Attrs.NONE, this, constant(c));
    }

    public Tensor neg() {
        return apply(Ops.NEG, Attrs.NONE, this);
    }

    public Tensor exp() {
        return apply(Ops.EXP, Attrs.NONE, this);
    }

    public Tensor log() {
        return apply(Ops.LOG, Attrs.NONE, this);
    }

    public Tensor sqrt() {
        return apply(Ops.SQRT, Attrs.NONE, this);
    }

    public Tensor abs() {
        return apply(Ops.ABS, Attrs.NONE, this);
    }

    public Tensor relu() {
        return apply(Ops.RELU, Attrs.NONE, this);
    }

    public Tensor sigmoid() {
        return apply(Ops.SIGMOID, Attrs.NONE, this);
    }

    public Tensor tanh() {
        return apply(Ops.TANH, Attrs.NONE, this);
    }

    public Tensor softmax(int dim) {
        return apply(Ops.SOFTMAX, Attrs.of("axis", dim), this);
    }

    public Tensor logSoftmax(int dim) {
        return apply(Ops.LOG_SOFTMAX, Attrs.of("axis", dim), this);
    }

    /** Matrix product over the last two axes, leading axes broadcast. */
    public Tensor matmul(Tensor o) {
        return apply(Ops.MATMUL, Attrs.NONE, this, o);
    }

    // ---------------------------------------------------------------- shapes

    /** A new shape with the same elements; one dimension may be -1 (inferred). */
    public Tensor reshape(int... shape) {
        return apply(Ops.RESHAPE, Attrs.of("shape", shape), this);
    }

    /** Swaps two dimensions. */
    public Tensor transpose(int dim0, int dim1) {
        int r = rank();
        int a = shape().axis(dim0, "transpose"), b = shape().axis(dim1, "transpose");
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return apply(Ops.TRANSPOSE, Attrs.of("perm", perm), this);
    }

    /** Reorders the dimensions: dimension i of the result is dimension dims[i] of this, as {@code permute}. */
    public Tensor permute(int... dims) {
        return apply(Ops.TRANSPOSE, Attrs.of("perm", dims), this);
    }

    /** Elements start..start+length-1 along {@code dim}, as {@code narrow}. */
    public Tensor narrow(int dim, int start, int length) {
        int axis = shape().axis(dim, "narrow");
        if (start < 0 || length < 0 || start + length > shape().dim(axis)) {
            throw new ShapeException("narrow: elements [" + start + ", " + (start + length) + ") do not fit dimension " + axis
                    + " of shape " + shape());
        }
        return apply(Ops.SLICE, Attrs.of("starts", new int[] {start}, "ends", new int[] {start + length}, "axes", new int[] {axis}), this);
    }

    /** The entries at int64 {@code index} along {@code dim}, as {@code index_select}. */
    public Tensor indexSelect(int dim, Tensor index) {
        if (index.rank() != 1) throw new ShapeException("indexSelect: the index must be 1-D, got " + index.type());
        return apply(Ops.GATHER, Attrs.of("axis", dim), this, index);
    }

    /**
     * The entries at int64 {@code index} along {@code dim}, as {@code torch.gather}: for a matrix and
     * dim 1, {@code out[i][j] = this[i][index[i][j]]}. The index has this tensor's rank and is no
     * larger on the other dimensions; negative entries count from the end.
     */
    public Tensor gather(int dim, Tensor index) {
        return apply(Ops.GATHER_ELEMENTS, Attrs.of("axis", dim), this, index);
    }

    /**
     * A copy with {@code src}'s entries written at int64 {@code index} along {@code dim}, as
     * {@code torch.scatter} ({@code Tensor.scatter}, not in place): for a matrix and dim 1,
     * {@code out[i][index[i][j]] = src[i][j]}; {@code src} has the index's shape.
     */
    public Tensor scatter(int dim, Tensor index, Tensor src) {
        return apply(Ops.SCATTER_ELEMENTS, Attrs.of("axis", dim), this, index, src);
    }

    /** As {@link #scatter}, adding {@code src}'s entries (repeated indices add up), as {@code torch.scatter_add}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return apply(Ops.SCATTER_ELEMENTS, Attrs.of("axis", dim, "reduction", "add"), this, index, src);
    }

    /** The values and int64 indices {@link #topk} and {@link #sort} give, as PyTorch's named tuple. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    /** The {@code k} largest entries along the last dimension, largest first, as {@code x.topk(k)}. */
    public ValuesIndices topk(int k) {
        return topk(k, -1, true);
    }

    /**
     * The {@code k} largest (or smallest) entries along {@code dim}, in that order, and where they
     * were, as {@code x.topk(k, dim, largest)}; equal values keep their order. The gradient flows
     * back to the positions taken.
     */
    public ValuesIndices topk(int k, int dim, boolean largest) {
        Tensor[] out = applyAll(Ops.TOP_K, Attrs.of("k", k, "axis", dim, "largest", largest), this);
        return new ValuesIndices(out[0], out[1]);
    }

    /** Sorted ascending along the last dimension, as {@code x.sort()}. */
    public ValuesIndices sort() {
        return sort(-1, false);
    }

    /** Sorted along {@code dim}, equal values in their order (PyTorch's {@code stable=True}), as {@code x.sort(dim, descending)}. */
    public ValuesIndices sort(int dim, boolean descending) {
        return topk(size(dim), dim, descending);
    }

    /**
     * Indexing as PyTorch's {@code x[...]}: one entry per leading dimension, each an int (picks that
     * position, negative from the end, and drops the dimension) or a {@link Slice}; dimensions not
     * named are taken whole. Gradients flow back into the positions taken.
     */
    public Tensor index(Object... indices) {
        if (indices.length > rank()) {
            throw new ShapeException("index: " + indices.length + " indices for a tensor of shape " + shape());
        }
        Tensor t = this;
        int dim = 0;
        for (Object ix : indices) {
            if (ix instanceof Integer) {
                t = t.select(dim, (Integer) ix);
            } else if (ix instanceof Slice) {
                Slice s = (Slice) ix;
                int[] b = s.bounds(t.size(dim));
                if (b[0] != 0 || b[1] != t.size(dim) || s.step != 1) {
                    t = apply(Ops.SLICE, Attrs.of("starts", new int[] {b[0]}, "ends", new int[] {b[1]}, "axes", new int[] {dim},
                            "steps", new int[] {s.step}), t);
                }
                dim++;
            } else {
                throw new JanusException("index: an index is an int or a Slice, got " + (ix == null ? "null" : ix.getClass().getSimpleName()));
            }
        }
        return t;
    }

    /** The slice at position {@code index} of dimension {@code dim}, that dimension removed, as {@code select}. */
    public Tensor select(int dim, int index) {
        int axis = shape().axis(dim, "select"), size = shape().dim(axis);
        if (index < -size || index >= size) {
            throw new ShapeException("select: index " + index + " is out of range for dimension " + axis + " of size " + size + " (shape " + shape() + ")");
        }
        int i = index < 0 ? index + size : index;
        int[] kept = new int[rank() - 1];
        for (int d = 0, k = 0; d < rank(); d++) if (d != axis) kept[k++] = shape().dim(d);
        return narrow(axis, i, 1).reshape(kept.length == 0 ? new int[0] : kept);
    }

    /** Drops every dimension of size 1, as {@code squeeze()}. */
    public Tensor squeeze() {
        int[] kept = Arrays.stream(shape().dims()).filter(d -> d != 1).toArray();
        return kept.length == rank() ? this : reshape(kept);
    }

    /** Drops dimension {@code dim} if its size is 1 (else returns this), as {@code squeeze(dim)}. */
    public Tensor squeeze(int dim) {
        int axis = shape().axis(dim, "squeeze");
        if (shape().dim(axis) != 1) return this;
        int[] kept = new int[rank() - 1];
        for (int d = 0, k = 0; d < rank(); d++) if (d != axis) kept[k++] = shape().dim(d);
        return reshape(kept);
    }

    /** Inserts a dimension of size 1 at {@code dim} (negative counts from the end of the result), as {@code unsqueeze}. */
    public Tensor unsqueeze(int dim) {
        int r = rank() + 1, axis = dim < 0 ? dim + r : dim;
        if (axis < 0 || axis >= r) throw new ShapeException("unsqueeze: dimension " + dim + " is out of range for a result of rank " + r);
        int[] dims = new int[r];
        for (int d = 0, k = 0; d < r; d++) dims[d] = d == axis ? 1 : shape().dim(k++);
        return reshape(dims);
    }

    /** Limits every element to [min, max], as {@code clamp}; the gradient passes where the element was inside. */
    public Tensor clamp(double min, double max) {
        if (min > max) throw new JanusException("clamp: min " + min + " is above max " + max);
        return apply(Ops.CLIP, Attrs.of("min", min, "max", max), this);
    }

    public Tensor clampMin(double min) {
        return apply(Ops.CLIP, Attrs.of("min", min), this);
    }

    public Tensor clampMax(double max) {
        return apply(Ops.CLIP, Attrs.of("max", max), this);
    }

    /** Stacks tensors of one shape along a new dimension {@code dim}, as {@code torch.stack}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new JanusException("stack: no tensors to stack");
        Tensor[] parts = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!tensors[i].shape().equals(tensors[0].shape())) {
                throw new ShapeException("stack: every tensor must have one shape; tensor 0 is " + tensors[0].shape() + ", tensor " + i + " is "
                        + tensors[i].shape());
            }
            parts[i] = tensors[i].unsqueeze(dim);
        }
        int axis = dim < 0 ? dim + tensors[0].rank() + 1 : dim;
        return parts.length == 1 ? parts[0] : apply(Ops.CONCAT, Attrs.of("axis", axis), parts);
    }

    /** Joins tensors along {@code dim}, as {@code torch.cat}. */
    public static Tensor cat(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new JanusException("cat: no tensors to join");
        return tensors.length == 1 ? tensors[0] : apply(Ops.CONCAT, Attrs.of("axis", dim), tensors);
    }

    /** The transpose of a matrix. */
    public Tensor t() {
        if (rank() != 2) throw new ShapeException("t: expects a 2-D tensor, got shape " + shape());
        return transpose(0, 1);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements. */
    public Tensor sum() {
        return apply(Ops.SUM, Attrs.NONE, this);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return apply(Ops.SUM, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    public Tensor mean() {
        return apply(Ops.MEAN, Attrs.NONE, this);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return apply(Ops.MEAN, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    /** Mean over several dimensions. */
    public Tensor mean(int[] dims, boolean keepdim) {
        return apply(Ops.MEAN, Attrs.of("axes", dims, "keepdims", keepdim), this);
    }

    /** Largest value along {@code dim}. */
    public Tensor amax(int dim, boolean keepdim) {
        return apply(Ops.MAX, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    /** Index of the largest value along {@code dim} (first on ties), int64. */
    public Tensor argmax(int dim) {
        return apply(Ops.ARGMAX, Attrs.of("axis", dim), this);
    }

    // ---------------------------------------------------------------- comparison and logic (bool results, broadcasting)

    /** Elementwise equality, bool. */
    public Tensor eq(Tensor o) {
        return apply(Ops.EQUAL, Attrs.NONE, this, o);
    }

    public Tensor eq(double c) {
        return eq(constant(c));
    }

    /** this != o; true where either is NaN, as PyTorch's {@code ne}. */
    public Tensor ne(Tensor o) {
        return eq(o).logicalNot();
    }

    public Tensor ne(double c) {
        return ne(constant(c));
    }

    /** this > o. */
    public Tensor gt(Tensor o) {
        return apply(Ops.GREATER, Attrs.NONE, this, o);
    }

    public Tensor gt(double c) {
        return gt(constant(c));
    }

    /** this < o. */
    public Tensor lt(Tensor o) {
        return o.gt(this);
    }

    public Tensor lt(double c) {
        return lt(constant(c));
    }

    /** this >= o (false where either is NaN). */
    public Tensor ge(Tensor o) {
        return gt(o).logicalOr(eq(o));
    }

    public Tensor ge(double c) {
        return ge(constant(c));
    }

    /** this <= o (false where either is NaN). */
    public Tensor le(Tensor o) {
        return lt(o).logicalOr(eq(o));
    }

    public Tensor le(double c) {
        return le(constant(c));
    }

    private Tensor requireBool(String op) {
        if (dtype() != DType.BOOL) throw new JanusException(op + ": expects a bool tensor, got " + type() + " (compare first, or use to(BOOL))");
        return this;
    }

    private static Tensor boolScalar(boolean b) {
        return scalar(b ? 1 : 0, DType.BOOL);
    }

    public Tensor logicalNot() {
        return apply(Ops.EQUAL, Attrs.NONE, requireBool("logicalNot"), boolScalar(false));
    }

    public Tensor logicalAnd(Tensor o) {
        return apply(Ops.WHERE, Attrs.NONE, requireBool("logicalAnd"), o.requireBool("logicalAnd"), boolScalar(false));
    }

    public Tensor logicalOr(Tensor o) {
        return apply(Ops.WHERE, Attrs.NONE, requireBool("logicalOr"), boolScalar(true), o.requireBool("logicalOr"));
    }

    public Tensor logicalXor(Tensor o) {
        return requireBool("logicalXor").ne(o.requireBool("logicalXor"));
    }

    /** Picks this where {@code condition} is true, else {@code other}, as {@code torch.where(condition, this, other)}. */
    public Tensor where(Tensor condition, Tensor other) {
        return apply(Ops.WHERE, Attrs.NONE, condition.requireBool("where"), this, other);
    }

    /** Converts to {@code dtype} (a float-to-float conversion passes gradients). */
    public Tensor to(DType dtype) {
        return dtype == dtype() ? this : apply(Ops.CAST, Attrs.of("to", dtype), this);
    }

    /**
     * Prints the values the way PyTorch does: {@code tensor([[0.1000, 0.2000]], grad_fn=<LinearBackward>)},
     * or {@code requires_grad=True} for a leaf that requires grad.
     */
    @Override
    public String toString() {
        String s = TensorFormat.format(this);
        String suffix = gradNode() != null ? "grad_fn=<" + gradNode().displayName() + ">" : requiresGrad() ? "requires_grad=True" : null;
        if (suffix == null) return s;
        return s.substring(0, s.length() - 1) + ", " + suffix + ")";
    }
}
