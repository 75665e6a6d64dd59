package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Shape;

/**
 * A symbolic tensor of the Functional API, as Keras 3's {@code KerasTensor}: a shape (batch first,
 * the batch unknown) and a dtype, no values. An {@link Input} is one; calling a layer on them
 * ({@link Layer#apply}) gives more; {@code new Model(inputs, outputs)} turns the graph between them
 * into a model.
 *
 * <pre>{@code
 * Input a = new Input(4).named("a"), b = new Input(3).named("b");
 * KerasTensor h = new Concatenate().apply(a, new Dense(8, "relu").apply(b));
 * Model model = new Model(List.of(a, b), List.of(new Dense(3, "softmax").apply(h)));
 * }</pre>
 */
public sealed interface KerasTensor permits Input, LayerCall.Output {
    /** Batch first; the batch is unknown (-1). */
    Shape shape();

    DType dtype();

    /** The layer that made this tensor (an {@link Input} for itself). */
    Layer layer();
}
