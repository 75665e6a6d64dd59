package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Op;
import dev.janus.eager.Tensor;

import java.util.List;

/**
 * The emitter that runs layers through the eager engine: each op is applied now and recorded for
 * backward ({@link Tensor#applyAll}). The eager engine's random ops draw from
 * {@link Generator#global()}; when the model has a generator of its own, its state is lent to the
 * global one for the op, so dropout draws the same numbers compiled and eagerly.
 */
final class EagerEmitter extends dev.janus.eager.EagerEmitter {
    private Generator rng;

    EagerEmitter(Generator rng) {
        this.rng = rng;
    }

    /** Follows the model's generator (it may be set after compile). */
    void generator(Generator g) {
        rng = g;
    }

    @Override
    public List<Tensor> apply(Op op, Attrs attrs, List<Tensor> inputs) {
        Generator global = Generator.global();
        if (!op.isRandom() || rng == global) return super.apply(op, attrs, inputs);
        long[] saved = global.state();
        global.setState(rng.state());
        try {
            return super.apply(op, attrs, inputs);
        } finally {
            rng.setState(global.state());
            global.setState(saved);
        }
    }
}
