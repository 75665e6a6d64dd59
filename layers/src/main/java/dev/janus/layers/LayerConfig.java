package dev.janus.layers;

import dev.janus.core.JanusException;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer's settings as a saved model holds them ({@link Layer#config()}, written as strings), with
 * readers that name the setting when it is missing or malformed. A layer class declares how it is
 * rebuilt with a {@code public static fromConfig(LayerConfig)} method; a user's layer class is made
 * known to loading with {@link Serialization#registerLayer}.
 */
public final class LayerConfig {
    private final Map<String, String> values;

    public LayerConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The config of a layer, its values as strings. */
    static LayerConfig of(Layer l) {
        Map<String, String> m = new LinkedHashMap<>();
        l.config().forEach((k, v) -> m.put(k, String.valueOf(v)));
        return new LayerConfig(m);
    }

    public Map<String, String> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) throw new JanusException("layer setting '" + key + "' is missing");
        return v;
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(string(key));
        } catch (NumberFormatException e) {
            throw new JanusException("layer setting '" + key + "' is not a whole number: " + string(key));
        }
    }

    public double number(String key) {
        try {
            return Double.parseDouble(string(key));
        } catch (NumberFormatException e) {
            throw new JanusException("layer setting '" + key + "' is not a number: " + string(key));
        }
    }

    public boolean flag(String key) {
        String v = string(key);
        if (!v.equals("true") && !v.equals("false")) throw new JanusException("layer setting '" + key + "' is not true or false: " + v);
        return Boolean.parseBoolean(v);
    }

    /** "[3, 3]", as Arrays.toString writes it. */
    public int[] ints(String key) {
        String v = string(key).trim();
        if (!v.startsWith("[") || !v.endsWith("]")) throw new JanusException("layer setting '" + key + "' is not a list: " + v);
        String inner = v.substring(1, v.length() - 1).trim();
        if (inner.isEmpty()) return new int[0];
        try {
            return Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new JanusException("layer setting '" + key + "' is not a list of whole numbers: " + v);
        }
    }

    /**
     * An initializer setting: a Keras name or one registered with
     * {@link Serialization#registerInitializer} (else an error naming the layer). Null for "custom",
     * which files saved before initializers were saved by name hold for an initializer object: the
     * saved weights stand for it.
     */
    public String initializer(String key) {
        String v = string(key);
        if (v.equals("custom")) return null;
        try {
            InitializerNames.get(v);
        } catch (JanusException e) {
            throw new JanusException("layer '" + values.get("name") + "': " + key + ": " + e.getMessage()
                    + " (a custom initializer must be registered with Serialization.registerInitializer before the model is loaded)");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
