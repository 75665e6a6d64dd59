package dev.janus.core.backend;

import dev.janus.core.Device;
import dev.janus.core.JanusException;

/**
 * Which storage kind a new tensor gets on a device: one kind always, or on the CPU by size, heap
 * below a number of elements and native from it ({@link #auto()}: the threshold measured on this
 * project's machine, benchmarks/RESULTS.md "CPU backend"). Small tensors are fastest in Java
 * arrays (no native call, the garbage collector frees them); large ones in native memory, where
 * matrix products read them with no copy. Compiled plans use the heap unless asked for
 * {@link #auto()}: on its own it did not pay (a CIFAR-sized CNN lost 30%, see
 * {@link #AUTO_THRESHOLD}).
 */
public final class StoragePolicy {
    /**
     * Elements from which {@link #auto()} puts a tensor in native storage: 2^16 (256 KB of floats).
     * Native storage saves a product the copies of its operands (about 10% of the product at these
     * sizes) but costs each elementwise op its tiles (1.5 to 5 times the heap's time), so only steps
     * of large tensors gain. Measured (benchmarks/RESULTS.md "CPU backend", loaded machine): with
     * 2^16 the MLP steps of widths 32 to 512 at batch 256 stay within noise of all-heap, while
     * all-native loses up to 36%; the 784-512-512-10 step at batch 1024 gains 3 to 8%. 2^18 measured
     * the same within noise; 2^20 gives the gain up. A CIFAR-sized CNN step (batch 64) lost 30% under
     * it, its convolutions and pooling staging native operands through the heap, so plans default
     * to the heap.
     */
    public static final int AUTO_THRESHOLD = 1 << 16;

    private static final StoragePolicy HEAP = new StoragePolicy(StorageKind.HEAP, StorageKind.HEAP, Integer.MAX_VALUE);
    private static final StoragePolicy AUTO = new StoragePolicy(StorageKind.HEAP, StorageKind.NATIVE, AUTO_THRESHOLD);

    private final StorageKind small, large;
    private final int threshold;

    private StoragePolicy(StorageKind small, StorageKind large, int threshold) {
        this.small = small;
        this.large = large;
        this.threshold = threshold;
    }

    /** Every tensor in {@code kind}. */
    public static StoragePolicy of(StorageKind kind) {
        return kind == StorageKind.HEAP ? HEAP : new StoragePolicy(kind, kind, Integer.MAX_VALUE);
    }

    /** On the CPU: heap below {@code minNativeElements} elements, native from it. */
    public static StoragePolicy bySize(int minNativeElements) {
        if (minNativeElements < 0) throw new JanusException("storage policy: the threshold must be >= 0, got " + minNativeElements);
        return minNativeElements == AUTO_THRESHOLD ? AUTO : new StoragePolicy(StorageKind.HEAP, StorageKind.NATIVE, minNativeElements);
    }

    /** On the CPU by the measured threshold ({@link #AUTO_THRESHOLD}). */
    public static StoragePolicy auto() {
        return AUTO;
    }

    /** True when every tensor goes to the heap (the eager fast path: no kind to choose). */
    public boolean heapOnly() {
        return this == HEAP;
    }

    /** The kind for a tensor of {@code elements} elements. */
    public StorageKind kindFor(long elements) {
        return elements >= threshold ? large : small;
    }

    /** The type of device its kinds live on. */
    public String deviceType() {
        return large.deviceType();
    }

    /** Whether this policy's kinds live on {@code device}'s type. */
    public boolean fits(Device device) {
        return small.deviceType().equals(device.type()) && large.deviceType().equals(device.type());
    }

    @Override
    public String toString() {
        if (small == large) return small.name();
        return small.name() + " below " + threshold + " elements, " + large.name() + " from it";
    }
}
