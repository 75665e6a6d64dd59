package dev.janus.core;

import dev.janus.core.backend.HeapStorage;
import dev.janus.core.backend.Storage;
import dev.janus.core.backend.StorageKind;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array: a {@link DType}, a {@link Shape} (row-major, contiguous) and a
 * {@link Storage} on a {@link Device}.
 *
 * <p>By default the storage is a plain Java array on the heap ({@link StorageKind#HEAP}): small
 * tensors then cost a Java allocation rather than a native call, and the garbage collector frees
 * what is dropped (see the README for the measurements behind this). Tensors may also live in ND4J
 * native buffers ({@link StorageKind#NATIVE}, shared with {@code INDArray}s by {@link #fromNd4j}
 * and {@link #toNd4j()}) or on another device ({@link #to(Device)}).
 *
 * <p>A tensor is a value: ops never change their inputs. Kernels and optimizers that update
 * storage in place use {@link #copyFrom}, or (CPU kernels, heap storage only) write the raw arrays
 * ({@link #f32()} ...). Everything else reads and writes through the accessors here or the storage.
 */
public final class Tensor {
    private final DType dtype;
    private final Shape shape;
    private final Storage storage;
    // The Java array of heap storage (null for other kinds), kept here so kernels reach it in one step.
    private final Object array;

    private Tensor(DType dtype, Shape shape, Storage storage) {
        this.dtype = dtype;
        this.shape = shape;
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

    private static Tensor floatingEmpty(String what, DType dtype, int[] shape) {
        if (!dtype.isFloating()) throw new JanusException(what + ": dtype must be float32 or float64, got " + dtype);
        return empty(dtype, Shape.of(shape));
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

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(shape.axis(axis, "dim"));
    }

    public int numel() {
        return shape.size();
    }

    /** The element at {@code index} (one index per dimension, negative from the end). */
    public double getDouble(int... index) {
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

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + shape + " has " + numel() + " elements, not 1");
        return readDouble(0);
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
     * be in any storage on any devices: this is how data moves between them.
     */
    public void copyFrom(Tensor src) {
        if (src.dtype != dtype || !src.shape.equals(shape)) {
            throw new ShapeException("copyFrom: cannot copy " + src.type() + " into " + type());
        }
        if (array != null && src.array != null) System.arraycopy(src.array, 0, array, 0, numel());
        else storage.copy(src.storage, 0, 0, numel());
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
     * error and changes nothing.
     */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        Tensor t = empty(dtype, shape, device);
        t.copyFrom(this);
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

    /** Prints the values the way PyTorch does, e.g. {@code tensor([[1.0000, 2.5000]])}. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
