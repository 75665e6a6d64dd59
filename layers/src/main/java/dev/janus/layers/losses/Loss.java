package dev.janus.layers.losses;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Emitter;
import dev.janus.layers.ActivationFunction;

/**
 * A training loss, written once against the emitter (so compiled and eager training compute it
 * with the same ops), with the host-side checks of the labels. The built-in ones are in
 * {@link Losses}.
 */
public interface Loss {
    /** The Keras name: "sparse_categorical_crossentropy". */
    String name();

    /**
     * What {@link Losses#get} rebuilds this loss from when a model is loaded: the name, with
     * ":from_logits" where that is set.
     */
    default String id() {
        return name();
    }

    /** The labels' type for a model output of type {@code output} (batch unknown); errors name the loss. */
    TensorType labelType(TensorType output);

    /**
     * Checks labels for {@code n} samples and converts them to {@link #labelType}; an error names
     * the loss, the row and the value.
     */
    Tensor prepareLabels(Tensor y, TensorType output);

    /**
     * The loss, averaged over the batch. {@code logits} is the value before the model's final
     * activation {@code last} when that is softmax or sigmoid (null otherwise), so the loss can be
     * computed stably from it, as Keras does. By default the mean of {@link #emitPerSample}, so a
     * loss writes its formula once; a loss overrides this where a fused op computes the mean.
     */
    default <V> V emit(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
        return Losses.mean(e, emitPerSample(e, yPred, logits, last, yTrue));
    }

    /**
     * Each sample's loss before the batch mean, as Keras's loss functions return it: the output's
     * shape without its last axis ([batch] for outputs [batch, k]). Fit and evaluate weight these
     * by the sample (or class) weights and take their mean, as Keras does; a loss that does not
     * give them (it overrides only {@link #emit}) cannot be weighted.
     */
    default <V> V emitPerSample(Emitter<V> e, V yPred, V logits, ActivationFunction last, V yTrue) {
        throw new JanusException("loss " + name() + " gives no per-sample values (Loss.emitPerSample), so fit and evaluate cannot weight"
                + " its samples (sampleWeight, classWeight); a loss implements emitPerSample, or at least emit");
    }
}
