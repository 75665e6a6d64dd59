package dev.janus.core;

/** Shapes, ranks, axes or dtypes that do not fit an op; the message names the op and what it saw. */
public class ShapeException extends JanusException {
    public ShapeException(String message) {
        super(message);
    }
}
