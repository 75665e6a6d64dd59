package dev.janus.layers;

import dev.janus.core.ops.Emitter;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The model's forward pass through its layers, written once for every emitter: the compiled and
 * the eager paths run exactly these ops, in this order. The last layer's softmax or sigmoid is
 * applied separately, so the loss can use the logits before it.
 */
final class Forward<V> {
    final V output, logits;
    final ActivationFunction last;

    private Forward(V output, V logits, ActivationFunction last) {
        this.output = output;
        this.logits = logits;
        this.last = last;
    }

    /**
     * @param weights the handle of each layer's weights, in {@link Layer#weights()} order
     * @param label   told each layer's name before its ops are emitted (graph labels), may ignore it
     */
    static <V> Forward<V> run(List<Layer> layers, Emitter<V> e, V x, Function<Layer, List<V>> weights, boolean training,
                              Consumer<String> label) {
        V h = x;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            label.accept(layer.name());
            ActivationFunction act = layer.outputActivation();
            if (i == layers.size() - 1 && act != null) {
                V logits = layer.callLogits(e, h, weights.apply(layer), training);
                return new Forward<>(act.apply(e, logits), logits, act);
            }
            h = layer.call(e, h, weights.apply(layer), training);
        }
        return new Forward<>(h, null, null);
    }
}
