package dev.janus.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array of one {@link DType}, row-major and contiguous.
 *
 * <p>On the CPU the storage is a plain Java array (float[], double[], long[] or boolean[]): small
 * tensors then cost a Java allocation rather than an ND4J op dispatch, and the garbage collector
 * frees what is dropped (see the README for the measurements behind this). {@link #toNd4j()} and
 * {@link #fromNd4j} convert to and from ND4J's {@code INDArray}.
 *
 * <p>A tensor is a value: ops never change their inputs. Kernels and optimizers that update
 * storage in place use {@link #copyFrom}, or write the raw arrays ({@link #f32()} ...).
 */
public final class Tensor {
    private final DType dtype;
    private final Shape shape;
    private final Object data;

    private Tensor(DType dtype, Shape shape, Object data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    // ---------------------------------------------------------------- creation

    /** A zero-filled tensor; the usual way kernels get their output. */
    public static Tensor empty(DType dtype, Shape shape) {
        if (!shape.isStatic()) throw new ShapeException("cannot allocate a tensor of unknown shape " + shape);
        int n = shape.size();
        switch (dtype) {
            case FLOAT32: return new Tensor(dtype, shape, new float[n]);
            case FLOAT64: return new Tensor(dtype, shape, new double[n]);
            case INT64: return new Tensor(dtype, shape, new long[n]);
            case BOOL: return new Tensor(dtype, shape, new boolean[n]);
            default: throw new AssertionError(dtype);
        }
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
        return new Tensor(DType.FLOAT32, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(double[] values, int... shape) {
        return new Tensor(DType.FLOAT64, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(long[] values, int... shape) {
        return new Tensor(DType.INT64, checkedShape(values.length, shape), values.clone());
    }

    public static Tensor of(boolean[] values, int... shape) {
        return new Tensor(DType.BOOL, checkedShape(values.length, shape), values.clone());
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
        return new Tensor(DType.FLOAT32, Shape.of(rows.length, cols), flat);
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
        return new Tensor(DType.FLOAT64, Shape.of(rows.length, cols), flat);
    }

    /**
     * Wraps a Java array without copying: the array becomes the tensor's storage. The array must
     * match the dtype (float[] for float32, double[] for float64, long[] for int64, boolean[] for bool).
     */
    public static Tensor wrap(Object array, DType dtype, Shape shape) {
        Objects.requireNonNull(array, "array");
        Class<?> expected;
        switch (dtype) {
            case FLOAT32: expected = float[].class; break;
            case FLOAT64: expected = double[].class; break;
            case INT64: expected = long[].class; break;
            default: expected = boolean[].class;
        }
        if (array.getClass() != expected) {
            throw new JanusException("Tensor.wrap: a " + dtype + " tensor needs a " + expected.getSimpleName()
                    + ", got " + array.getClass().getSimpleName());
        }
        int length = java.lang.reflect.Array.getLength(array);
        if (!shape.isStatic() || shape.size() != length) {
            throw new ShapeException("Tensor.wrap: shape " + shape + " does not hold " + length + " values");
        }
        return new Tensor(dtype, shape, array);
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

    public Device device() {
        return Device.CPU;
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
        int i = flatIndex(index);
        return dtype == DType.INT64 ? i64()[i] : (long) readDouble(i);
    }

    public boolean getBoolean(int... index) {
        int i = flatIndex(index);
        return dtype == DType.BOOL ? bool()[i] : readDouble(i) != 0;
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

    /** Element {@code i} of the flat storage, as a double (bool reads as 0 or 1). */
    public double readDouble(int i) {
        switch (dtype) {
            case FLOAT32: return f32()[i];
            case FLOAT64: return f64()[i];
            case INT64: return i64()[i];
            default: return bool()[i] ? 1 : 0;
        }
    }

    /** Sets element {@code i} of the flat storage, converting like {@code cast}. */
    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32: f32()[i] = (float) v; break;
            case FLOAT64: f64()[i] = v; break;
            case INT64: i64()[i] = (long) v; break;
            default: bool()[i] = v != 0;
        }
    }

    /** A converted copy of the elements, row-major. */
    public float[] toFloatArray() {
        if (dtype == DType.FLOAT32) return f32().clone();
        float[] out = new float[numel()];
        for (int i = 0; i < out.length; i++) out[i] = (float) readDouble(i);
        return out;
    }

    public double[] toDoubleArray() {
        if (dtype == DType.FLOAT64) return f64().clone();
        double[] out = new double[numel()];
        for (int i = 0; i < out.length; i++) out[i] = readDouble(i);
        return out;
    }

    public long[] toLongArray() {
        if (dtype == DType.INT64) return i64().clone();
        long[] out = new long[numel()];
        for (int i = 0; i < out.length; i++) out[i] = (long) readDouble(i);
        return out;
    }

    public boolean[] toBooleanArray() {
        if (dtype == DType.BOOL) return bool().clone();
        boolean[] out = new boolean[numel()];
        for (int i = 0; i < out.length; i++) out[i] = readDouble(i) != 0;
        return out;
    }

    // ---------------------------------------------------------------- storage (for kernels)

    /** The float32 storage itself, not a copy. */
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

    private Object storage(DType want) {
        if (dtype != want) throw new JanusException("tensor is " + dtype + ", not " + want);
        return data;
    }

    /** The same storage seen with another shape of the same size (a view, not a copy). */
    public Tensor view(Shape newShape) {
        if (!newShape.isStatic() || newShape.size() != numel()) {
            throw new ShapeException("view: cannot view shape " + shape + " as " + newShape);
        }
        return new Tensor(dtype, newShape, data);
    }

    public Tensor copy() {
        Object d;
        switch (dtype) {
            case FLOAT32: d = f32().clone(); break;
            case FLOAT64: d = f64().clone(); break;
            case INT64: d = i64().clone(); break;
            default: d = bool().clone();
        }
        return new Tensor(dtype, shape, d);
    }

    /** Overwrites this tensor's elements with {@code src}'s; dtype and shape must match. */
    public void copyFrom(Tensor src) {
        if (src.dtype != dtype || !src.shape.equals(shape)) {
            throw new ShapeException("copyFrom: cannot copy " + src.type() + " into " + type());
        }
        System.arraycopy(src.data, 0, data, 0, numel());
    }

    /** Sets every element to {@code value}. */
    public void fill(double value) {
        switch (dtype) {
            case FLOAT32: Arrays.fill(f32(), (float) value); break;
            case FLOAT64: Arrays.fill(f64(), value); break;
            case INT64: Arrays.fill(i64(), (long) value); break;
            default: Arrays.fill(bool(), value != 0);
        }
    }

    // ---------------------------------------------------------------- ND4J interop

    /** A copy as an ND4J array (c order, same dtype). Loads ND4J's backend on first use. */
    public org.nd4j.linalg.api.ndarray.INDArray toNd4j() {
        return Nd4jConvert.toNd4j(this);
    }

    /** A copy of an ND4J array (any order; float, double, long or bool). */
    public static Tensor fromNd4j(org.nd4j.linalg.api.ndarray.INDArray array) {
        return Nd4jConvert.fromNd4j(array);
    }

    /** Prints the values the way PyTorch does, e.g. {@code tensor([[1.0000, 2.5000]])}. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
