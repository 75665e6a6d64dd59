package dev.janus.layers.callbacks;

import dev.janus.layers.Model;

import java.util.Map;

/**
 * A callback that keeps what fit hands every callback before training, as Keras's Callback base
 * class keeps {@code self.model} and {@code self.params}: the model being trained and fit's verbose
 * level (a callback prints what it did only when that is above 0).
 */
public abstract class ModelCallback implements Callback {
    /** The model being trained (set before onTrainBegin). */
    protected Model model;
    /** fit's verbose level: 0 silent. */
    protected int verbose;

    @Override
    public void setModel(Model m) {
        model = m;
    }

    @Override
    public void setParams(Map<String, Object> params) {
        verbose = (Integer) params.getOrDefault("verbose", 0);
    }
}
