package dev.janus.cuda;

/**
 * Raw device memory, as the driver hands it out: what the {@link CachingAllocator} sits on. The
 * real one calls cudaMalloc and cudaFree; tests use a fake to check the allocator's bookkeeping.
 */
interface DeviceMemory {
    /** The address of {@code bytes} new bytes, or 0 when the device is out of memory. */
    long malloc(long bytes);

    void free(long address);
}
