package dev.janus.layers;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a saved or carried-over optimizer state against the state a backend holds. */
final class OptimizerState {
    private OptimizerState() {
    }

    /** Every tensor of {@code expected} must be in {@code given} with its type, and nothing else. */
    static void check(Map<String, Tensor> expected, Map<String, Tensor> given, long iterations) {
        List<String> problems = new ArrayList<>();
        if (iterations < 0) problems.add("the step count is " + iterations);
        if (iterations > 0) {
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor t = given.get(e.getKey());
                if (t == null) problems.add(e.getKey() + " is missing");
                else if (!t.type().equals(e.getValue().type())) problems.add(e.getKey() + " is " + t.type() + ", expected " + e.getValue().type());
            }
        }
        for (String k : given.keySet()) if (!expected.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty()) throw new JanusException("optimizer state does not fit the model: " + String.join("; ", problems));
    }
}
