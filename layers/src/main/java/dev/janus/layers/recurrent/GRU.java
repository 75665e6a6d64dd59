package dev.janus.layers.recurrent;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.init.Fans;
import dev.janus.core.init.Initializer;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

import java.util.List;
import java.util.Map;

/**
 * Gated recurrent unit, as Keras's GRU (tanh and sigmoid activations): gates z, r, h along the
 * kernels' columns, which is ONNX's order. With reset_after (Keras's default) the reset gate
 * applies after the recurrent product and the bias is [2, 3 units] (input bias, recurrent bias):
 * ONNX's linear_before_reset 1, PyTorch's GRU. Without it the bias is [3 units] and the op runs
 * with linear_before_reset 0. The rest as {@link RecurrentLayer}.
 */
public final class GRU extends RecurrentLayer<GRU> {
    private boolean resetAfter = true;

    public GRU(int units) {
        super(units);
    }

    public GRU resetAfter(boolean on) {
        unbuilt();
        resetAfter = on;
        return this;
    }

    @Override
    Op op() {
        return Ops.GRU;
    }

    @Override
    int gates() {
        return 3;
    }

    @Override
    Attrs attrs() {
        return Attrs.of("linear_before_reset", resetAfter ? 1 : 0);
    }

    @Override
    Tensor createBias(Initializer init, DType dtype, Generator rng) {
        Shape s = biasShape();
        return init.create(s, Fans.keras(s), dtype, rng);
    }

    @Override
    Shape biasShape() {
        return resetAfter ? Shape.of(2, 3 * units) : Shape.of(3 * units);
    }

    @Override
    <V> V opWeight(Emitter<V> e, V kernel) {
        int in = e.shape(kernel).dim(0);
        return e.reshape(e.transpose(kernel, 1, 0), Shape.of(1, 3 * units, in));
    }

    @Override
    <V> V opBias(Emitter<V> e, V bias) {
        V b = resetAfter ? bias : e.concat(List.of(bias, e.constant(Tensor.zeros(e.dtype(bias), 3 * units))), 0);
        return e.reshape(b, Shape.of(1, 6 * units));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("reset_after", resetAfter);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static GRU fromConfig(LayerConfig c) {
        return new GRU(c.integer("units")).resetAfter(c.flag("reset_after")).recurrentFrom(c);
    }
}
