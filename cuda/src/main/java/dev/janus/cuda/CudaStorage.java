package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.backend.HeapStorage;
import dev.janus.core.backend.Storage;
import dev.janus.core.backend.StorageKind;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

import java.lang.ref.Cleaner;

/**
 * Elements in device memory: a block of the device's {@link CachingAllocator}, given back to it
 * when the storage becomes unreachable. Layout: float32 4 bytes, float64 and int64 8, bool 1 byte
 * (0 or 1). Host access copies synchronously (after the kernels queued before it, see
 * {@link CudaStream}); element access is therefore slow, as {@code item()} is in PyTorch.
 */
final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaStorageKind kind;
    private final Device device;
    private final CachingAllocator.Block block;

    CudaStorage(CudaStorageKind kind, Device device, DType dtype, int length, CachingAllocator allocator) {
        super(dtype, length);
        this.kind = kind;
        this.device = device;
        CudaStream s = CudaStream.current();
        this.block = allocator.allocate((long) length * elementBytes(dtype), s);
        CachingAllocator.Block b = block;
        CLEANER.register(this, () -> allocator.free(b));
        if (length > 0) {
            long bytes = (long) length * elementBytes(dtype);
            int rc = s == null ? cudart.cudaMemset(new DevicePointer(b.address), 0, bytes)
                    : cudart.cudaMemsetAsync(new DevicePointer(b.address), 0, bytes, s.handle);
            CudaDriver.check(rc, "cudaMemset");
        }
    }

    static int elementBytes(DType dtype) {
        switch (dtype) {
            case FLOAT32: return 4;
            case BOOL: return 1;
            default: return 8;
        }
    }

    /** The device address of element {@code i}. */
    long address(int i) {
        return block.address + (long) i * elementBytes(dtype());
    }

    @Override
    public StorageKind kind() {
        return kind;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public double getDouble(int i) {
        Object a = HeapStorage.newArray(dtype(), 1);
        toHost(i, a, 0, 1);
        return new HeapStorage(a, dtype()).getDouble(0);
    }

    @Override
    public void setDouble(int i, double v) {
        HeapStorage h = HeapStorage.allocate(dtype(), 1);
        h.setDouble(0, v);
        fromHost(h.array(), 0, i, 1);
    }

    @Override
    public long getLong(int i) {
        if (dtype() != DType.INT64) return super.getLong(i);
        long[] a = new long[1];
        toHost(i, a, 0, 1);
        return a[0];
    }

    @Override
    public void setLong(int i, long v) {
        if (dtype() != DType.INT64) super.setLong(i, v);
        else fromHost(new long[] {v}, 0, i, 1);
    }

    @Override
    public void fill(double v) {
        if (v == 0 && length() > 0) {
            CudaDriver.check(cudart.cudaMemset(new DevicePointer(address(0)), 0, (long) length() * elementBytes(dtype())), "cudaMemset");
            return;
        }
        HeapStorage h = HeapStorage.allocate(dtype(), length());
        h.fill(v);
        fromHost(h.array(), 0, 0, length());
    }

    @Override
    public void toHost(int pos, Object array, int arrayPos, int len) {
        if (len == 0) return;
        long bytes = (long) len * elementBytes(dtype());
        Pointer host = hostBuffer(len);
        try {
            CudaDriver.check(cudart.cudaMemcpy(host, new DevicePointer(address(pos)), bytes, cudart.cudaMemcpyDeviceToHost), "cudaMemcpy (device to host)");
            switch (dtype()) {
                case FLOAT32: ((FloatPointer) host).get((float[]) array, arrayPos, len); break;
                case FLOAT64: ((DoublePointer) host).get((double[]) array, arrayPos, len); break;
                case INT64: ((LongPointer) host).get((long[]) array, arrayPos, len); break;
                default: {
                    boolean[] b = (boolean[]) array;
                    BytePointer p = (BytePointer) host;
                    for (int i = 0; i < len; i++) b[arrayPos + i] = p.get(i) != 0;
                }
            }
        } finally {
            host.close();
        }
    }

    @Override
    public void fromHost(Object array, int arrayPos, int pos, int len) {
        if (len == 0) return;
        long bytes = (long) len * elementBytes(dtype());
        Pointer host = hostBuffer(len);
        try {
            switch (dtype()) {
                case FLOAT32: ((FloatPointer) host).put((float[]) array, arrayPos, len); break;
                case FLOAT64: ((DoublePointer) host).put((double[]) array, arrayPos, len); break;
                case INT64: ((LongPointer) host).put((long[]) array, arrayPos, len); break;
                default: {
                    boolean[] b = (boolean[]) array;
                    BytePointer p = (BytePointer) host;
                    for (int i = 0; i < len; i++) p.put(i, (byte) (b[arrayPos + i] ? 1 : 0));
                }
            }
            CudaDriver.check(cudart.cudaMemcpy(new DevicePointer(address(pos)), host, bytes, cudart.cudaMemcpyHostToDevice), "cudaMemcpy (host to device)");
        } finally {
            host.close();
        }
    }

    private Pointer hostBuffer(int len) {
        switch (dtype()) {
            case FLOAT32: return new FloatPointer(len);
            case FLOAT64: return new DoublePointer(len);
            case INT64: return new LongPointer(len);
            default: return new BytePointer(len);
        }
    }

    @Override
    public void copy(Storage src, int srcPos, int pos, int len) {
        if (src instanceof CudaStorage && src.device().equals(device)) {
            checkCopy(src, srcPos, pos, len);
            if (len == 0) return;
            CudaStorage s = (CudaStorage) src;
            CudaDriver.check(cudart.cudaMemcpy(new DevicePointer(address(pos)), new DevicePointer(s.address(srcPos)),
                    (long) len * elementBytes(dtype()), cudart.cudaMemcpyDeviceToDevice), "cudaMemcpy (device to device)");
            return;
        }
        super.copy(src, srcPos, pos, len);
    }
}
