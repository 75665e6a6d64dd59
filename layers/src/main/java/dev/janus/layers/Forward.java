package dev.janus.layers;

import dev.janus.core.ops.Emitter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** In training, the next value of each frozen weight a layer moves ({@link Layer#updates}). */
    final Map<Weight, V> updates;

    private Forward(V output, V logits, ActivationFunction last, Map<Weight, V> updates) {
        this.output = output;
        this.logits = logits;
        this.last = last;
        this.updates = updates;
    }

    /**
     * @param weights the handle of each layer's weights, in {@link Layer#weights()} order
     * @param label   told each layer's name before its ops are emitted (graph labels), may ignore it
     */
    static <V> Forward<V> run(List<Layer> layers, Emitter<V> e, V x, Function<Layer, List<V>> weights, boolean training,
                              Consumer<String> label) {
        V h = x, logits = null;
        ActivationFunction last = null;
        Map<Weight, V> updates = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            label.accept(layer.name());
            ActivationFunction act = layer.outputActivation();
            List<V> ws = weights.apply(layer);
            V in = h;
            if (i == layers.size() - 1 && act != null) {
                logits = layer.callLogits(e, in, ws, training);
                last = act;
                h = act.apply(e, logits);
            } else {
                h = layer.call(e, in, ws, training);
            }
            List<V> next = training ? layer.updates(e, in, ws) : null;
            for (int k = 0; next != null && k < next.size(); k++) {
                if (next.get(k) != null) updates.put(layer.weights().get(k), next.get(k));
            }
        }
        return new Forward<>(h, logits, last, updates);
    }
}
