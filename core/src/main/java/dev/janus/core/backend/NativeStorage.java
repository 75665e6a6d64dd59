package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Storage off the heap, in an ND4J {@link DataBuffer} on the CPU: what an {@code INDArray} holds,
 * so tensors and ND4J arrays can share memory with no copy ({@code Tensor.fromNd4j}, {@code toNd4j}),
 * and native code (BLAS, ND4J's ops) reads it in place. The elements are {@code length} values from
 * element {@code offset} of the buffer. Memory is released with the buffer (ND4J's deallocator).
 */
public final class NativeStorage extends Storage {
    private final DataBuffer buffer;
    private final long offset;
    // The buffer's memory, typed; each access makes its own positioned copy (pointers are mutable).
    private final Pointer base;

    /** Shares {@code length} elements of {@code buffer} from element {@code offset} (no copy). */
    public NativeStorage(DataBuffer buffer, long offset, int length) {
        super(dtypeOf(buffer.dataType()), length);
        if (offset < 0 || offset + length > buffer.length()) {
            throw new JanusException("native storage: elements [" + offset + ", " + (offset + length)
                    + ") do not fit a buffer of " + buffer.length());
        }
        this.buffer = buffer;
        this.offset = offset;
        this.base = buffer.addressPointer();
        if (base.position() != 0) {
            throw new JanusException("native storage: the buffer's address pointer is positioned at " + base.position()
                    + "; expected 0");
        }
    }

    /** A zero-filled native storage (loads ND4J's backend on first use). */
    public static NativeStorage allocate(DType dtype, int length) {
        return new NativeStorage(Nd4j.createBuffer(nd4jType(dtype), Math.max(1, length), true), 0, length);
    }

    /** The ND4J buffer this storage shares (its elements start at {@link #offset()}). */
    public DataBuffer buffer() {
        return buffer;
    }

    public long offset() {
        return offset;
    }

    /** ND4J's data type for a dtype. */
    public static DataType nd4jType(DType dtype) {
        switch (dtype) {
            case FLOAT32: return DataType.FLOAT;
            case FLOAT64: return DataType.DOUBLE;
            case INT64: return DataType.LONG;
            case BOOL: return DataType.BOOL;
            default: throw new AssertionError(dtype);
        }
    }

    /** The dtype of an ND4J data type, or an error naming the ones supported. */
    public static DType dtypeOf(DataType t) {
        switch (t) {
            case FLOAT: return DType.FLOAT32;
            case DOUBLE: return DType.FLOAT64;
            case LONG: return DType.INT64;
            case BOOL: return DType.BOOL;
            default: throw new JanusException("ND4J dtype " + t + " is not supported (float, double, long, bool)");
        }
    }

    /** Element {@code i}'s memory as a float pointer (float32 only), for native kernels such as BLAS. */
    public FloatPointer floatPointer(int i) {
        return new FloatPointer(base).position(offset + i);
    }

    public DoublePointer doublePointer(int i) {
        return new DoublePointer(base).position(offset + i);
    }

    private LongPointer longs(int i) {
        return new LongPointer(base).position(offset + i);
    }

    private BytePointer bytes(int i) {
        return new BytePointer(base).position(offset + i);
    }

    @Override
    public StorageKind kind() {
        return StorageKind.NATIVE;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public double getDouble(int i) {
        check(i);
        switch (dtype()) {
            case FLOAT32: return new FloatPointer(base).get(offset + i);
            case FLOAT64: return new DoublePointer(base).get(offset + i);
            case INT64: return new LongPointer(base).get(offset + i);
            default: return new BytePointer(base).get(offset + i) != 0 ? 1 : 0;
        }
    }

    @Override
    public void setDouble(int i, double v) {
        check(i);
        switch (dtype()) {
            case FLOAT32: new FloatPointer(base).put(offset + i, (float) v); break;
            case FLOAT64: new DoublePointer(base).put(offset + i, v); break;
            case INT64: new LongPointer(base).put(offset + i, (long) v); break;
            default: new BytePointer(base).put(offset + i, (byte) (v != 0 ? 1 : 0));
        }
    }

    @Override
    public long getLong(int i) {
        check(i);
        return dtype() == DType.INT64 ? new LongPointer(base).get(offset + i) : (long) getDouble(i);
    }

    @Override
    public void setLong(int i, long v) {
        check(i);
        if (dtype() == DType.INT64) new LongPointer(base).put(offset + i, v);
        else setDouble(i, v);
    }

    // Pointer reads and writes are not bounds-checked: a bad index would touch foreign memory.
    private void check(int i) {
        if (i < 0 || i >= length()) throw new JanusException("index " + i + " is out of range for " + length() + " elements");
    }

    @Override
    public void fill(double v) {
        if (length() == 0) return;
        Object a = HeapStorage.newArray(dtype(), length());
        HeapStorage tmp = new HeapStorage(a, dtype());
        tmp.fill(v);
        fromHost(a, 0, 0, length());
    }

    @Override
    public void toHost(int pos, Object array, int arrayPos, int len) {
        checkRange(pos, len);
        if (len == 0) return;
        switch (dtype()) {
            case FLOAT32: floatPointer(pos).get((float[]) array, arrayPos, len); break;
            case FLOAT64: doublePointer(pos).get((double[]) array, arrayPos, len); break;
            case INT64: longs(pos).get((long[]) array, arrayPos, len); break;
            default: {
                byte[] b = new byte[len];
                bytes(pos).get(b, 0, len);
                boolean[] out = (boolean[]) array;
                for (int i = 0; i < len; i++) out[arrayPos + i] = b[i] != 0;
            }
        }
    }

    @Override
    public void fromHost(Object array, int arrayPos, int pos, int len) {
        checkRange(pos, len);
        if (len == 0) return;
        switch (dtype()) {
            case FLOAT32: floatPointer(pos).put((float[]) array, arrayPos, len); break;
            case FLOAT64: doublePointer(pos).put((double[]) array, arrayPos, len); break;
            case INT64: longs(pos).put((long[]) array, arrayPos, len); break;
            default: {
                boolean[] in = (boolean[]) array;
                byte[] b = new byte[len];
                for (int i = 0; i < len; i++) b[i] = (byte) (in[arrayPos + i] ? 1 : 0);
                bytes(pos).put(b, 0, len);
            }
        }
    }

    private void checkRange(int pos, int len) {
        if (pos < 0 || len < 0 || pos + (long) len > length()) {
            throw new JanusException("elements [" + pos + ", " + (pos + (long) len) + ") are out of range for " + length());
        }
    }
}
