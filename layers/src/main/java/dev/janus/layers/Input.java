package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ops.Emitter;

import java.util.List;
import java.util.Map;

/**
 * The model's input, as {@code keras.Input(shape=(4,))}: the shape of one sample (the batch
 * dimension is added, unknown) and the dtype (float32 unless given). It starts a
 * {@link Sequential}, and it is the symbolic tensor the Functional API starts from
 * ({@link KerasTensor}); saved and summarised as Keras's InputLayer.
 */
public final class Input extends Layer implements KerasTensor {
    private final Shape sample;
    private final DType dtype;

    public Input(int... shape) {
        this(DType.FLOAT32, shape);
    }

    public Input(DType dtype, int... shape) {
        super(null);
        for (int d : shape) {
            if (d <= 0) throw new JanusException("Input: dimensions must be positive, got " + java.util.Arrays.toString(shape));
        }
        if (!dtype.isFloating()) throw new JanusException("Input: dtype must be float32 or float64, got " + dtype);
        this.sample = Shape.of(shape);
        this.dtype = dtype;
    }

    @Override
    public String typeName() {
        return "InputLayer";
    }

    /** Names the input (before it is in a model): the key of its data in fit's maps, its ONNX input's name. */
    public Input named(String name) {
        unbuilt();
        name(name);
        return this;
    }

    /** [?, shape...]. */
    public Shape batchShape() {
        return Shape.of(Shape.DYNAMIC).concat(sample);
    }

    /** The batch shape, as a {@link KerasTensor}. */
    @Override
    public Shape shape() {
        return batchShape();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Layer layer() {
        return this;
    }

    /** Builds it for its own shape (an input is ready as soon as it exists). */
    void buildSelf(Generator rng) {
        if (!isBuilt()) build(batchShape(), dtype, rng);
    }

    @Override
    protected Shape create(Shape input, DType dt, Generator rng) {
        return input;
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("shape", sample.toString());
        c.put("dtype", dtype.toString());
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Input fromConfig(LayerConfig c) {
        String shape = c.string("shape");
        String inner = shape.substring(1, shape.length() - 1).trim();
        int[] dims = inner.isEmpty() ? new int[0] : java.util.Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
        return new Input(dev.janus.core.DType.parse(c.string("dtype")), dims);
    }
}
