package dev.janus.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link Model#fit} returns: each logged value per epoch ("loss", "accuracy", "val_loss" ...). */
public final class History {
    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    /** Adds one epoch's logs (fit does; so do other trainers that report as fit does). */
    public void record(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }

    /** The epochs recorded (0-based, as Keras counts them). */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** Every key's values per epoch, in the order they were logged. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, Collections.unmodifiableList(v)));
        return Collections.unmodifiableMap(m);
    }

    /** The values of one key, for example history.get("val_accuracy"). */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        if (v == null) throw new dev.janus.core.JanusException("history has no '" + key + "'; it has " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
