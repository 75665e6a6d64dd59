package dev.janus.eager;

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
}
