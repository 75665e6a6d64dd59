package dev.janus.core.onnx;

import dev.janus.core.JanusException;

/** A model cannot be exported to or imported from ONNX: the message names the op, node or file. */
public class OnnxException extends JanusException {
    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
