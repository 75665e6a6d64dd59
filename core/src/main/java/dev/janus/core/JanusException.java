package dev.janus.core;

/** The library's own exception: every error Janus raises on bad input is one of these. */
public class JanusException extends RuntimeException {
    public JanusException(String message) {
        super(message);
    }

    public JanusException(String message, Throwable cause) {
        super(message, cause);
    }
}
