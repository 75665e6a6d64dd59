package dev.janus.cuda;

import dev.janus.core.Device;
import dev.janus.core.backend.StorageKind;

/**
 * The CUDA backend's questions and knobs, as {@code torch.cuda} has them: whether a device can be
 * used (and why not), how many there are, the caching allocator's statistics and
 * {@link #emptyCache()}.
 */
public final class Cuda {
    private Cuda() {
    }

    /** True when the CUDA runtime loaded and sees at least one device. Never throws. */
    public static boolean isAvailable() {
        return CudaDriver.deviceCount() > 0;
    }

    public static int deviceCount() {
        return CudaDriver.deviceCount();
    }

    /** Why no CUDA device can be used ("cudaGetDeviceCount failed: ..."), or null when one can. */
    public static String unavailableReason() {
        return CudaDriver.reason();
    }

    /**
     * "NVIDIA H100 80GB HBM3, compute capability 9.0, 79.1 GiB, driver 13.0, runtime 13.0" for
     * device {@code index}; an error naming why when no device can be used.
     */
    public static String describe(int index) {
        if (index < 0 || index >= deviceCount()) throw CudaDriver.unavailable("describing cuda:" + index);
        return DeviceInfo.describe(index);
    }

    /** Returns the memory every device's allocator keeps for reuse to the driver (tensors in use stay). */
    public static void emptyCache() {
        kind().allocators().values().forEach(CachingAllocator::emptyCache);
    }

    /** The caching allocator's statistics for {@code device} (zeros before its first allocation). */
    public static MemoryStats memoryStats(Device device) {
        CachingAllocator a = kind().allocators().get(device.index());
        return a == null ? new MemoryStats(0, 0, 0, 0, 0, 0, 0) : a.stats();
    }

    static CudaStorageKind kind() {
        return (CudaStorageKind) StorageKind.named("cuda");
    }
}
