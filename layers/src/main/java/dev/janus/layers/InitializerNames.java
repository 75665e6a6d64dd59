package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.init.Initializer;
import dev.janus.core.init.Initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Keras's initializer names for core's initializers (Keras defaults: random ones at 0.05). */
public final class InitializerNames {
    private static final Map<String, Supplier<Initializer>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("glorot_uniform", Initializers::glorotUniform);
        BY_NAME.put("glorot_normal", Initializers::glorotNormal);
        BY_NAME.put("he_uniform", Initializers::heUniform);
        BY_NAME.put("he_normal", Initializers::heNormal);
        BY_NAME.put("lecun_uniform", Initializers::lecunUniform);
        BY_NAME.put("lecun_normal", Initializers::lecunNormal);
        BY_NAME.put("zeros", Initializers::zeros);
        BY_NAME.put("ones", Initializers::ones);
        BY_NAME.put("random_uniform", () -> Initializers.uniform(-0.05, 0.05));
        BY_NAME.put("uniform", () -> Initializers.uniform(-0.05, 0.05));
        BY_NAME.put("random_normal", () -> Initializers.normal(0, 0.05));
        BY_NAME.put("truncated_normal", () -> Initializers.truncatedNormal(0, 0.05));
        BY_NAME.put("orthogonal", () -> Initializers.orthogonal(1));
    }

    private InitializerNames() {
    }

    /**
     * The initializer of that Keras name, in any case and with or without underscores ("he_normal",
     * "HeNormal"), or of a name registered with {@link Serialization#registerInitializer}.
     */
    public static Initializer get(String name) {
        Supplier<Initializer> s = builtInSupplier(name);
        Initializer registered = s == null && name != null ? Serialization.initializer(name) : null;
        if (registered != null) return registered;
        if (s == null) {
            throw new JanusException("unknown initializer '" + name + "'; known initializers: " + String.join(", ", BY_NAME.keySet()));
        }
        return s.get();
    }

    /** Whether a name is one of Keras's (so a registered initializer cannot take it). */
    static boolean builtIn(String name) {
        return builtInSupplier(name) != null;
    }

    private static Supplier<Initializer> builtInSupplier(String name) {
        if (name != null) for (Map.Entry<String, Supplier<Initializer>> e : BY_NAME.entrySet()) if (Names.key(e.getKey()).equals(Names.key(name))) return e.getValue();
        return null;
    }
}
