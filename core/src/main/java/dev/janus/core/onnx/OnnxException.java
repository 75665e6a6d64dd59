package dev.janus.core.onnx;

import dev.janus.core.JanusException;

/**
 * A model cannot be exported to or imported from ONNX: the message names the op, node or file.
 * An error about one ONNX node also carries the node's op type ({@link #opType()}).
 */
public class OnnxException extends JanusException {
    private final String opType;

    public OnnxException(String message) {
        super(message);
        this.opType = null;
    }

    /** Keeps the op type of a cause that is an OnnxException about a node. */
    public OnnxException(String message, Throwable cause) {
        this(cause instanceof OnnxException ? ((OnnxException) cause).opType : null, message, cause);
    }

    /** An error about a node of ONNX op type {@code opType}. */
    public OnnxException(String opType, String message, Throwable cause) {
        super(message, cause);
        this.opType = opType;
    }

    /** The ONNX op type of the node this error is about, or null when it is about no one node. */
    public String opType() {
        return opType;
    }
}
