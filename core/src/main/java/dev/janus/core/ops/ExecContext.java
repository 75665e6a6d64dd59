package dev.janus.core.ops;

import dev.janus.core.Generator;

/** What a kernel may need beyond its inputs: the generator that random ops (dropout) draw from. */
public final class ExecContext {
    private final Generator rng;

    public ExecContext(Generator rng) {
        this.rng = rng;
    }

    /** A context drawing from {@link Generator#global()}. */
    public static ExecContext global() {
        return new ExecContext(Generator.global());
    }

    public Generator rng() {
        return rng;
    }
}
