package dev.janus.eager.nn;

import java.util.Locale;

/** How a loss combines its per-element values: their mean, their sum, or none (one loss per element). */
public enum Reduction {
    MEAN, SUM, NONE;

    /** "mean", "sum" or "none", as the core ops' attribute spells it. */
    public String attr() {
        return name().toLowerCase(Locale.ROOT);
    }
}
