package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks a saved or carried-over optimizer state against the state a backend holds. */
final class OptimizerState {
    private OptimizerState() {
    }

    /** Every tensor of {@code expected} must be in {@code given} with its type, and nothing else. */
    static void check(Map<String, TensorType> expected, Map<String, Tensor> given, long iterations) {
        List<String> problems = new ArrayList<>();
        if (iterations < 0) problems.add("the step count is " + iterations);
        if (iterations > 0) {
            for (Map.Entry<String, TensorType> e : expected.entrySet()) {
                Tensor t = given.get(e.getKey());
                if (t == null) problems.add(e.getKey() + " is missing");
                else if (!t.type().equals(e.getValue())) problems.add(e.getKey() + " is " + t.type() + ", expected " + e.getValue());
            }
        }
        for (String k : given.keySet()) if (!expected.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty()) throw new JanusException("optimizer state does not fit the model: " + String.join("; ", problems));
    }

    static Map<String, TensorType> types(Map<String, Tensor> state) {
        Map<String, TensorType> m = new LinkedHashMap<>();
        state.forEach((k, v) -> m.put(k, v.type()));
        return m;
    }
}
