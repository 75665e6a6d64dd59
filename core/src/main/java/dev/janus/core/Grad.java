package dev.janus.core;

/**
 * Gradient mode, per thread, as {@code torch.no_grad()}: inside a no-grad scope ops compute their
 * values but record nothing, so evaluation costs no memory for backward.
 *
 * <pre>{@code
 * try (var ignored = Grad.noGrad()) {
 *     Tensor logits = model.forward(x);
 * }
 * }</pre>
 */
public final class Grad {
    private Grad() {
    }

    /** Restores the previous mode when closed; closing twice is harmless. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public static boolean isEnabled() {
        return ThreadState.get().gradEnabled;
    }

    /** Ops in the scope record no gradients. */
    public static Scope noGrad() {
        return enabled(false);
    }

    /** Sets the mode for the scope (enabled(true) re-enables recording inside a no-grad scope). */
    public static Scope enabled(boolean on) {
        ThreadState s = ThreadState.get();
        boolean before = s.gradEnabled;
        s.gradEnabled = on;
        return new Scope() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    s.gradEnabled = before;
                }
            }
        };
    }

    /**
     * The gradients of the one-element {@code output} with respect to each of {@code inputs}, as
     * {@code torch.autograd.grad}: nothing is added into any tensor's {@code grad()}; an input the
     * output does not depend on gets zeros. The graph behind {@code output} is freed.
     */
    public static Tensor[] gradients(Tensor output, Tensor... inputs) {
        if (output.numel() != 1) throw new ShapeException("gradients: the output must have one element, got shape " + output.shape());
        if (!output.requiresGrad()) throw new JanusException("gradients: the output does not require grad (no recorded op made it)");
        return Backward.gradients(output, inputs);
    }
}
