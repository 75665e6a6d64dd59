package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Messages;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An op's attributes: a small immutable map from names to values (Integer, Double, Boolean,
 * String, int[], double[] or DType). Equal attributes compare equal, so the compiler can merge
 * identical nodes.
 */
public final class Attrs {
    public static final Attrs NONE = new Attrs(Collections.emptyMap());

    private final Map<String, Object> map;

    private Attrs(Map<String, Object> map) {
        this.map = map;
    }

    /** Attrs.of("axis", 1, "keepdims", true). */
    public static Attrs of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new JanusException("Attrs.of needs key/value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], normalise((String) keysAndValues[i], keysAndValues[i + 1]));
        }
        return new Attrs(Collections.unmodifiableMap(m));
    }

    public Attrs with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(map);
        m.put(key, normalise(key, value));
        return new Attrs(Collections.unmodifiableMap(m));
    }

    private static Object normalise(String key, Object v) {
        if (v instanceof Integer || v instanceof Double || v instanceof Boolean || v instanceof String || v instanceof DType) return v;
        if (v instanceof Long) return saturate((Long) v);
        if (v instanceof Float) return ((Float) v).doubleValue();
        if (v instanceof int[]) return ((int[]) v).clone();
        if (v instanceof double[]) return ((double[]) v).clone();
        if (v instanceof long[]) return Arrays.stream((long[]) v).mapToInt(Attrs::saturate).toArray();
        throw new JanusException("attribute '" + key + "' has unsupported type "
                + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    /** ONNX writes "to the end" as int64 extremes; they saturate to the int range here. */
    private static int saturate(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    public boolean has(String key) {
        return map.containsKey(key);
    }

    public Set<String> keys() {
        return map.keySet();
    }

    /** The raw value (arrays are copies). */
    public Object get(String key) {
        Object v = map.get(key);
        if (v instanceof int[]) return ((int[]) v).clone();
        if (v instanceof double[]) return ((double[]) v).clone();
        return v;
    }

    private Object need(String key) {
        Object v = map.get(key);
        if (v == null) throw new JanusException("missing attribute '" + key + "'");
        return v;
    }

    public int getInt(String key) {
        return ((Number) need(key)).intValue();
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public double getDouble(String key) {
        return ((Number) need(key)).doubleValue();
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public boolean getBool(String key, boolean fallback) {
        return has(key) ? (Boolean) need(key) : fallback;
    }

    public String getString(String key, String fallback) {
        return has(key) ? (String) need(key) : fallback;
    }

    public DType getDType(String key) {
        return (DType) need(key);
    }

    public int[] getInts(String key) {
        Object v = need(key);
        if (v instanceof Integer) return new int[] {(Integer) v};
        return ((int[]) v).clone();
    }

    /** The int array, or null when absent. */
    public int[] getIntsOrNull(String key) {
        return has(key) ? getInts(key) : null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attrs)) return false;
        Map<String, Object> other = ((Attrs) o).map;
        if (!other.keySet().equals(map.keySet())) return false;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (!Arrays.deepEquals(new Object[] {e.getValue()}, new Object[] {other.get(e.getKey())})) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            h += e.getKey().hashCode() ^ Arrays.deepHashCode(new Object[] {e.getValue()});
        }
        return h;
    }

    /** "axis=1, keepdims=true". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            Object v = e.getValue();
            String s = v instanceof int[] ? Messages.list((int[]) v)
                    : v instanceof double[] ? Messages.list((double[]) v)
                    : v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
            sb.append(e.getKey()).append('=').append(s);
        }
        return sb.toString();
    }
}
