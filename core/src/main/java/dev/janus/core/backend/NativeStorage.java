package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.ByteIndexer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.LongIndexer;
import org.bytedeco.javacpp.indexer.ShortIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Storage off the heap, on the CPU: native code (BLAS, ND4J's ops) reads it in place, and ND4J
 * arrays share it with no copy ({@code Tensor.fromNd4j}, {@code toNd4j}).
 *
 * <p>Two origins. {@link #allocate} takes memory through JavaCPP, so it counts in
 * {@code Pointer.totalBytes()} (whose limit makes the JVM collect garbage before native memory
 * runs away) and {@link #close} releases it at once: compiled plans close their buffers, and what
 * nobody closes is freed when the storage is collected. An ND4J buffer shared from an
 * {@code INDArray} stays ND4J's: closing the storage only stops this storage using it.
 *
 * <p>The elements are {@code length} values from element {@code offset} of the memory.
 */
public final class NativeStorage extends Storage {
    // The memory's first element, typed by dtype; each access makes its own positioned copy (pointers are mutable).
    private final Pointer base;
    private final long offset;
    // Memory this storage allocated (null when shared from ND4J), and ND4J's view of the memory (made on first use).
    private final Pointer owned;
    private DataBuffer buffer;
    private volatile boolean closed;

    /** Shares {@code length} elements of {@code buffer} from element {@code offset} (no copy). */
    public NativeStorage(DataBuffer buffer, long offset, int length) {
        super(dtypeOf(buffer.dataType()), length);
        if (offset < 0 || offset + length > buffer.length()) {
            throw new JanusException("native storage: elements [" + offset + ", " + (offset + length)
                    + ") do not fit a buffer of " + buffer.length());
        }
        this.buffer = buffer;
        this.offset = offset;
        this.owned = null;
        this.base = buffer.addressPointer();
        if (base.position() != 0) {
            throw new JanusException("native storage: the buffer's address pointer is positioned at " + base.position()
                    + "; expected 0");
        }
    }

    private NativeStorage(DType dtype, int length, Pointer memory) {
        super(dtype, length);
        this.base = memory;
        this.owned = memory;
        this.offset = 0;
    }

    private static volatile long memoryLimit = defaultLimit();

    private static long defaultLimit() {
        String s = System.getProperty("janus.maxNativeBytes");
        if (s != null && !s.isBlank()) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new JanusException("janus.maxNativeBytes must be a number of bytes, got '" + s + "'");
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * The native memory (as JavaCPP counts it, {@code Pointer.totalBytes()}) above which a new
     * native storage first makes the garbage collector run, so that storages nobody closed and
     * nobody holds are freed before more is taken, as the JDK does for direct buffers. Default: the
     * heap's maximum, or the system property {@code janus.maxNativeBytes}.
     */
    public static void setMemoryLimit(long bytes) {
        if (bytes <= 0) throw new JanusException("native memory limit must be > 0 bytes, got " + bytes);
        memoryLimit = bytes;
    }

    public static long memoryLimit() {
        return memoryLimit;
    }

    // Over the limit: collect, and give JavaCPP's deallocator thread a moment to free what died.
    private static void makeRoom(long bytes) {
        if (Pointer.totalBytes() + bytes <= memoryLimit) return;
        synchronized (NativeStorage.class) {
            for (int i = 0; i < 20 && Pointer.totalBytes() + bytes > memoryLimit; i++) {
                System.gc();
                try {
                    Thread.sleep(i == 0 ? 1 : 10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A zero-filled native storage of its own memory (ND4J is not loaded for it). */
    public static NativeStorage allocate(DType dtype, int length) {
        long n = Math.max(1, length);
        makeRoom(n * dtype.bytes());
        Pointer p;
        switch (dtype) {
            case FLOAT32: p = new FloatPointer(n); break;
            case FLOAT64: p = new DoublePointer(n); break;
            case INT64: case UINT64: p = new LongPointer(n); break;
            case INT32: case UINT32: p = new IntPointer(n); break;
            case INT16: case UINT16: case FLOAT16: case BFLOAT16: p = new ShortPointer(n); break;
            default: p = new BytePointer(n);
        }
        if (p.isNull()) throw new OutOfMemoryError("native storage: cannot allocate " + n * dtype.bytes() + " bytes");
        p.zero();
        return new NativeStorage(dtype, length, p);
    }

    /**
     * ND4J's buffer over this memory: the one it was shared from, or one made on first use that
     * shares this storage's memory (and keeps it alive while ND4J holds it).
     */
    public synchronized DataBuffer buffer() {
        checkOpen();
        if (buffer == null) buffer = Nd4j.createBuffer(owned, nd4jType(dtype()), Math.max(1, length()), indexer(owned));
        return buffer;
    }

    private static Indexer indexer(Pointer p) {
        if (p instanceof FloatPointer) return FloatIndexer.create((FloatPointer) p);
        if (p instanceof DoublePointer) return DoubleIndexer.create((DoublePointer) p);
        if (p instanceof LongPointer) return LongIndexer.create((LongPointer) p);
        if (p instanceof IntPointer) return IntIndexer.create((IntPointer) p);
        if (p instanceof ShortPointer) return ShortIndexer.create((ShortPointer) p);
        return ByteIndexer.create((BytePointer) p);
    }

    /** Where this storage's elements start in {@link #buffer()}. */
    public long offset() {
        return offset;
    }

    /**
     * Releases memory this storage allocated, now (a shared ND4J buffer is left to ND4J). Any later
     * use of the storage is an error; ND4J arrays made from it by {@code toNd4j()} must not be used
     * after either.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (owned != null) owned.close();
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) throw new JanusException("native storage of " + length() + " " + dtype() + " was closed; it cannot be used");
    }

    /** ND4J's data type for a dtype. */
    public static DataType nd4jType(DType dtype) {
        switch (dtype) {
            case FLOAT32: return DataType.FLOAT;
            case FLOAT64: return DataType.DOUBLE;
            case INT64: return DataType.LONG;
            case BOOL: return DataType.BOOL;
            case INT8: return DataType.BYTE;
            case UINT8: return DataType.UBYTE;
            case INT16: return DataType.SHORT;
            case UINT16: return DataType.UINT16;
            case INT32: return DataType.INT;
            case UINT32: return DataType.UINT32;
            case UINT64: return DataType.UINT64;
            case FLOAT16: return DataType.HALF;
            case BFLOAT16: return DataType.BFLOAT16;
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
            case BYTE: return DType.INT8;
            case UBYTE: return DType.UINT8;
            case SHORT: return DType.INT16;
            case UINT16: return DType.UINT16;
            case INT: return DType.INT32;
            case UINT32: return DType.UINT32;
            case UINT64: return DType.UINT64;
            case HALF: return DType.FLOAT16;
            case BFLOAT16: return DType.BFLOAT16;
            default: throw new JanusException("ND4J dtype " + t + " is not supported");
        }
    }

    /** Element {@code i}'s memory as a float pointer (float32 only), for native kernels such as BLAS. */
    public FloatPointer floatPointer(int i) {
        checkOpen();
        return new FloatPointer(base).position(offset + i);
    }

    public DoublePointer doublePointer(int i) {
        checkOpen();
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
            case BOOL: return new BytePointer(base).get(offset + i) != 0 ? 1 : 0;
            default: return HeapStorage.getDouble(element(i), dtype(), 0);
        }
    }

    @Override
    public void setDouble(int i, double v) {
        check(i);
        switch (dtype()) {
            case FLOAT32: new FloatPointer(base).put(offset + i, (float) v); break;
            case FLOAT64: new DoublePointer(base).put(offset + i, v); break;
            case INT64: new LongPointer(base).put(offset + i, (long) v); break;
            case BOOL: new BytePointer(base).put(offset + i, (byte) (v != 0 ? 1 : 0)); break;
            default: {
                Object a = HeapStorage.newArray(dtype(), 1);
                HeapStorage.setDouble(a, dtype(), 0, v);
                fromHost(a, 0, i, 1);
            }
        }
    }

    @Override
    public long getLong(int i) {
        check(i);
        return dtype() == DType.INT64 ? new LongPointer(base).get(offset + i) : HeapStorage.getLong(element(i), dtype(), 0);
    }

    @Override
    public void setLong(int i, long v) {
        check(i);
        if (dtype() == DType.INT64) {
            new LongPointer(base).put(offset + i, v);
        } else {
            Object a = HeapStorage.newArray(dtype(), 1);
            HeapStorage.setLong(a, dtype(), 0, v);
            fromHost(a, 0, i, 1);
        }
    }

    // Element i in a one-element host array of the dtype's type.
    private Object element(int i) {
        Object a = HeapStorage.newArray(dtype(), 1);
        toHost(i, a, 0, 1);
        return a;
    }

    // Pointer reads and writes are not bounds-checked: a bad index would touch foreign memory.
    private void check(int i) {
        checkOpen();
        if (i < 0 || i >= length()) throw new JanusException("index " + i + " is out of range for " + length() + " elements");
    }

    @Override
    public void fill(double v) {
        checkOpen();
        if (length() == 0) return;
        if (v == 0) {
            Pointer.memset(new BytePointer(base).position(offset * dtype().bytes()), 0, (long) length() * dtype().bytes());
            return;
        }
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
            case INT64: case UINT64: longs(pos).get((long[]) array, arrayPos, len); break;
            case INT32: case UINT32: new IntPointer(base).position(offset + pos).get((int[]) array, arrayPos, len); break;
            case INT16: case UINT16: case FLOAT16: case BFLOAT16:
                new ShortPointer(base).position(offset + pos).get((short[]) array, arrayPos, len);
                break;
            case INT8: case UINT8: bytes(pos).get((byte[]) array, arrayPos, len); break;
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
            case INT64: case UINT64: longs(pos).put((long[]) array, arrayPos, len); break;
            case INT32: case UINT32: new IntPointer(base).position(offset + pos).put((int[]) array, arrayPos, len); break;
            case INT16: case UINT16: case FLOAT16: case BFLOAT16:
                new ShortPointer(base).position(offset + pos).put((short[]) array, arrayPos, len);
                break;
            case INT8: case UINT8: bytes(pos).put((byte[]) array, arrayPos, len); break;
            default: {
                boolean[] in = (boolean[]) array;
                byte[] b = new byte[len];
                for (int i = 0; i < len; i++) b[i] = (byte) (in[arrayPos + i] ? 1 : 0);
                bytes(pos).put(b, 0, len);
            }
        }
    }

    /**
     * Copies the raw bits of float32 elements [pos, pos + len) into {@code bits} at {@code bitsPos}
     * (no conversion: NaN payloads and signed zeros stay), for kernels that work on the bits.
     */
    public void bitsToHost(int pos, int[] bits, int bitsPos, int len) {
        checkFloatBits(pos, len);
        if (len > 0) new IntPointer(base).position(offset + pos).get(bits, bitsPos, len);
    }

    /** Writes raw float32 bits from {@code bits} at {@code bitsPos} into elements [pos, pos + len). */
    public void bitsFromHost(int[] bits, int bitsPos, int pos, int len) {
        checkFloatBits(pos, len);
        if (len > 0) new IntPointer(base).position(offset + pos).put(bits, bitsPos, len);
    }

    private void checkFloatBits(int pos, int len) {
        if (dtype() != DType.FLOAT32) throw new JanusException("raw bits: storage is " + dtype() + ", not FLOAT32");
        checkRange(pos, len);
    }

    /** Native to native copies go straight through memory (memcpy); others through the host. */
    @Override
    public void copy(Storage src, int srcPos, int pos, int len) {
        if (!(src instanceof NativeStorage)) {
            super.copy(src, srcPos, pos, len);
            return;
        }
        checkCopy(src, srcPos, pos, len);
        checkOpen();
        NativeStorage s = (NativeStorage) src;
        s.checkOpen();
        if (len == 0) return;
        long w = dtype().bytes();
        Pointer.memmove(new BytePointer(base).position((offset + pos) * w), new BytePointer(s.base).position((s.offset + srcPos) * w), len * w);
    }

    private void checkRange(int pos, int len) {
        checkOpen();
        if (pos < 0 || len < 0 || pos + (long) len > length()) {
            throw new JanusException("elements [" + pos + ", " + (pos + (long) len) + ") are out of range for " + length());
        }
    }
}
