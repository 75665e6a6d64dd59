package dev.janus.layers;

import dev.janus.core.Device;
import dev.janus.core.Tensor;

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

    /** Moves the value to {@code device} (the model's compile device), before a backend is built on it. */
    void moveTo(Device device) {
        value = value.to(device);
    }

    public boolean trainable() {
        return trainable;
    }

    @Override
    public String toString() {
        return name + ": " + value.type();
    }
}
