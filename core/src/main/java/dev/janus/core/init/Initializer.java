package dev.janus.core.init;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

/** Creates a weight's starting value; all randomness comes from the generator passed in. */
@FunctionalInterface
public interface Initializer {
    Tensor create(Shape shape, Fans fans, DType dtype, Generator g);
}
