package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;

import java.nio.ByteBuffer;

/**
 * Storage in a Java array on the heap (the array type of its dtype, see {@link DType}): the fast
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

    /** The Java array type that holds a dtype on the heap (see {@link DType}). */
    public static Class<?> arrayType(DType dtype) {
        switch (dtype) {
            case FLOAT32: return float[].class;
            case FLOAT64: return double[].class;
            case INT64: case UINT64: return long[].class;
            case BOOL: return boolean[].class;
            case INT32: case UINT32: return int[].class;
            case INT16: case UINT16: case FLOAT16: case BFLOAT16: return short[].class;
            case INT8: case UINT8: return byte[].class;
            default: throw new AssertionError(dtype);
        }
    }

    /** A zero-filled array of the dtype's Java array type. */
    public static Object newArray(DType dtype, int length) {
        return java.lang.reflect.Array.newInstance(arrayType(dtype).getComponentType(), length);
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
        return getDouble(array, dtype(), i);
    }

    @Override
    public void setDouble(int i, double v) {
        setDouble(array, dtype(), i, v);
    }

    @Override
    public long getLong(int i) {
        return getLong(array, dtype(), i);
    }

    @Override
    public void setLong(int i, long v) {
        setLong(array, dtype(), i, v);
    }

    /** Element {@code i} of a host array of {@code dtype} as a double: unsigned types read unsigned, bool 0 or 1. */
    public static double getDouble(Object a, DType dtype, int i) {
        switch (dtype) {
            case FLOAT32: return ((float[]) a)[i];
            case FLOAT64: return ((double[]) a)[i];
            case INT64: return ((long[]) a)[i];
            case BOOL: return ((boolean[]) a)[i] ? 1 : 0;
            case UINT64: {
                long v = ((long[]) a)[i];
                return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
            }
            case FLOAT16: return HalfFloats.float16ToFloat(((short[]) a)[i]);
            case BFLOAT16: return HalfFloats.bfloat16ToFloat(((short[]) a)[i]);
            default: return getLong(a, dtype, i);
        }
    }

    /**
     * Sets element {@code i} as ONNX's Cast converts a value: to an integer type by truncating toward
     * zero and wrapping to its width; to float16/bfloat16 rounding to nearest even; to bool, non-zero
     * (NaN included) is true.
     */
    public static void setDouble(Object a, DType dtype, int i, double v) {
        switch (dtype) {
            case FLOAT32: ((float[]) a)[i] = (float) v; break;
            case FLOAT64: ((double[]) a)[i] = v; break;
            case BOOL: ((boolean[]) a)[i] = v != 0; break;
            case FLOAT16: ((short[]) a)[i] = HalfFloats.floatToFloat16((float) v); break;
            case BFLOAT16: ((short[]) a)[i] = HalfFloats.floatToBfloat16((float) v); break;
            case UINT64: ((long[]) a)[i] = v >= 0x1p63 ? (long) (v - 0x1p63) + Long.MIN_VALUE : (long) v; break;
            default: setLong(a, dtype, i, (long) v);
        }
    }

    /** Element {@code i} as a long: exact for every integer type (uint64 gives its bits), floats truncated. */
    public static long getLong(Object a, DType dtype, int i) {
        switch (dtype) {
            case INT64: case UINT64: return ((long[]) a)[i];
            case INT32: return ((int[]) a)[i];
            case UINT32: return ((int[]) a)[i] & 0xffffffffL;
            case INT16: return ((short[]) a)[i];
            case UINT16: return ((short[]) a)[i] & 0xffff;
            case INT8: return ((byte[]) a)[i];
            case UINT8: return ((byte[]) a)[i] & 0xff;
            default: return (long) getDouble(a, dtype, i);
        }
    }

    /** Sets element {@code i} from a long, wrapping to an integer type's width (two's complement, as C and ONNX do). */
    public static void setLong(Object a, DType dtype, int i, long v) {
        switch (dtype) {
            case INT64: case UINT64: ((long[]) a)[i] = v; break;
            case INT32: case UINT32: ((int[]) a)[i] = (int) v; break;
            case INT16: case UINT16: ((short[]) a)[i] = (short) v; break;
            case INT8: case UINT8: ((byte[]) a)[i] = (byte) v; break;
            default: setDouble(a, dtype, i, v);
        }
    }

    @Override
    public void fill(double v) {
        int n = length();
        if (n == 0) return;
        setDouble(0, v);
        for (int filled = 1; filled < n; filled *= 2) System.arraycopy(array, 0, array, filled, Math.min(filled, n - filled));
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
        Object a = newArray(dtype(), length());
        System.arraycopy(array, 0, a, 0, length());
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

    /** Writes a host array into {@code dst} in its byte order (bool as bytes 0/1, half floats as their bits). */
    public static void putBytes(Object a, ByteBuffer dst) {
        int n = java.lang.reflect.Array.getLength(a), at = dst.position();
        if (a instanceof float[]) dst.asFloatBuffer().put((float[]) a);
        else if (a instanceof double[]) dst.asDoubleBuffer().put((double[]) a);
        else if (a instanceof long[]) dst.asLongBuffer().put((long[]) a);
        else if (a instanceof int[]) dst.asIntBuffer().put((int[]) a);
        else if (a instanceof short[]) dst.asShortBuffer().put((short[]) a);
        else if (a instanceof byte[]) dst.put((byte[]) a);
        else for (boolean b : (boolean[]) a) dst.put((byte) (b ? 1 : 0));
        dst.position(at + n * elementBytes(a));
    }

    /** Fills a host array from {@code src} in its byte order (bool: any non-zero byte is true). */
    public static void getBytes(ByteBuffer src, Object a) {
        int n = java.lang.reflect.Array.getLength(a), at = src.position();
        if (a instanceof float[]) src.asFloatBuffer().get((float[]) a);
        else if (a instanceof double[]) src.asDoubleBuffer().get((double[]) a);
        else if (a instanceof long[]) src.asLongBuffer().get((long[]) a);
        else if (a instanceof int[]) src.asIntBuffer().get((int[]) a);
        else if (a instanceof short[]) src.asShortBuffer().get((short[]) a);
        else if (a instanceof byte[]) src.get((byte[]) a);
        else {
            boolean[] b = (boolean[]) a;
            for (int i = 0; i < b.length; i++) b[i] = src.get() != 0;
        }
        src.position(at + n * elementBytes(a));
    }

    private static int elementBytes(Object a) {
        if (a instanceof double[] || a instanceof long[]) return 8;
        if (a instanceof float[] || a instanceof int[]) return 4;
        return a instanceof short[] ? 2 : 1;
    }
}
