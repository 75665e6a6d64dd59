package dev.janus.cuda;

import dev.janus.core.JanusException;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device memory handed out in blocks and kept when freed, as PyTorch's caching allocator does:
 * cudaMalloc and cudaFree synchronize the device and cost tens of microseconds, so a freed block
 * goes to a pool and the next request of about its size takes it back. A warm training step thus
 * allocates nothing from the driver. {@link #emptyCache()} returns the pooled blocks.
 *
 * <p>Blocks are pooled per stream: a block freed while kernels queued on its stream may still read
 * it is reused only by work queued later on the same stream, which runs after them. Sizes are
 * rounded up to 512 bytes; a pooled block serves a request when it is at most a quarter larger
 * (blocks are not split). When the device is out of memory the pools are emptied and the request
 * tried again, then it fails with a message giving what is allocated and cached. Thread-safe:
 * storages are freed from the cleaner thread.
 */
final class CachingAllocator {
    static final long ROUND = 512;

    /** A run of device memory owned by the allocator. */
    static final class Block {
        final long address, size;
        final Object stream;

        Block(long address, long size, Object stream) {
            this.address = address;
            this.size = size;
            this.stream = stream;
        }
    }

    private final DeviceMemory memory;
    private final Runnable reclaim;
    private final Map<Object, TreeMap<Long, ArrayDeque<Block>>> pools = new HashMap<>();
    private long allocated, cached, peak, requests, reused, mallocs, frees;

    /**
     * @param reclaim run once when the device is out of memory, before the pools are emptied (the
     *                real backend runs the garbage collector so unreachable tensors free their blocks)
     */
    CachingAllocator(DeviceMemory memory, Runnable reclaim) {
        this.memory = memory;
        this.reclaim = reclaim;
    }

    static long rounded(long bytes) {
        return Math.max(ROUND, (bytes + ROUND - 1) / ROUND * ROUND);
    }

    /** A block of at least {@code bytes} bytes for work on {@code stream} (any key; null = the default stream). */
    Block allocate(long bytes, Object stream) {
        if (bytes < 0) throw new JanusException("cannot allocate " + bytes + " bytes");
        long size = rounded(bytes);
        synchronized (this) {
            requests++;
            Block b = takeCached(size, stream);
            if (b != null) {
                reused++;
                return handOut(b);
            }
            long address = memory.malloc(size);
            if (address == 0) {
                emptyCache();
                address = memory.malloc(size);
            }
            if (address != 0) return handOut(newBlock(address, size, stream));
        }
        // Still out of memory: unreachable tensors may hold blocks; let them go and try once more.
        reclaim.run();
        synchronized (this) {
            emptyCache();
            long address = memory.malloc(size);
            if (address != 0) return handOut(newBlock(address, size, stream));
            throw new JanusException("CUDA out of memory: tried to allocate " + mib(size) + "; " + mib(allocated)
                    + " allocated by Janus, " + mib(cached) + " cached (freed after emptyCache())");
        }
    }

    private Block newBlock(long address, long size, Object stream) {
        mallocs++;
        return new Block(address, size, stream);
    }

    private Block handOut(Block b) {
        allocated += b.size;
        peak = Math.max(peak, allocated);
        return b;
    }

    private Block takeCached(long size, Object stream) {
        TreeMap<Long, ArrayDeque<Block>> pool = pools.get(stream);
        if (pool == null) return null;
        Map.Entry<Long, ArrayDeque<Block>> e = pool.ceilingEntry(size);
        if (e == null || e.getKey() > size + size / 4) return null;
        Block b = e.getValue().pop();
        if (e.getValue().isEmpty()) pool.remove(e.getKey());
        cached -= b.size;
        return b;
    }

    /** Gives a block back: it is kept for reuse on its stream. */
    synchronized void free(Block b) {
        allocated -= b.size;
        cached += b.size;
        pools.computeIfAbsent(b.stream, s -> new TreeMap<>()).computeIfAbsent(b.size, s -> new ArrayDeque<>()).push(b);
    }

    /** Returns every pooled block to the device (blocks in use stay). */
    synchronized void emptyCache() {
        for (TreeMap<Long, ArrayDeque<Block>> pool : pools.values()) {
            for (ArrayDeque<Block> q : pool.values()) {
                for (Block b : q) {
                    memory.free(b.address);
                    frees++;
                }
            }
        }
        pools.clear();
        cached = 0;
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(allocated, cached, peak, requests, reused, mallocs, frees);
    }

    private static String mib(long bytes) {
        if (bytes < 1 << 20) return bytes + " bytes";
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
