package dev.janus.eager.nn;

import dev.janus.core.ops.Attrs;

import java.util.Locale;

/** How a loss combines its per-element values: their mean, their sum, or none (one loss per element). */
public enum Reduction {
    MEAN, SUM, NONE;

    /** Built once: losses run every step. */
    private final Attrs attrs = Attrs.of("reduction", attr());

    /** "mean", "sum" or "none", as the core ops' attribute spells it. */
    public String attr() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The ops' attributes for this reduction: {@code reduction="mean"}, ... */
    Attrs attrs() {
        return attrs;
    }
}
