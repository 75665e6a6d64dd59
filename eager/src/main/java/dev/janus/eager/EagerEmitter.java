package dev.janus.eager;

import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;

import java.util.Arrays;
import java.util.List;

/**
 * The eager engine as an {@link Emitter}: code written once against an emitter (a Keras-style
 * layer, an imported ONNX graph) runs now on eager tensors, each op applied through
 * {@link Tensor#applyAll}, so it is recorded for backward (and for a trace while one is recorded)
 * as if it were called directly. Random ops draw from {@link dev.janus.core.Generator#global()}.
 */
public class EagerEmitter implements Emitter<Tensor> {
    @Override
    public List<Tensor> apply(Op op, Attrs attrs, List<Tensor> inputs) {
        return Arrays.asList(Tensor.applyAll(op, attrs, inputs.toArray(new Tensor[0])));
    }

    @Override
    public TensorType type(Tensor value) {
        return value.value().type();
    }

    @Override
    public Tensor constant(dev.janus.core.Tensor value) {
        return Tensor.from(value);
    }
}
