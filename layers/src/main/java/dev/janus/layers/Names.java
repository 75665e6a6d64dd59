package dev.janus.layers;

import java.util.Locale;

/**
 * Keras finds its objects by name whatever the spelling: "adam", "Adam", "MeanSquaredError",
 * "mean_squared_error". Lookups compare names by this key: lower case, without underscores (shared
 * by the catalogues of every layers package: losses, metrics, optimizers, activations, layers).
 */
public final class Names {
    private Names() {
    }

    public static String key(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
