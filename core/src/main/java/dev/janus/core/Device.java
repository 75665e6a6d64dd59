package dev.janus.core;

/**
 * Where a tensor's storage lives. Callers only ever see this value; a CUDA device arrives as a
 * new constant with its own storage and kernels, behind the same {@link Tensor} and op API.
 */
public enum Device {
    CPU;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
