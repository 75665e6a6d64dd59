package dev.janus.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Times the training steps of each epoch (only the steps: validation is left out) and counts the
 * bytes the training thread allocates in them. {@link #begin()} before an epoch's first step,
 * {@link #mark()} after each step, {@link #close(int)} at the end of the epoch.
 */
public final class StepClock {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final List<Double> microsPerStep = new ArrayList<>();
    private long start, startBytes, end, endBytes, steps, bytes;

    public void begin() {
        start = System.nanoTime();
        startBytes = THREADS.getCurrentThreadAllocatedBytes();
        end = start;
        endBytes = startBytes;
    }

    public void mark() {
        end = System.nanoTime();
        endBytes = THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Ends the epoch at the last mark. */
    public void close(int stepsInEpoch) {
        if (stepsInEpoch <= 0) return;
        microsPerStep.add((end - start) / 1e3 / stepsInEpoch);
        steps += stepsInEpoch;
        bytes += endBytes - startBytes;
    }

    /** The mean time per step of each epoch, in microseconds. */
    public List<Double> microsPerStep() {
        return Collections.unmodifiableList(microsPerStep);
    }

    /** The median over epochs of the time per step: the first epoch, which includes warming up, weighs no more than any other. */
    public double medianMicrosPerStep() {
        if (microsPerStep.isEmpty()) return Double.NaN;
        List<Double> sorted = new ArrayList<>(microsPerStep);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public long steps() {
        return steps;
    }

    /** Bytes allocated by the training thread per step, on average. */
    public double bytesPerStep() {
        return steps == 0 ? Double.NaN : (double) bytes / steps;
    }

    /** Collects garbage and restarts the heap pools' peak counters (before a run). */
    public static void resetHeapPeak() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        }
    }

    /** The heap in use at its peak since {@link #resetHeapPeak()}, garbage not yet collected included. */
    public static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }
}
