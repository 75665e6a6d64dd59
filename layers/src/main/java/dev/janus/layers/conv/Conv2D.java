package dev.janus.layers.conv;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Ops;
import dev.janus.layers.ActivationFunction;
import dev.janus.layers.Activations;
import dev.janus.layers.KernelLayer;
import dev.janus.layers.LayerConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * 2-D convolution, as Keras's: channels-last input (batch, height, width, channels) and output
 * (batch, height', width', filters); the kernel stored [kh, kw, channels / groups, filters] and
 * initialised glorot_uniform (Keras's fans), the bias zeros; strides, padding "valid" or "same"
 * (TensorFlow's), dilation_rate, groups, an activation. Inside, the input and the kernel are
 * transposed to the channels-first conv op ([N, C, H, W], [filters, C / groups, kh, kw]) and the
 * result back, so the compiled graph and an ONNX export hold those transposes.
 */
public final class Conv2D extends KernelLayer<Conv2D> {
    private static final Set<ActivationFunction> ELEMENTWISE = Set.of(Activations.LINEAR, Activations.RELU, Activations.SIGMOID,
            Activations.TANH, Activations.ELU, Activations.GELU, Activations.LEAKY_RELU, Activations.SOFTPLUS, Activations.EXPONENTIAL,
            Activations.SILU, Activations.HARD_SIGMOID, Activations.HARD_SILU);
    private final int filters;
    private final int[] kernelSize;
    private int[] strides = {1, 1}, dilationRate = {1, 1};
    private String padding = "valid";
    private int groups = 1;
    private final ActivationFunction activation;
    /** Set when built: top, left, bottom, right. */
    private int[] pads;

    public Conv2D(int filters, int kernelSize) {
        this(filters, new int[] {kernelSize}, Activations.LINEAR);
    }

    /** An activation by Keras name ("relu"); null for none. */
    public Conv2D(int filters, int kernelSize, String activation) {
        this(filters, new int[] {kernelSize}, Activations.get(activation));
    }

    /** kernelSize: one size for both axes, or {height, width}. */
    public Conv2D(int filters, int[] kernelSize, ActivationFunction activation) {
        if (filters <= 0) throw new JanusException("Conv2D: filters must be positive, got " + filters);
        this.filters = filters;
        this.kernelSize = Windows.pair("Conv2D", "kernel_size", kernelSize);
        this.activation = activation == null ? Activations.LINEAR : activation;
    }

    public Conv2D strides(int... s) {
        unbuilt();
        strides = Windows.pair("Conv2D", "strides", s);
        return this;
    }

    /** "valid" (no padding, the default) or "same". */
    public Conv2D padding(String p) {
        unbuilt();
        padding = Windows.padding("Conv2D", p);
        return this;
    }

    public Conv2D dilationRate(int... d) {
        unbuilt();
        dilationRate = Windows.pair("Conv2D", "dilation_rate", d);
        return this;
    }

    public Conv2D groups(int g) {
        unbuilt();
        if (g < 1) throw new JanusException("Conv2D: groups must be positive, got " + g);
        groups = g;
        return this;
    }

    public ActivationFunction activation() {
        return activation;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        pads = Windows.pads(this, input, kernelSize, strides, dilationRate, padding);
        int channels = input.dim(3);
        if (channels == Shape.DYNAMIC || channels % groups != 0 || filters % groups != 0) {
            throw new ShapeException(name() + ": Conv2D with groups " + groups + " expected input (batch, height, width, channels) with"
                    + " channels and filters " + filters + " divisible by " + groups + ", got " + describe(input));
        }
        Shape k = Shape.of(kernelSize[0], kernelSize[1], channels / groups, filters);
        addWeight("kernel", kernelInitializer(), k, dtype, rng);
        if (useBias()) addWeight("bias", biasInitializer(), Shape.of(filters), dtype, rng);
        return Windows.output(input, kernelSize, strides, dilationRate, pads, filters);
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        V w = e.transpose(weights.get(0), 3, 2, 0, 1);
        Attrs attrs = Attrs.of("strides", strides, "pads", pads, "dilations", dilationRate, "group", groups);
        List<V> in = useBias() ? List.of(Windows.channelsFirst(e, x), w, weights.get(1)) : List.of(Windows.channelsFirst(e, x), w);
        V y = e.one(Ops.CONV, attrs, in);
        // An elementwise activation runs before the transpose back, so that the transpose can cancel
        // against the next layer's (a pool's) transpose to channels first; others see channels last.
        if (ELEMENTWISE.contains(activation)) return Windows.channelsLast(e, activation.apply(e, y));
        return activation.apply(e, Windows.channelsLast(e, y));
    }

    /** Quantization-aware training quantizes the input too (the kernel by its name). */
    @Override
    public boolean quantizesInput() {
        return true;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("filters", filters);
        c.put("kernel_size", Arrays.toString(kernelSize));
        c.put("strides", Arrays.toString(strides));
        c.put("padding", padding);
        c.put("dilation_rate", Arrays.toString(dilationRate));
        c.put("groups", groups);
        c.put("activation", activation.name());
        putKernelConfig(c);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static Conv2D fromConfig(LayerConfig c) {
        return new Conv2D(c.integer("filters"), c.ints("kernel_size"), Activations.get(c.string("activation")))
                .strides(c.ints("strides")).padding(c.string("padding")).dilationRate(c.ints("dilation_rate"))
                .groups(c.integer("groups")).kernelFrom(c);
    }
}
