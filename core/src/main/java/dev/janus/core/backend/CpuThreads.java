package dev.janus.core.backend;

import dev.janus.core.JanusException;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many CPU threads one op may use, and the pool that runs the parts of a large kernel.
 *
 * <p>The count starts as the number of cores, or {@code OMP_NUM_THREADS} when that is set (the
 * variable OpenBLAS and ND4J follow too, so one setting governs every CPU library), or the system
 * property {@code janus.threads}; {@link #setThreads} changes it. Kernels split only large work
 * ({@link #parallelFor} with a grain measured per kernel): tiny tensors stay on the caller's thread
 * with no hand-off at all. Work is always split into the same ranges for the same size and count,
 * and a kernel splits its outputs, never the order of a sum, so results do not depend on which
 * thread ran which part, nor on the count.
 *
 * <p>One pool serves the process. A caller that finds it busy (another thread's kernel holds it)
 * runs its parts itself, so concurrent callers never oversubscribe the cores; a part that calls
 * {@code parallelFor} again runs inline.
 */
public final class CpuThreads {
    /** What a kernel runs on one part: elements [from, to) of its range. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static volatile int threads = initialThreads();
    private static volatile int blasThreads;
    private static volatile int minPartWork = 1 << 15;
    private static final Pool POOL = new Pool();
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    private CpuThreads() {
    }

    private static int initialThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        String prop = System.getProperty("janus.threads");
        Integer n = parse(prop);
        if (n == null) n = parse(System.getenv("OMP_NUM_THREADS"));
        return n == null ? cores : Math.max(1, n);
    }

    private static Integer parse(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            int n = Integer.parseInt(s.trim().split(",")[0]);
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The most threads one op uses (its own and the BLAS's). */
    public static int threads() {
        return threads;
    }

    /** Sets the most threads one op uses, from 1 (everything on the caller's thread). */
    public static void setThreads(int n) {
        if (n < 1) throw new JanusException("threads must be >= 1, got " + n);
        threads = n;
    }

    /**
     * The work, counted in cheap elementwise operations (an add of two floats), below which a part of
     * a split kernel is not worth handing to another thread: 2^15 (about 10 µs on one core;
     * {@code SplitGrainBenchmark} with OMP_NUM_THREADS=2 measures where splitting pays). Kernels
     * derive their grains from it by their cost per element ({@link #grain}).
     */
    public static int minPartWork() {
        return minPartWork;
    }

    /** Changes {@link #minPartWork()} (for measuring where splitting pays; 1 splits everything that can be). */
    public static void setMinPartWork(int work) {
        if (work < 1) throw new JanusException("the smallest part must be >= 1, got " + work);
        minPartWork = work;
    }

    /** Elements per part for a kernel whose elements each cost {@code costPerElement} cheap operations. */
    public static int grain(int costPerElement) {
        return Math.max(1, minPartWork / Math.max(1, costPerElement));
    }

    /**
     * Into how many parts (threads of this pool) every BLAS product is split, or 0 (the default)
     * when each product's count is chosen by its size. OpenBLAS itself always runs one thread.
     */
    public static int blasThreads() {
        return blasThreads;
    }

    /**
     * Pins every BLAS product to {@code n} parts (a deterministic mode pins 1: float64 products and
     * small split parts may round differently), or with 0 lets each product's size choose (the
     * default; 2 parts where they are faster, never where they are slower).
     */
    public static void setBlasThreads(int n) {
        if (n < 0) throw new JanusException("BLAS threads must be >= 0 (0: chosen per product), got " + n);
        blasThreads = n;
    }

    /**
     * Runs {@code body} over [0, n) in up to {@link #threads()} contiguous parts of at least
     * {@code grain} elements each: on the caller's thread alone when n is below two grains.
     */
    public static void parallelFor(int n, int grain, Range body) {
        int parts = parts(n, grain);
        if (parts <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        POOL.run(parts, n, body);
    }

    /** True on a thread running one part of a split kernel (nested work then stays on it). */
    public static boolean inPart() {
        return INSIDE.get()[0];
    }

    /** How many parts {@link #parallelFor} cuts [0, n) into. */
    public static int parts(int n, int grain) {
        int t = threads;
        if (t <= 1 || n < 2L * Math.max(1, grain) || INSIDE.get()[0]) return 1;
        return (int) Math.min(t, n / Math.max(1, grain));
    }

    // Part p of parts over [0, n).
    static int boundary(int p, int parts, int n) {
        return (int) ((long) n * p / parts);
    }

    /**
     * The pool: worker threads that spin briefly after a job (kernels of one plan follow each other
     * within microseconds) and then park. One job at a time; its first part runs on the caller.
     */
    private static final class Pool {
        /**
         * How long a worker waits spinning for its next part, and a caller for the workers, before
         * parking: 0.3 ms, about what OpenMP runtimes spin by default. Split nodes of a plan follow
         * each other within that (a few small serial nodes between them), while a parked thread
         * runs again 25 µs after its unpark at the median and 270 µs at the 90th percentile (this
         * 2-core VM, loaded). With 50 µs the worker parked about 7 times in each 7 ms step of a
         * w=512 MLP on two threads.
         */
        private static final long SPIN_NANOS = 300_000;
        private final ReentrantLock busy = new ReentrantLock();
        private Worker[] workers = new Worker[0];
        private final AtomicInteger pending = new AtomicInteger();
        private volatile Thread waiter;
        private volatile Throwable failure;

        void run(int parts, int n, Range body) {
            if (!busy.tryLock()) {
                for (int p = 0; p < parts; p++) runPart(body, p, parts, n);
                return;
            }
            boolean[] inside = INSIDE.get();
            inside[0] = true;
            try {
                ensureWorkers(parts - 1);
                failure = null;
                waiter = Thread.currentThread();
                pending.set(parts - 1);
                for (int p = 1; p < parts; p++) workers[p - 1].start(body, p, parts, n);
                Throwable own = null;
                try {
                    body.run(0, boundary(1, parts, n));
                } catch (Throwable t) {
                    own = t;
                }
                awaitWorkers();
                Throwable t = own != null ? own : failure;
                if (t instanceof RuntimeException) throw (RuntimeException) t;
                if (t instanceof Error) throw (Error) t;
                if (t != null) throw new JanusException("a kernel's part failed: " + t, t);
            } finally {
                inside[0] = false;
                waiter = null;
                busy.unlock();
            }
        }

        private static void runPart(Range body, int p, int parts, int n) {
            int from = boundary(p, parts, n), to = boundary(p + 1, parts, n);
            if (to > from) body.run(from, to);
        }

        private void awaitWorkers() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (pending.get() > 0) {
                if (System.nanoTime() < deadline) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 100_000);
            }
        }

        private void ensureWorkers(int count) {
            if (workers.length >= count) return;
            Worker[] w = java.util.Arrays.copyOf(workers, count);
            for (int i = workers.length; i < count; i++) {
                w[i] = new Worker(this, i + 1);
                w[i].thread.start();
            }
            workers = w;
        }

        void done(Throwable t) {
            if (t != null && failure == null) failure = t;
            if (pending.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }
    }

    private static final class Worker implements Runnable {
        private final Pool pool;
        private final Thread thread;
        private volatile Range body;
        private int part, parts, n;

        Worker(Pool pool, int index) {
            this.pool = pool;
            this.thread = new Thread(this, "janus-cpu-" + index);
            thread.setDaemon(true);
        }

        void start(Range body, int part, int parts, int n) {
            this.part = part;
            this.parts = parts;
            this.n = n;
            this.body = body;   // volatile write publishes the fields above
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            INSIDE.get()[0] = true;
            while (true) {
                Range b = body;
                if (b == null) {
                    long deadline = System.nanoTime() + Pool.SPIN_NANOS;
                    while ((b = body) == null && System.nanoTime() < deadline) Thread.onSpinWait();
                    if (b == null) {
                        LockSupport.park(this);
                        continue;
                    }
                }
                body = null;
                Throwable failed = null;
                try {
                    Pool.runPart(b, part, parts, n);
                } catch (Throwable t) {
                    failed = t;
                }
                pool.done(failed);
            }
        }
    }
}
