package dev.janus.layers.callbacks;

import dev.janus.core.JanusException;

import java.util.Map;

/** A logged value to watch and which way is better (Keras's mode "min", "max" or "auto"). */
final class Monitor {
    final String key;
    final boolean max;

    Monitor(String key, String mode) {
        this.key = key;
        switch (mode) {
            case "min": max = false; break;
            case "max": max = true; break;
            // Keras's auto: accuracies and AUCs grow, everything else (losses, errors) shrinks.
            case "auto": max = key.contains("acc") || key.startsWith("auc") || key.startsWith("val_auc"); break;
            default: throw new JanusException("mode must be \"auto\", \"min\" or \"max\", got \"" + mode + "\"");
        }
    }

    /** The watched value; an error lists what the logs hold. */
    double value(Map<String, Double> logs, String who) {
        Double v = logs.get(key);
        if (v == null) throw new JanusException(who + " monitors '" + key + "', which is not logged; logged: " + logs.keySet());
        return v;
    }

    /** Whether {@code current} beats {@code best} by more than {@code minDelta}. */
    boolean improves(double current, double best, double minDelta) {
        return max ? current - minDelta > best : current + minDelta < best;
    }

    double worst() {
        return max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
}
