package dev.janus.cuda;

/**
 * What the caching allocator of one device holds, like PyTorch's {@code torch.cuda.memory_stats}:
 * bytes handed out to tensors and bytes kept for reuse (block sizes, rounded up to 512), and
 * counters since the start: requests, those served from the cache, and driver calls.
 */
public record MemoryStats(long allocatedBytes, long cachedBytes, long peakAllocatedBytes, long requests, long reused,
                          long deviceMallocs, long deviceFrees) {
    /** Bytes taken from the driver: allocated plus cached. */
    public long reservedBytes() {
        return allocatedBytes + cachedBytes;
    }
}
