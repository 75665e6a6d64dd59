package dev.janus.core.backend;

import dev.janus.core.JanusException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU pool: every element once, small work on the caller, errors carried back, concurrent callers. */
class CpuThreadsTest {
    private final int threads = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
        CpuThreads.setBlasThreads(0);
        CpuThreads.setMinPartWork(1 << 15);
    }

    private static AtomicIntegerArray cover(int n, int grain) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        CpuThreads.parallelFor(n, grain, (from, to) -> {
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        return seen;
    }

    @Test
    void everyElementRunsExactlyOnce() {
        CpuThreads.setThreads(4);
        for (int n : new int[] {0, 1, 7, 100, 1000, 4097}) {
            AtomicIntegerArray seen = cover(n, 10);
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n = " + n + ", element " + i);
        }
    }

    @Test
    void partsFollowTheGrainAndTheThreadCount() {
        CpuThreads.setThreads(2);
        assertEquals(1, CpuThreads.parts(100, 64), "below two grains: no split");
        assertEquals(2, CpuThreads.parts(128, 64));
        assertEquals(2, CpuThreads.parts(1 << 20, 64), "never more parts than threads");
        CpuThreads.setThreads(1);
        assertEquals(1, CpuThreads.parts(1 << 20, 64));
    }

    @Test
    void smallWorkAndOneThreadStayOnTheCaller() {
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ran = new AtomicReference<>();
        CpuThreads.setThreads(2);
        CpuThreads.parallelFor(10, 100, (from, to) -> ran.set(Thread.currentThread()));
        assertSame(caller, ran.get());
        CpuThreads.setThreads(1);
        CpuThreads.parallelFor(1 << 20, 1, (from, to) -> ran.set(Thread.currentThread()));
        assertSame(caller, ran.get());
    }

    @Test
    void largeWorkUsesAnotherThreadAndNestedWorkStaysInItsPart() {
        CpuThreads.setThreads(2);
        ConcurrentHashMap<Thread, Boolean> used = new ConcurrentHashMap<>();
        ConcurrentHashMap<Thread, Boolean> nested = new ConcurrentHashMap<>();
        CpuThreads.parallelFor(2, 1, (from, to) -> {
            used.put(Thread.currentThread(), true);
            assertTrue(CpuThreads.inPart());
            Thread outer = Thread.currentThread();
            CpuThreads.parallelFor(1000, 1, (a, b) -> nested.put(Thread.currentThread(), Thread.currentThread() == outer));
        });
        assertEquals(2, used.size(), "two parts on two threads");
        assertFalse(nested.containsValue(false), "a nested split runs inline");
        assertFalse(CpuThreads.inPart());
    }

    @Test
    void aFailingPartIsRethrownToTheCallerAfterAllPartsEnd() {
        CpuThreads.setThreads(2);
        AtomicIntegerArray done = new AtomicIntegerArray(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CpuThreads.parallelFor(2, 1, (from, to) -> {
            done.set(from, 1);
            if (from == 1) throw new IllegalStateException("part 1 failed");
        }));
        assertEquals("part 1 failed", e.getMessage());
        assertEquals(1, done.get(0));
        assertEquals(1, done.get(1));
        assertEquals(1, cover(100, 1).get(99), "the pool works after a failure");
    }

    @Test
    void concurrentCallersEachGetEveryElement() throws Exception {
        CpuThreads.setThreads(2);
        int callers = 4, n = 100_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] ts = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            ts[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 50; round++) {
                        AtomicIntegerArray seen = cover(n, 1000);
                        for (int i = 0; i < n; i++) if (seen.get(i) != 1) throw new AssertionError("element " + i + " ran " + seen.get(i) + " times");
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            ts[c].start();
        }
        start.countDown();
        for (Thread t : ts) t.join(60_000);
        assertNull(failure.get());
    }

    @Test
    void countsAreChecked() {
        assertThrows(JanusException.class, () -> CpuThreads.setThreads(0));
        assertThrows(JanusException.class, () -> CpuThreads.setBlasThreads(-1));
        assertThrows(JanusException.class, () -> CpuThreads.setMinPartWork(0));
        CpuThreads.setMinPartWork(1000);
        assertEquals(125, CpuThreads.grain(8), "a grain is the smallest part's work over the cost per element");
        assertEquals(1, CpuThreads.grain(5000));
        CpuThreads.setBlasThreads(1);
        assertEquals(1, CpuThreads.blasThreads());
    }
}
