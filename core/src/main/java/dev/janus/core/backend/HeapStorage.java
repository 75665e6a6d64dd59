package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Storage in a Java array on the heap (float[], double[], long[] or boolean[] by dtype): the fast
 * path for small tensors, with no native call and freed by the garbage collector. The CPU
 * reference kernels of the op set run on this kind.
 */
public final class HeapStorage extends Storage {
    private final Object array;

    /** Wraps {@code array} (no copy); it must be the dtype's array type. */
    public HeapStorage(Object array, DType dtype) {
        super(dtype, checkedLength(array, dtype));
        this.array = array;
    }

    // For arrays made here, of the right type by construction.
    private HeapStorage(DType dtype, Object array, int length) {
        super(dtype, length);
        this.array = array;
    }

    private static int checkedLength(Object array, DType dtype) {
        if (array == null) throw new JanusException("heap storage: the array is null");
        Class<?> expected = arrayType(dtype);
        if (array.getClass() != expected) {
            throw new JanusException("a " + dtype + " tensor needs a " + expected.getSimpleName()
                    + ", got " + array.getClass().getSimpleName());
        }
        return java.lang.reflect.Array.getLength(array);
    }

    /** A zero-filled heap storage. */
    public static HeapStorage allocate(DType dtype, int length) {
        return new HeapStorage(dtype, newArray(dtype, length), length);
    }

    /** The Java array type that holds a dtype on the heap. */
    public static Class<?> arrayType(DType dtype) {
        switch (dtype) {
            case FLOAT32: return float[].class;
            case FLOAT64: return double[].class;
            case INT64: return long[].class;
            case BOOL: return boolean[].class;
            default: throw new AssertionError(dtype);
        }
    }

    /** A zero-filled array of the dtype's Java array type. */
    public static Object newArray(DType dtype, int length) {
        switch (dtype) {
            case FLOAT32: return new float[length];
            case FLOAT64: return new double[length];
            case INT64: return new long[length];
            case BOOL: return new boolean[length];
            default: throw new AssertionError(dtype);
        }
    }

    /** The array itself, not a copy: for CPU kernels. */
    public Object array() {
        return array;
    }

    @Override
    public StorageKind kind() {
        return StorageKind.HEAP;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public double getDouble(int i) {
        switch (dtype()) {
            case FLOAT32: return ((float[]) array)[i];
            case FLOAT64: return ((double[]) array)[i];
            case INT64: return ((long[]) array)[i];
            default: return ((boolean[]) array)[i] ? 1 : 0;
        }
    }

    @Override
    public void setDouble(int i, double v) {
        switch (dtype()) {
            case FLOAT32: ((float[]) array)[i] = (float) v; break;
            case FLOAT64: ((double[]) array)[i] = v; break;
            case INT64: ((long[]) array)[i] = (long) v; break;
            default: ((boolean[]) array)[i] = v != 0;
        }
    }

    @Override
    public long getLong(int i) {
        return dtype() == DType.INT64 ? ((long[]) array)[i] : (long) getDouble(i);
    }

    @Override
    public void setLong(int i, long v) {
        if (dtype() == DType.INT64) ((long[]) array)[i] = v;
        else setDouble(i, v);
    }

    @Override
    public void fill(double v) {
        switch (dtype()) {
            case FLOAT32: Arrays.fill((float[]) array, (float) v); break;
            case FLOAT64: Arrays.fill((double[]) array, v); break;
            case INT64: Arrays.fill((long[]) array, (long) v); break;
            default: Arrays.fill((boolean[]) array, v != 0);
        }
    }

    @Override
    public void toHost(int pos, Object dst, int dstPos, int len) {
        System.arraycopy(array, pos, dst, dstPos, len);
    }

    @Override
    public void fromHost(Object src, int srcPos, int pos, int len) {
        System.arraycopy(src, srcPos, array, pos, len);
    }

    @Override
    public void copy(Storage src, int srcPos, int pos, int len) {
        checkCopy(src, srcPos, pos, len);
        if (src instanceof HeapStorage) System.arraycopy(((HeapStorage) src).array, srcPos, array, pos, len);
        else src.toHost(srcPos, array, pos, len);
    }

    @Override
    public Storage copy() {
        Object a;
        switch (dtype()) {
            case FLOAT32: a = ((float[]) array).clone(); break;
            case FLOAT64: a = ((double[]) array).clone(); break;
            case INT64: a = ((long[]) array).clone(); break;
            default: a = ((boolean[]) array).clone();
        }
        return new HeapStorage(dtype(), a, length());
    }

    @Override
    public void toBytes(ByteBuffer dst) {
        putBytes(array, dst);
    }

    @Override
    public void fromBytes(ByteBuffer src) {
        getBytes(src, array);
    }

    /** Writes a host array into {@code dst} in its byte order (bool as bytes 0/1). */
    public static void putBytes(Object a, ByteBuffer dst) {
        if (a instanceof float[]) {
            float[] f = (float[]) a;
            dst.asFloatBuffer().put(f);
            dst.position(dst.position() + 4 * f.length);
        } else if (a instanceof double[]) {
            double[] d = (double[]) a;
            dst.asDoubleBuffer().put(d);
            dst.position(dst.position() + 8 * d.length);
        } else if (a instanceof long[]) {
            long[] l = (long[]) a;
            dst.asLongBuffer().put(l);
            dst.position(dst.position() + 8 * l.length);
        } else {
            for (boolean b : (boolean[]) a) dst.put((byte) (b ? 1 : 0));
        }
    }

    /** Fills a host array from {@code src} in its byte order (bool: any non-zero byte is true). */
    public static void getBytes(ByteBuffer src, Object a) {
        if (a instanceof float[]) {
            float[] f = (float[]) a;
            src.asFloatBuffer().get(f);
            src.position(src.position() + 4 * f.length);
        } else if (a instanceof double[]) {
            double[] d = (double[]) a;
            src.asDoubleBuffer().get(d);
            src.position(src.position() + 8 * d.length);
        } else if (a instanceof long[]) {
            long[] l = (long[]) a;
            src.asLongBuffer().get(l);
            src.position(src.position() + 8 * l.length);
        } else {
            boolean[] b = (boolean[]) a;
            for (int i = 0; i < b.length; i++) b[i] = src.get() != 0;
        }
    }
}
