package dev.janus.export;

import dev.janus.core.onnx.OnnxException;

/** An ONNX model uses an op Janus cannot import; the message names the op, the node and why. */
public final class UnsupportedOpException extends OnnxException {
    private final String reason;

    UnsupportedOpException(String opType, String reason, String message) {
        super(opType, message, null);
        this.reason = reason;
    }

    /** Why, in a few words ("not in Janus's op set", or the reason {@link OnnxSupport} gives). */
    public String reason() {
        return reason;
    }
}
