package dev.janus.graph;

import dev.janus.core.Shape;
import dev.janus.core.ops.Op;


/**
 * Elementwise ops (each declares it, {@link Op#isElementwise()}): their kernels work in place, so
 * the buffer planner may give the output an input's buffer, and the fusion pass may chain them in
 * one kernel.
 */
final class Elementwise {
    private Elementwise() {
    }

    static boolean is(Op op) {
        return op.isElementwise();
    }

    /**
     * The period with which an operand of shape {@code operand} repeats over an output of shape
     * {@code out} in row-major order: its element count when, leading 1s aside, it equals the
     * trailing dimensions of {@code out} (a scalar, a bias row); -1 when it broadcasts otherwise.
     */
    static int period(Shape operand, Shape out) {
        int lead = 0;
        while (lead < operand.rank() && operand.dim(lead) == 1) lead++;
        int r = operand.rank() - lead;
        if (r > out.rank()) return -1;
        for (int i = 0; i < r; i++) if (operand.dim(lead + i) != out.dim(out.rank() - r + i)) return -1;
        return operand.size();
    }
}
