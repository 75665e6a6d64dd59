package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;

import java.util.HashMap;
import java.util.Map;

/**
 * One caller's execution state, what a kernel may need beyond its inputs: the device and storage
 * kind new tensors are allocated in ({@link #allocate}), the stream of each device its kernels
 * queue on (made on first use by the device's backend), and the generator random ops (dropout)
 * draw from. Not thread-safe: each thread running kernels uses its own.
 */
public final class ExecContext {
    private final Device device;
    private final StorageKind storage;
    private final Generator rng;
    private Map<Device, StorageKind.Stream> streams;

    /** On the CPU, heap storage. */
    public ExecContext(Generator rng) {
        this(Device.CPU, StorageKind.HEAP, rng);
    }

    /** On {@code device}, in its default storage. */
    public ExecContext(Device device, Generator rng) {
        this(device, StorageKind.forDevice(device), rng);
    }

    public ExecContext(Device device, StorageKind storage, Generator rng) {
        if (!storage.deviceType().equals(device.type())) {
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

    /** The storage kind {@link #allocate} uses. */
    public StorageKind storage() {
        return storage;
    }

    public Generator rng() {
        return rng;
    }

    /** A zero-filled tensor on this context's device, in its storage kind. */
    public Tensor allocate(DType dtype, Shape shape) {
        return storage == StorageKind.HEAP ? Tensor.empty(dtype, shape) : storage.empty(dtype, shape, device);
    }

    /** This caller's stream on {@code device}, made by the device's backend on first use. */
    public StorageKind.Stream stream(Device d) {
        if (d.isCpu()) return StorageKind.Stream.SYNCHRONOUS;
        if (streams == null) streams = new HashMap<>();
        return streams.computeIfAbsent(d, x -> StorageKind.forDevice(x).newStream(x));
    }
}
