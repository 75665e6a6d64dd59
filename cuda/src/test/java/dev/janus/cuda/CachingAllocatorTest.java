package dev.janus.cuda;

import dev.janus.core.JanusException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator's bookkeeping, on a fake device of a fixed capacity. */
class CachingAllocatorTest {
    /** Hands out addresses from a counter up to a capacity; records what is live. */
    static final class FakeMemory implements DeviceMemory {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long next = 0x1000, used;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) return 0;
            long a = next;
            next += bytes;
            live.put(a, bytes);
            used += bytes;
            return a;
        }

        @Override
        public void free(long address) {
            Long b = live.remove(address);
            if (b == null) throw new AssertionError("double or foreign free of " + address);
            used -= b;
        }
    }

    @Test
    void freedBlocksAreReusedWithoutTheDriver() {
        FakeMemory mem = new FakeMemory(1 << 20);
        CachingAllocator a = new CachingAllocator(mem, () -> { });
        CachingAllocator.Block b1 = a.allocate(1000, null);
        assertEquals(1024, b1.size, "rounded up to 512 bytes");
        a.free(b1);
        CachingAllocator.Block b2 = a.allocate(900, null);
        assertEquals(b1.address, b2.address, "the pooled block serves a request of its size class");
        MemoryStats s = a.stats();
        assertEquals(1, s.deviceMallocs());
        assertEquals(2, s.requests());
        assertEquals(1, s.reused());
        assertEquals(1024, s.allocatedBytes());
        assertEquals(0, s.cachedBytes());
    }

    @Test
    void aWarmLoopMakesNoDeviceCalls() {
        FakeMemory mem = new FakeMemory(1 << 24);
        CachingAllocator a = new CachingAllocator(mem, () -> { });
        long[] sizes = {4096, 512 * 4, 1 << 16, 40, 4096};
        for (int step = 0; step < 10; step++) {
            CachingAllocator.Block[] bs = new CachingAllocator.Block[sizes.length];
            for (int i = 0; i < sizes.length; i++) bs[i] = a.allocate(sizes[i], null);
            for (CachingAllocator.Block b : bs) a.free(b);
        }
        assertEquals(sizes.length, a.stats().deviceMallocs(), "only the first step reaches the driver");
        assertEquals(0, a.stats().allocatedBytes());
        assertEquals(a.stats().reservedBytes(), mem.used);
    }

    @Test
    void muchLargerBlocksAndOtherStreamsAreNotReused() {
        FakeMemory mem = new FakeMemory(1 << 24);
        CachingAllocator a = new CachingAllocator(mem, () -> { });
        CachingAllocator.Block big = a.allocate(1 << 16, null);
        a.free(big);
        CachingAllocator.Block small = a.allocate(1024, null);
        assertNotEquals(big.address, small.address, "a block more than a quarter larger stays pooled");
        Object streamA = new Object(), streamB = new Object();
        CachingAllocator.Block onA = a.allocate(4096, streamA);
        a.free(onA);
        CachingAllocator.Block onB = a.allocate(4096, streamB);
        assertNotEquals(onA.address, onB.address, "a block freed on one stream is not handed to another");
        assertEquals(onA.address, a.allocate(4096, streamA).address);
    }

    @Test
    void emptyCacheReturnsPooledBlocksOnly() {
        FakeMemory mem = new FakeMemory(1 << 24);
        CachingAllocator a = new CachingAllocator(mem, () -> { });
        CachingAllocator.Block kept = a.allocate(2048, null);
        a.free(a.allocate(8192, null));
        a.free(a.allocate(512, null));
        assertEquals(2048 + 8192 + 512, mem.used);
        a.emptyCache();
        assertEquals(2048, mem.used);
        assertEquals(Map.of(kept.address, 2048L), mem.live);
        assertEquals(0, a.stats().cachedBytes());
        assertEquals(2, a.stats().deviceFrees());
        assertEquals(2048 + 8192, a.stats().peakAllocatedBytes());
    }

    @Test
    void outOfMemoryEmptiesTheCacheRetriesThenFailsClearly() {
        FakeMemory mem = new FakeMemory(10_240);
        int[] reclaims = {0};
        CachingAllocator a = new CachingAllocator(mem, () -> reclaims[0]++);
        a.free(a.allocate(8192, null));
        CachingAllocator.Block b = a.allocate(9000, null);
        assertEquals(9216, b.size, "the pooled 8 KiB block was returned to make room");
        assertEquals(0, reclaims[0]);
        JanusException e = assertThrows(JanusException.class, () -> a.allocate(4096, null));
        assertEquals(1, reclaims[0], "unreachable tensors were given a chance to free their blocks");
        assertEquals("CUDA out of memory: tried to allocate 4096 bytes; 9216 bytes allocated by Janus, 0 bytes cached"
                + " (freed after emptyCache())", e.getMessage());
        assertEquals(9216, a.stats().allocatedBytes(), "a failed request changes nothing");
    }
}
