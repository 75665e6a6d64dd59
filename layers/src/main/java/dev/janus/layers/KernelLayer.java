package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.init.Initializer;

import java.util.Map;

/**
 * What {@link dev.janus.layers.core.Dense}, {@link dev.janus.layers.conv.Conv2D} and the recurrent
 * layers share: a kernel and an optional bias, each with its initializer (glorot_uniform and zeros,
 * as Keras's), set by Keras name, by a name registered with
 * {@link Serialization#registerInitializer}, or as an object. A saved model writes the name; an
 * object set directly has none, so saving refuses it, naming the layer (register it and set it by
 * name to save the model).
 */
public abstract class KernelLayer<L extends KernelLayer<L>> extends Layer {
    private boolean useBias = true;
    private Initializer kernelInitializer = InitializerNames.get("glorot_uniform"), biasInitializer = InitializerNames.get("zeros");
    /** Null for an initializer set as an object. */
    private String kernelInitializerName = "glorot_uniform", biasInitializerName = "zeros";

    protected KernelLayer() {
        super(null);
    }

    @SuppressWarnings("unchecked") // L is the subclass itself
    protected final L self() {
        return (L) this;
    }

    public L useBias(boolean on) {
        unbuilt();
        useBias = on;
        return self();
    }

    public L kernelInitializer(String name) {
        unbuilt();
        kernelInitializer = InitializerNames.get(name);
        kernelInitializerName = name;
        return self();
    }

    /** An initializer object: the model trains, but saves only once it is registered and set by name. */
    public L kernelInitializer(Initializer init) {
        unbuilt();
        kernelInitializer = init;
        kernelInitializerName = null;
        return self();
    }

    public L biasInitializer(String name) {
        unbuilt();
        biasInitializer = InitializerNames.get(name);
        biasInitializerName = name;
        return self();
    }

    /** As {@link #kernelInitializer(Initializer)}. */
    public L biasInitializer(Initializer init) {
        unbuilt();
        biasInitializer = init;
        biasInitializerName = null;
        return self();
    }

    /** Sets the layer's name (before it is added to a model). */
    public L named(String name) {
        unbuilt();
        name(name);
        return self();
    }

    protected final boolean useBias() {
        return useBias;
    }

    protected final Initializer kernelInitializer() {
        return kernelInitializer;
    }

    protected final Initializer biasInitializer() {
        return biasInitializer;
    }

    /** Adds use_bias and the initializers' names to {@code config}; an initializer set as an object is refused. */
    protected final void putKernelConfig(Map<String, Object> config) {
        config.put("use_bias", useBias);
        config.put("kernel_initializer", savedName("kernel_initializer", kernelInitializerName));
        config.put("bias_initializer", savedName("bias_initializer", biasInitializerName));
    }

    /** Sets use_bias and the initializers from a saved config. */
    protected final L kernelFrom(LayerConfig c) {
        useBias(c.flag("use_bias"));
        if (c.initializer("kernel_initializer") != null) kernelInitializer(c.initializer("kernel_initializer"));
        if (c.initializer("bias_initializer") != null) biasInitializer(c.initializer("bias_initializer"));
        return self();
    }

    private String savedName(String key, String name) {
        if (name == null) {
            throw new JanusException(key + " is an Initializer object, which a saved model cannot name: register it"
                    + " (Serialization.registerInitializer(name, factory)) and set it by that name");
        }
        return name;
    }
}
