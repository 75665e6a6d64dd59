package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;

import java.nio.ByteBuffer;

/**
 * The elements of a tensor: a flat run of {@link #length()} values of one {@link DType} on one
 * {@link Device}, held in some {@link StorageKind} of memory (a Java array, an ND4J native buffer,
 * device memory). Shapes live in the tensor, not here, so views of one storage share it.
 *
 * <p>Everything here works on every kind, by copying through the host where it must: element reads
 * and writes (slow on a device, as {@code tensor.item()} is in PyTorch), bulk copies to and from
 * Java arrays and byte buffers, and copies between storages of any kind or device. Kernels reach
 * the memory itself through the subclass of their kind.
 */
public abstract class Storage {
    private final DType dtype;
    private final int length;

    protected Storage(DType dtype, int length) {
        if (length < 0) throw new JanusException("storage length must be >= 0, got " + length);
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final int length() {
        return length;
    }

    public abstract StorageKind kind();

    public abstract Device device();

    /** Element {@code i} as a double (bool reads as 0 or 1). */
    public abstract double getDouble(int i);

    /** Sets element {@code i}, converting like {@code cast} (bool: non-zero is true). */
    public abstract void setDouble(int i, double v);

    /** Element {@code i} as a long: exact for int64. */
    public long getLong(int i) {
        return (long) getDouble(i);
    }

    public void setLong(int i, long v) {
        setDouble(i, v);
    }

    public abstract void fill(double v);

    /**
     * Copies {@code len} elements from {@code pos} into {@code array} at {@code arrayPos}; the array
     * is the dtype's Java array type ({@link HeapStorage#arrayType}).
     */
    public abstract void toHost(int pos, Object array, int arrayPos, int len);

    /** Copies {@code len} elements of {@code array} from {@code arrayPos} into this storage at {@code pos}. */
    public abstract void fromHost(Object array, int arrayPos, int pos, int len);

    /**
     * Copies {@code len} elements of {@code src} (same dtype, any kind and device) from {@code srcPos}
     * into this storage at {@code pos}. The general path goes through a host array; kinds override it
     * where they can copy directly.
     */
    public void copy(Storage src, int srcPos, int pos, int len) {
        checkCopy(src, srcPos, pos, len);
        if (src instanceof HeapStorage) {
            fromHost(((HeapStorage) src).array(), srcPos, pos, len);
        } else {
            Object tmp = HeapStorage.newArray(dtype, len);
            src.toHost(srcPos, tmp, 0, len);
            fromHost(tmp, 0, pos, len);
        }
    }

    protected final void checkCopy(Storage src, int srcPos, int pos, int len) {
        if (src.dtype != dtype) throw new JanusException("copy: cannot copy " + src.dtype + " storage into " + dtype + " storage");
        if (srcPos < 0 || pos < 0 || len < 0 || srcPos + (long) len > src.length || pos + (long) len > length) {
            throw new JanusException("copy: elements [" + srcPos + ", " + (srcPos + (long) len) + ") of " + src.length
                    + " into [" + pos + ", " + (pos + (long) len) + ") of " + length + " are out of range");
        }
    }

    /** A new storage of the same kind, device and contents. */
    public Storage copy() {
        Storage s = kind().allocate(dtype, length, device());
        s.copy(this, 0, 0, length);
        return s;
    }

    /**
     * Writes every element into {@code dst} at its position, in its byte order: {@link DType#bytes()}
     * bytes each, bool as one byte 0 or 1 (the layout of safetensors, ONNX and ND4J).
     */
    public void toBytes(ByteBuffer dst) {
        Object a = HeapStorage.newArray(dtype, length);
        toHost(0, a, 0, length);
        HeapStorage.putBytes(a, dst);
    }

    /** Reads every element from {@code src} at its position, laid out as {@link #toBytes} writes it. */
    public void fromBytes(ByteBuffer src) {
        Object a = HeapStorage.newArray(dtype, length);
        HeapStorage.getBytes(src, a);
        fromHost(a, 0, 0, length);
    }

    /**
     * Releases the memory now where this kind holds it outside the Java heap (native, device
     * memory); the storage must not be used after. Heap storage does nothing: the garbage collector
     * frees it. Owners that know a storage's lifetime (a compiled plan's buffers) close it; the rest
     * is released when the storage is collected.
     */
    public void close() {
    }

    @Override
    public String toString() {
        return kind().name() + " storage of " + length + " " + dtype + " on " + device();
    }
}
