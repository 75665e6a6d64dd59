package dev.janus.export;

import dev.janus.core.onnx.OnnxException;

/** An ONNX model uses an op Janus cannot import; the message names the op, the node and what is supported. */
public final class UnsupportedOpException extends OnnxException {
    private final String opType;

    UnsupportedOpException(String opType, String message) {
        super(message);
        this.opType = opType;
    }

    /** The ONNX op type (with its domain when not the default one). */
    public String opType() {
        return opType;
    }
}
