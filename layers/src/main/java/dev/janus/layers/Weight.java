package dev.janus.layers;

import dev.janus.core.Device;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StoragePolicy;

/**
 * One weight of a layer ("kernel", "bias"): the tensor that training updates in place, and whether
 * it trains. Its full name, "{layer}/{weight}", names it in the compiled graph and in saved files.
 */
public final class Weight {
    private final Layer layer;
    private final String localName;
    private Tensor value;
    private final boolean trainable;

    Weight(Layer layer, String localName, Tensor value, boolean trainable) {
        this.layer = layer;
        this.localName = localName;
        this.value = value;
        this.trainable = trainable;
    }

    /** "{layer}/{weight}", from the layer's name now (a layer built before it was named gets it later). */
    public String name() {
        return layer.name() + "/" + localName;
    }

    /** Its name within the layer ("kernel"). */
    String localName() {
        return localName;
    }

    /** The layer that owns it. */
    public Layer layer() {
        return layer;
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
        return name() + ": " + value.type();
    }
}
