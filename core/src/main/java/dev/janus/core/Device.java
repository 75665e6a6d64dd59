package dev.janus.core;

import dev.janus.core.backend.StorageKind;

import java.util.Locale;

/**
 * Where a tensor's storage lives: a device type and an index, written as PyTorch writes them
 * ({@code cpu}, {@code cuda:0}). A value: two devices are equal when type and index are.
 *
 * <p>Whether a device exists is answered by the {@link StorageKind} registered for its type (the
 * CPU's are built in; a CUDA backend comes from its own module). With none registered, a CUDA
 * device can still be named and printed, but allocating on it is a clear error.
 */
public final class Device {
    /** The known device types. */
    public static final String CPU_TYPE = "cpu", CUDA_TYPE = "cuda";
    public static final Device CPU = new Device(CPU_TYPE, 0);

    private final String type;
    private final int index;

    private Device(String type, int index) {
        this.type = type;
        this.index = index;
    }

    public static Device cpu() {
        return CPU;
    }

    /** {@code cuda:0}. */
    public static Device cuda() {
        return cuda(0);
    }

    public static Device cuda(int index) {
        if (index < 0) throw new JanusException("cuda device index must be >= 0, got " + index);
        return new Device(CUDA_TYPE, index);
    }

    /** Parses {@code "cpu"}, {@code "cuda"} (= cuda:0) or {@code "cuda:N"}; anything else is an error. */
    public static Device parse(String text) {
        if (text == null) throw new JanusException("unknown device null (expected cpu, cuda or cuda:N)");
        String s = text.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String type = colon < 0 ? s : s.substring(0, colon);
        int index = 0;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                index = -1;
            }
        }
        if (type.equals(CPU_TYPE) && index == 0) return CPU;
        if (type.equals(CUDA_TYPE) && index >= 0) return cuda(index);
        throw new JanusException("unknown device '" + text + "' (expected cpu, cuda or cuda:N with N >= 0)");
    }

    /** "cpu" or "cuda". */
    public String type() {
        return type;
    }

    public int index() {
        return index;
    }

    public boolean isCpu() {
        return this.type.equals(CPU_TYPE);
    }

    /** True when a backend for this device's type is registered and has a device of this index. */
    public boolean isAvailable() {
        return StorageKind.isAvailable(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device && ((Device) o).type.equals(type) && ((Device) o).index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    @Override
    public String toString() {
        return isCpu() ? type : type + ":" + index;
    }
}
