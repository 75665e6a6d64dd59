package dev.janus.graph;

import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.backend.StoragePolicy;

/**
 * Which passes the compiler runs, and who sees the IR between them. Every pass can be switched off,
 * and results do not change when one is: the passes only save work and memory. Shape inference
 * (specialisation to the input shapes) always runs; gradient rules need static shapes.
 */
public final class CompileOptions {
    private boolean constantFolding = true, transposes = true, cse = true, dce = true, fusion = true, bufferReuse = true, inPlace = true,
            nativeProducts = true;
    private IrListener listener;
    private Device device = Device.CPU;
    private StoragePolicy storage = StoragePolicy.of(StorageKind.HEAP);

    public static CompileOptions defaults() {
        return new CompileOptions();
    }

    /** Every optimisation off: the plain IR, one buffer per value. */
    public static CompileOptions none() {
        return new CompileOptions().constantFolding(false).transposes(false).cse(false).dce(false).fusion(false).bufferReuse(false).inPlace(false)
                .nativeProducts(false);
    }

    public CompileOptions constantFolding(boolean on) {
        constantFolding = on;
        return this;
    }

    /** Merges a transpose of a transpose into one, or drops both when they undo each other. */
    public CompileOptions transposes(boolean on) {
        transposes = on;
        return this;
    }

    public CompileOptions cse(boolean on) {
        cse = on;
        return this;
    }

    public CompileOptions dce(boolean on) {
        dce = on;
        return this;
    }

    public CompileOptions fusion(boolean on) {
        fusion = on;
        return this;
    }

    /** Lets values whose lifetimes do not overlap share a buffer. */
    public CompileOptions bufferReuse(boolean on) {
        bufferReuse = on;
        return this;
    }

    /** Lets elementwise ops write over an input that dies with them, and updates land in the parameters. */
    public CompileOptions inPlace(boolean on) {
        inPlace = on;
        return this;
    }

    /**
     * The device a plan's buffers live and its kernels run on (default: the CPU). On the CPU buffers
     * go to the heap (see {@link #storage(StoragePolicy)}); on another device, in its backend's
     * storage. A device no backend serves is an error here.
     */
    public CompileOptions device(Device d) {
        device = d;
        storage = StoragePolicy.of(StorageKind.forDevice(d));
        nativeProducts = false;
        return this;
    }

    /** Every buffer of a plan in {@code kind} (on the CPU: heap or native). */
    public CompileOptions storage(StorageKind kind) {
        return storage(StoragePolicy.of(kind));
    }

    /**
     * Which storage a plan's buffers get (turns {@link #nativeProducts} off). On the CPU the default
     * is the heap, but for the buffers of large products ({@link #nativeProducts}): {@link StoragePolicy#auto()}
     * (large buffers native) was measured to gain a few percent on large MLPs, within noise, and to
     * cost a CIFAR-sized CNN step 30%, whose convolutions and pooling copy native operands through
     * the heap (benchmarks/RESULTS.md "CPU backend"); ask for it where products dominate.
     */
    public CompileOptions storage(StoragePolicy policy) {
        if (!policy.fits(device)) {
            throw new JanusException("compile options: " + policy + " storage lives on " + policy.deviceType()
                    + ", not on the chosen device " + device);
        }
        storage = policy;
        nativeProducts = false;
        return this;
    }

    public Device device() {
        return device;
    }

    public StoragePolicy storage() {
        return storage;
    }

    public CompileOptions listener(IrListener l) {
        listener = l;
        return this;
    }

    public boolean constantFolding() {
        return constantFolding;
    }

    public boolean transposes() {
        return transposes;
    }

    public boolean cse() {
        return cse;
    }

    public boolean dce() {
        return dce;
    }

    public boolean fusion() {
        return fusion;
    }

    public boolean bufferReuse() {
        return bufferReuse;
    }

    public boolean inPlace() {
        return inPlace;
    }

    /**
     * On the CPU with the default storage: puts a large buffer (from {@link StoragePolicy#AUTO_THRESHOLD}
     * elements) in native memory when matrix products read or write it more often than ops that
     * would copy it through the heap do, and no op on it would round differently there (default on;
     * an explicit {@link #storage} or {@link #device} choice turns it off). A product then hands the
     * buffer to OpenBLAS with no copy, and elementwise chains read it tile by tile; results are the
     * same bits. Measured: the copies were 22% of the 784-512-512-10 step's products on one core
     * (benchmarks/RESULTS.md "CPU backend").
     */
    public CompileOptions nativeProducts(boolean on) {
        nativeProducts = on;
        return this;
    }

    public boolean nativeProducts() {
        return nativeProducts;
    }

    public IrListener listener() {
        return listener;
    }
}
