package dev.janus.layers;

import dev.janus.core.ops.Emitter;

/**
 * An activation, written against the emitter like everything a layer computes. The built-in ones
 * are in {@link Activations}; a custom one can be registered there under a name, which saving needs.
 */
public interface ActivationFunction {
    /** The Keras name: "relu", "softmax". */
    String name();

    <V> V apply(Emitter<V> e, V x);
}
