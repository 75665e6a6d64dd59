package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One call of a layer on symbolic tensors (Keras's node): what it was called on and what it gave. */
final class LayerCall {
    final Layer layer;
    final List<KerasTensor> inputs;
    private final List<KerasTensor> outputs;

    LayerCall(Layer layer, List<KerasTensor> inputs, List<Shape> shapes, DType dtype) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        List<KerasTensor> out = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) out.add(new Output(this, i, shapes.get(i), dtype));
        this.outputs = Collections.unmodifiableList(out);
    }

    List<KerasTensor> outputs() {
        return outputs;
    }

    /** Output {@code index} of a layer call. */
    static final class Output implements KerasTensor {
        final LayerCall call;
        final int index;
        private final Shape shape;
        private final DType dtype;

        Output(LayerCall call, int index, Shape shape, DType dtype) {
            this.call = call;
            this.index = index;
            this.shape = shape;
            this.dtype = dtype;
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public Layer layer() {
            return call.layer;
        }

        @Override
        public String toString() {
            return "<KerasTensor shape=" + Layer.describe(shape) + ", dtype=" + dtype.toString().toLowerCase(java.util.Locale.ROOT)
                    + ", from " + call.layer.displayName() + ">";
        }
    }
}
