package dev.janus.core;

/** What the autograd engine keeps per thread: whether ops record gradients, and the trace being recorded. */
final class ThreadState {
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    boolean gradEnabled = true;
    Trace trace;

    static ThreadState get() {
        return CURRENT.get();
    }
}
