package dev.janus.layers.recurrent;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.init.Initializer;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;
import dev.janus.layers.InitializerNames;
import dev.janus.layers.KernelLayer;
import dev.janus.layers.LayerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link LSTM} and {@link GRU} share: Keras's weights (kernel [features, G units], initialised
 * glorot_uniform; recurrent_kernel [units, G units], orthogonal; bias, zeros), batch-first input
 * (batch, timesteps, features), and return_sequences: (batch, timesteps, units) or the last output
 * (batch, units). The call runs the whole-sequence op of the core set (ONNX's LSTM or GRU): the
 * input is transposed to [timesteps, batch, features], the kernels transposed (and, for the LSTM,
 * their gates reordered) into the op's W [1, G units, features] and R [1, G units, units].
 */
abstract class RecurrentLayer<L extends RecurrentLayer<L>> extends KernelLayer<L> {
    final int units;
    private boolean returnSequences;
    private Initializer recurrentInitializer = InitializerNames.get("orthogonal");
    private String recurrentInitializerName = "orthogonal";

    RecurrentLayer(int units) {
        if (units <= 0) throw new JanusException(getClass().getSimpleName() + ": units must be positive, got " + units);
        this.units = units;
    }

    abstract Op op();

    abstract int gates();

    /** The op's attributes beyond hidden_size. */
    abstract Attrs attrs();

    /** The bias weight: its initial value from the bias initializer (drawn in Keras's order). */
    abstract Tensor createBias(Initializer init, DType dtype, Generator rng);

    /** The shape of the bias weight, Keras's layout. */
    abstract Shape biasShape();

    /** The op's B [1, 2 G units] from the bias weight. */
    abstract <V> V opBias(Emitter<V> e, V bias);

    /** A kernel [in, G units] in the op's layout [1, G units, in], gates in ONNX's order. */
    abstract <V> V opWeight(Emitter<V> e, V kernel);

    /** (batch, timesteps, units) instead of the last output (batch, units). */
    public L returnSequences(boolean on) {
        unbuilt();
        returnSequences = on;
        return self();
    }

    public L recurrentInitializer(String name) {
        unbuilt();
        recurrentInitializer = InitializerNames.get(name);
        recurrentInitializerName = name;
        return self();
    }

    public int units() {
        return units;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        if (input.rank() != 3 || input.dim(2) == Shape.DYNAMIC) {
            throw new ShapeException(name() + ": " + typeName() + " expected input (batch, timesteps, features) with known features, got "
                    + describe(input));
        }
        Shape k = Shape.of(input.dim(2), gates() * units), r = Shape.of(units, gates() * units);
        addWeight("kernel", kernelInitializer(), k, dtype, rng);
        addWeight("recurrent_kernel", recurrentInitializer, r, dtype, rng);
        if (useBias()) addWeight("bias", dtype, biasShape(), () -> createBias(biasInitializer(), dtype, rng), true);
        return returnSequences ? Shape.of(input.dim(0), input.dim(1), units) : Shape.of(input.dim(0), units);
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        V b = useBias() ? opBias(e, weights.get(2)) : e.constant(Tensor.zeros(e.dtype(x), 1, 2 * gates() * units));
        List<V> in = new ArrayList<>(List.of(e.transpose(x, 1, 0, 2), opWeight(e, weights.get(0)), opWeight(e, weights.get(1)), b));
        List<V> out = e.apply(op(), attrs().with("hidden_size", units), in);
        if (!returnSequences) return e.reshape(out.get(1), Shape.of(-1, units));
        // Y [T, 1, N, units] -> [N, T, units].
        return e.transpose(e.reshape(out.get(0), Shape.of(e.shape(x).dim(1), -1, units)), 1, 0, 2);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("units", units);
        c.put("return_sequences", returnSequences);
        putKernelConfig(c);
        c.put("recurrent_initializer", recurrentInitializerName);
        return c;
    }

    /** The settings both recurrent layers save (return_sequences, use_bias, the initializers), from a config. */
    L recurrentFrom(LayerConfig c) {
        returnSequences(c.flag("return_sequences")).kernelFrom(c);
        if (c.initializer("recurrent_initializer") != null) recurrentInitializer(c.initializer("recurrent_initializer"));
        return self();
    }
}
