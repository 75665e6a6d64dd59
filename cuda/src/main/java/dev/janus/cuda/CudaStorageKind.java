package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.backend.Storage;
import dev.janus.core.backend.StorageKind;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CUDA device memory: the backend found on the class path by {@link java.util.ServiceLoader}. Making
 * it touches no native code (its kernels are registered as plain objects), so a machine without
 * CUDA loads it fine; the runtime is loaded on the first question about devices, and using a
 * device where there is none is a clear "no CUDA device/driver found (...)" error.
 *
 * <p>Ops without a CUDA kernel run their CPU kernel on host copies, logged once per op
 * ({@link dev.janus.core.ops.Kernels}); {@link CudaKernels} lists which ops have kernels.
 */
public final class CudaStorageKind extends StorageKind {
    private final Map<Integer, CachingAllocator> allocators = new ConcurrentHashMap<>();

    public CudaStorageKind() {
        super("cuda", Device.CUDA_TYPE);
        CudaKernels.registerAll(this);
    }

    @Override
    public Storage allocate(DType dtype, int length, Device device) {
        checkDevice(device);
        return new CudaStorage(this, device, dtype, length, allocator(device));
    }

    CachingAllocator allocator(Device device) {
        return allocators.computeIfAbsent(device.index(), i -> new CachingAllocator(new CudaMalloc(i), CudaStorageKind::reclaim));
    }

    /** Lets unreachable device tensors give their blocks back (they are freed by a cleaner). */
    private static void reclaim() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The allocators made so far, by device index. */
    Map<Integer, CachingAllocator> allocators() {
        return allocators;
    }

    @Override
    public int deviceCount() {
        return CudaDriver.deviceCount();
    }

    @Override
    protected void checkDevice(Device device) {
        if (device.type().equals(Device.CUDA_TYPE) && CudaDriver.deviceCount() == 0) throw CudaDriver.unavailable("using " + device);
        super.checkDevice(device);
    }

    @Override
    public boolean hostFallback() {
        return true;
    }

    @Override
    public Stream newStream(Device device) {
        checkDevice(device);
        return new CudaStream(device);
    }
}
