package dev.janus.core;

/**
 * The library's own exception: every error Janus raises on bad input is one of these. Its message
 * is kept to a readable length ({@link Messages#clip}).
 */
public class JanusException extends RuntimeException {
    public JanusException(String message) {
        super(Messages.clip(message));
    }

    public JanusException(String message, Throwable cause) {
        super(Messages.clip(message), cause);
    }
}
