package dev.janus.export;

import dev.janus.core.onnx.OnnxException;

/**
 * A node needs an input's value when the model is read (Janus takes that input as an attribute),
 * and the value is computed at run time: {@link ImportOptions#constants} can fix a graph input.
 */
final class ConstantInputException extends OnnxException {
    private final String valueName;

    ConstantInputException(String opType, String valueName, String message) {
        super(opType, message, null);
        this.valueName = valueName;
    }

    /** The ONNX name of the value that must be known. */
    String valueName() {
        return valueName;
    }
}
