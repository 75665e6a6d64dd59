package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The activations by their Keras names, each one or two ops of the core op set. */
public final class Activations {
    public static final ActivationFunction LINEAR = new ActivationFunction() {
        public String name() {
            return "linear";
        }

        public <V> V apply(Emitter<V> e, V x) {
            return x;
        }
    };
    public static final ActivationFunction RELU = unary("relu", Ops.RELU, Attrs.NONE);
    public static final ActivationFunction SIGMOID = unary("sigmoid", Ops.SIGMOID, Attrs.NONE);
    public static final ActivationFunction TANH = unary("tanh", Ops.TANH, Attrs.NONE);
    /** Softmax over the last axis. */
    public static final ActivationFunction SOFTMAX = unary("softmax", Ops.SOFTMAX, Attrs.of("axis", -1));
    public static final ActivationFunction ELU = unary("elu", Ops.ELU, Attrs.of("alpha", 1.0));
    /** The exact (erf) form, Keras's default. */
    public static final ActivationFunction GELU = unary("gelu", Ops.GELU, Attrs.NONE);
    /** Keras 3's default negative slope, 0.2. */
    public static final ActivationFunction LEAKY_RELU = unary("leaky_relu", Ops.LEAKY_RELU, Attrs.of("alpha", 0.2));
    public static final ActivationFunction SOFTPLUS = unary("softplus", Ops.SOFTPLUS, Attrs.NONE);
    public static final ActivationFunction EXPONENTIAL = unary("exponential", Ops.EXP, Attrs.NONE);
    /** relu6(x + 3) / 6, as Keras 3 (and PyTorch's Hardsigmoid). */
    public static final ActivationFunction HARD_SIGMOID = unary("hard_sigmoid", Ops.HARD_SIGMOID, Attrs.of("alpha", 1 / 6.0, "beta", 0.5));
    /** x relu6(x + 3) / 6, also called hard_swish. */
    public static final ActivationFunction HARD_SILU = unary("hard_silu", Ops.HARD_SWISH, Attrs.NONE);
    /** x sigmoid(x), also called swish. */
    public static final ActivationFunction SILU = new ActivationFunction() {
        public String name() {
            return "silu";
        }

        public <V> V apply(Emitter<V> e, V x) {
            return e.mul(x, e.sigmoid(x));
        }
    };

    /** By {@link Names#key}: "relu", "ReLU" and "RELU" find one activation; "leaky_relu" and "LeakyReLU" another. */
    private static final Map<String, ActivationFunction> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        for (ActivationFunction f : List.of(LINEAR, RELU, SIGMOID, TANH, SOFTMAX, ELU, GELU, LEAKY_RELU, SOFTPLUS, EXPONENTIAL, SILU, HARD_SIGMOID, HARD_SILU)) {
            BY_NAME.put(Names.key(f.name()), f);
        }
        alias("swish", SILU);
        alias("hard_swish", HARD_SILU);
    }

    /** Keras's other name for a built-in activation, listed as Keras spells it. */
    private static void alias(String name, ActivationFunction f) {
        BY_NAME.put(Names.key(name), f);
        ALIASES.put(Names.key(name), name);
    }

    private Activations() {
    }

    private static ActivationFunction unary(String name, Op op, Attrs attrs) {
        return new ActivationFunction() {
            public String name() {
                return name;
            }

            public <V> V apply(Emitter<V> e, V x) {
                return e.one(op, attrs, List.of(x));
            }
        };
    }

    /** The activation of that name ("relu"); null or "linear" gives the identity. */
    public static ActivationFunction get(String name) {
        if (name == null) return LINEAR;
        ActivationFunction f;
        synchronized (BY_NAME) {
            f = BY_NAME.get(Names.key(name));
        }
        if (f == null) throw new JanusException("unknown activation '" + name + "' (a custom one is registered with Activations.register); known activations: " + known());
        return f;
    }

    /** Makes a custom activation known by its name, so models using it can be saved and loaded. */
    public static void register(ActivationFunction f) {
        synchronized (BY_NAME) {
            ActivationFunction old = BY_NAME.get(Names.key(f.name()));
            if (old != null && old != f) throw new JanusException("an activation named '" + f.name() + "' is already registered");
            BY_NAME.put(Names.key(f.name()), f);
        }
    }

    static boolean isRegistered(ActivationFunction f) {
        synchronized (BY_NAME) {
            return BY_NAME.get(Names.key(f.name())) == f;
        }
    }

    private static String known() {
        synchronized (BY_NAME) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            BY_NAME.forEach((k, f) -> names.add(ALIASES.getOrDefault(k, f.name())));
            return String.join(", ", names);
        }
    }
}
