package dev.janus.layers.recurrent;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializer;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

import java.util.Map;

/**
 * Long short-term memory, as Keras's LSTM (tanh and sigmoid activations): gates i, f, c, o in
 * Keras's order along the kernels' columns, one bias [4 units] initialised with unit_forget_bias
 * (the forget gate's quarter starts at 1), and the rest as {@link RecurrentLayer}.
 */
public final class LSTM extends RecurrentLayer<LSTM> {
    private boolean unitForgetBias = true;
    private Tensor order;

    public LSTM(int units) {
        super(units);
    }

    /** Whether the forget gate's bias starts at 1 (Keras's default) rather than at the bias initializer's values. */
    public LSTM unitForgetBias(boolean on) {
        unbuilt();
        unitForgetBias = on;
        return this;
    }

    @Override
    Op op() {
        return Ops.LSTM;
    }

    @Override
    int gates() {
        return 4;
    }

    @Override
    Attrs attrs() {
        return Attrs.NONE;
    }

    @Override
    Shape biasShape() {
        return Shape.of(4 * units);
    }

    @Override
    Tensor createBias(Initializer init, DType dtype, Generator rng) {
        if (!unitForgetBias) return init.create(Shape.of(4 * units), Fans.keras(Shape.of(4 * units)), dtype, rng);
        // As Keras: the initializer for the input gate, ones for the forget gate, the initializer for the other two.
        Tensor input = init.create(Shape.of(units), Fans.keras(Shape.of(units)), dtype, rng);
        Tensor rest = init.create(Shape.of(2 * units), Fans.keras(Shape.of(2 * units)), dtype, rng);
        Tensor b = Tensor.empty(dtype, Shape.of(4 * units));
        for (int j = 0; j < units; j++) {
            b.setDouble(j, input.readDouble(j));
            b.setDouble(units + j, 1);
        }
        for (int j = 0; j < 2 * units; j++) b.setDouble(2 * units + j, rest.readDouble(j));
        return b;
    }

    /** Keras's gate blocks in ONNX's order: the permutation of 4 units columns (or rows). */
    private Tensor order() {
        if (order == null) {
            order = Tensor.of(Functions.gateOrder(Functions.LSTM_ONNX_FROM_IFCO, units, 1));
        }
        return order;
    }

    @Override
    <V> V opWeight(Emitter<V> e, V kernel) {
        int in = e.shape(kernel).dim(0);
        V reordered = e.gather(e.transpose(kernel, 1, 0), e.constant(order()), 0);
        return e.reshape(reordered, Shape.of(1, 4 * units, in));
    }

    @Override
    <V> V opBias(Emitter<V> e, V bias) {
        V wb = e.gather(bias, e.constant(order()), 0);
        return e.reshape(e.concat(java.util.List.of(wb, e.constant(Tensor.zeros(e.dtype(bias), 4 * units))), 0), Shape.of(1, 8 * units));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("unit_forget_bias", unitForgetBias);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static LSTM fromConfig(LayerConfig c) {
        return new LSTM(c.integer("units")).unitForgetBias(c.flag("unit_forget_bias")).recurrentFrom(c);
    }
}
