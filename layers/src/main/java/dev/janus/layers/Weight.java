package dev.janus.layers;

import dev.janus.core.Device;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StoragePolicy;

/**
 * One weight of a layer ("kernel", "bias"): the tensor that training updates in place, and whether
 * it trains. Its full name, "{layer}/{weight}", names it in the compiled graph and in saved files.
 */
public final class Weight {
    private final String name;
    private Tensor value;
    private final boolean trainable;

    Weight(String name, Tensor value, boolean trainable) {
        this.name = name;
        this.value = value;
        this.trainable = trainable;
    }

    public String name() {
        return name;
    }

    /** The live tensor: compiled plans and the eager engine read and update this very tensor. */
    public Tensor value() {
        return value;
    }

    /**
     * Moves the value to {@code device} (the model's compile device), into the storage kind the
     * policy gives its size (under {@code StoragePolicy.auto()} a large kernel goes to native memory,
     * where matrix products read it with no copy), before a backend is built on it.
     */
    void moveTo(Device device, StoragePolicy policy) {
        value = value.to(device).to(policy.kindFor(value.numel()));
    }

    public boolean trainable() {
        return trainable;
    }

    @Override
    public String toString() {
        return name + ": " + value.type();
    }
}
