package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.init.Initializer;
import dev.janus.layers.losses.Loss;
import dev.janus.layers.metrics.Metric;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a saved model may name, as Keras's {@code register_keras_serializable}: a user's layer
 * class, loss or metric is registered under a name ("Custom>SwishLayer") before a model that uses
 * it is saved or loaded. Built-in layers need no registration: each class declares how it is
 * rebuilt ({@code public static fromConfig(LayerConfig)}), found by its Keras name; activations
 * register with {@link Activations#register}.
 *
 * <pre>{@code
 * Serialization.registerLayer(SwishLayer.class);            // saved as "Custom>SwishLayer"
 * Serialization.registerLoss("my_bce", MyBce::new);
 * Serialization.registerInitializer("my_init", MyInit::new);  // then new Dense(8).kernelInitializer("my_init")
 * }</pre>
 */
public final class Serialization {
    private static final Map<String, Class<? extends Layer>> LAYERS = new LinkedHashMap<>();
    private static final Map<Class<? extends Layer>, String> LAYER_NAMES = new LinkedHashMap<>();
    private static final Map<String, Supplier<? extends Loss>> LOSSES = new LinkedHashMap<>();
    private static final Map<String, Supplier<? extends Metric>> METRICS = new LinkedHashMap<>();
    private static final Map<String, Supplier<? extends Initializer>> INITIALIZERS = new LinkedHashMap<>();

    private Serialization() {
    }

    /** Registers a layer class as "Custom>{simple name}". */
    public static void registerLayer(Class<? extends Layer> type) {
        registerLayer("Custom", type);
    }

    /**
     * Registers a layer class under "{package}>{simple name}": it must have a
     * {@code public static fromConfig(LayerConfig)} that rebuilds it from its {@link Layer#config()}.
     */
    public static synchronized void registerLayer(String pkg, Class<? extends Layer> type) {
        fromConfigMethod(type, type.getName());
        String name = pkg + ">" + type.getSimpleName();
        Class<? extends Layer> old = LAYERS.get(name);
        if (old != null && old != type) throw new JanusException("a layer named '" + name + "' is already registered (" + old.getName() + ")");
        LAYERS.put(name, type);
        LAYER_NAMES.put(type, name);
    }

    /** Registers a loss under a name; its {@link Loss#id()} must be that name, as saving writes the id. */
    public static synchronized void registerLoss(String name, Supplier<? extends Loss> factory) {
        Loss made = factory.get();
        if (!made.id().equals(name)) throw new JanusException("registerLoss: the loss's id() is '" + made.id() + "', not '" + name + "'");
        LOSSES.put(name, factory);
    }

    /** Registers a metric under a name, so that compile can name it (and a saved model with it loads). */
    public static synchronized void registerMetric(String name, Supplier<? extends Metric> factory) {
        METRICS.put(name, factory);
    }

    /**
     * Registers an initializer under a name, so that a layer can be given it by name
     * ({@code kernelInitializer("my_init")}) and a model that uses it saves and loads: the file
     * holds the name, and loading finds the initializer here. A built-in name cannot be taken.
     * Registered names match exactly (built-in ones ignore case and underscores).
     */
    public static synchronized void registerInitializer(String name, Supplier<? extends Initializer> factory) {
        if (name == null) throw new JanusException("registerInitializer: name is null");
        if (factory == null) throw new JanusException("registerInitializer: factory for '" + name + "' is null");
        if (InitializerNames.builtIn(name) || name.equals("custom")) {
            throw new JanusException("registerInitializer: '" + name + "' is a built-in initializer's name" + (name.equals("custom") ? " (older files' mark"
                    + " for an initializer object)" : ""));
        }
        INITIALIZERS.put(name, factory);
    }

    /** A new instance of the initializer registered under this name, or null (InitializerNames.get looks here too). */
    static synchronized Initializer initializer(String name) {
        Supplier<? extends Initializer> s = INITIALIZERS.get(name);
        return s == null ? null : s.get();
    }

    /** A new instance of the loss registered under this name, or null (Losses.get looks here first). */
    public static synchronized Loss loss(String name) {
        Supplier<? extends Loss> s = LOSSES.get(name);
        return s == null ? null : s.get();
    }

    /** A new instance of the metric registered under this name, or null (Metrics.get looks here first). */
    public static synchronized Metric metric(String name) {
        Supplier<? extends Metric> s = METRICS.get(name);
        return s == null ? null : s.get();
    }

    /** The name a saved file gives the layer: its registered name, or its Keras type name for a built-in layer. */
    static synchronized String savedName(Layer l) {
        String registered = LAYER_NAMES.get(l.getClass());
        if (registered != null) return registered;
        if (!l.getClass().getPackageName().startsWith("dev.janus.layers") || builtIn(l.typeName()) != l.getClass()) {
            throw new JanusException("layer " + l.name() + " is a " + l.getClass().getName() + ", which a saved model cannot rebuild: register it"
                    + " with Serialization.registerLayer (it needs a public static fromConfig(LayerConfig))");
        }
        return l.typeName();
    }

    /** Rebuilds a layer of a saved type (a registered name or a built-in Keras type) from its config. */
    static Layer create(String type, LayerConfig config) {
        Class<? extends Layer> c;
        synchronized (Serialization.class) {
            c = LAYERS.get(type);
        }
        if (c == null) c = builtIn(type);
        if (c == null) {
            throw new JanusException("unknown layer type '" + type + "': not a built-in layer, and no layer class is registered under that name"
                    + " (Serialization.registerLayer)");
        }
        Layer l;
        try {
            l = (Layer) fromConfigMethod(c, type).invoke(null, config);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) throw (RuntimeException) cause;
            throw new JanusException(type + ": fromConfig failed: " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new JanusException(type + ": fromConfig is not accessible: " + e.getMessage());
        }
        if (l == null) throw new JanusException(type + ": fromConfig gave null");
        return l;
    }

    /** The packages of the built-in layers: this one (Input) and those of each kind, as keras.layers. */
    private static final List<String> LAYER_PACKAGES = List.of("", ".core", ".conv", ".normalization", ".recurrent", ".merge");

    /** The built-in layer class of a Keras type name ("Dense"; "InputLayer" is {@link Input}), or null. */
    private static Class<? extends Layer> builtIn(String type) {
        String simple = type.equals("InputLayer") ? "Input" : type;
        if (!simple.matches("[A-Z][A-Za-z0-9]*")) return null;
        for (String kind : LAYER_PACKAGES) {
            try {
                Class<?> c = Class.forName(Layer.class.getPackageName() + kind + "." + simple, false, Layer.class.getClassLoader());
                return Layer.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers()) ? c.asSubclass(Layer.class) : null;
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        return null;
    }

    private static Method fromConfigMethod(Class<? extends Layer> c, String what) {
        try {
            Method m = c.getMethod("fromConfig", LayerConfig.class);
            if (!Modifier.isStatic(m.getModifiers()) || !Layer.class.isAssignableFrom(m.getReturnType())) throw new NoSuchMethodException();
            return m;
        } catch (NoSuchMethodException e) {
            throw new JanusException(what + ": a layer a saved model rebuilds needs a public static fromConfig(LayerConfig) returning it");
        }
    }
}
