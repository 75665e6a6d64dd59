package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.backend.StoragePolicy;

import java.util.HashMap;
import java.util.Map;

/**
 * One caller's execution state, what a kernel may need beyond its inputs: the device new tensors
 * are allocated on and the storage policy that picks their kind ({@link #allocate}; also the kind
 * of an eager op's outputs when its inputs are all on the heap, {@link Op#run}), the stream of each
 * device its kernels queue on (made on first use by the device's backend), and the generator random
 * ops (dropout) draw from. Not thread-safe: each thread running kernels uses its own.
 */
public final class ExecContext {
    private final Device device;
    private final StoragePolicy storage;
    private final Generator rng;
    private Map<Device, StorageKind.Stream> streams;

    /** On the CPU, heap storage. */
    public ExecContext(Generator rng) {
        this(Device.CPU, StoragePolicy.of(StorageKind.HEAP), rng);
    }

    /** On {@code device}, in its default storage (the heap on the CPU). */
    public ExecContext(Device device, Generator rng) {
        this(device, StoragePolicy.of(StorageKind.forDevice(device)), rng);
    }

    public ExecContext(Device device, StorageKind storage, Generator rng) {
        this(device, StoragePolicy.of(storage), rng);
    }

    /** On {@code device}, new tensors in the kind {@code storage} gives their size (on the CPU, e.g. {@link StoragePolicy#auto()}). */
    public ExecContext(Device device, StoragePolicy storage, Generator rng) {
        if (!storage.fits(device)) {
            throw new JanusException("ExecContext: " + storage + " storage lives on " + storage.deviceType() + ", not on " + device);
        }
        if (!device.isCpu()) StorageKind.forDevice(device);
        this.device = device;
        this.storage = storage;
        this.rng = rng;
    }

    /** A context on the CPU drawing from {@link Generator#global()}. */
    public static ExecContext global() {
        return new ExecContext(Generator.global());
    }

    public Device device() {
        return device;
    }

    /** The policy {@link #allocate} follows. */
    public StoragePolicy storage() {
        return storage;
    }

    public Generator rng() {
        return rng;
    }

    /** A zero-filled tensor on this context's device, in the kind its storage policy gives the size. */
    public Tensor allocate(DType dtype, Shape shape) {
        StorageKind kind = storage.kindFor(shape.size());
        return kind == StorageKind.HEAP ? Tensor.empty(dtype, shape) : kind.empty(dtype, shape, device);
    }

    /** This caller's stream on {@code device}, made by the device's backend on first use. */
    public StorageKind.Stream stream(Device d) {
        if (d.isCpu()) return StorageKind.Stream.SYNCHRONOUS;
        if (streams == null) streams = new HashMap<>();
        return streams.computeIfAbsent(d, x -> StorageKind.forDevice(x).newStream(x));
    }
}
