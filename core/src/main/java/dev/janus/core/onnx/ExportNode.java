package dev.janus.core.onnx;

import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;

import java.util.List;

/**
 * The IR node an op's ONNX mapping translates: its attributes, and the ONNX names and types of its
 * inputs and outputs.
 */
public final class ExportNode {
    private final String op;
    private final String label;
    private final Attrs attrs;
    private final List<String> inputs, outputs;
    private final List<TensorType> inputTypes, outputTypes;

    public ExportNode(String op, String label, Attrs attrs, List<String> inputs, List<TensorType> inputTypes,
                      List<String> outputs, List<TensorType> outputTypes) {
        this.op = op;
        this.label = label;
        this.attrs = attrs;
        this.inputs = List.copyOf(inputs);
        this.inputTypes = List.copyOf(inputTypes);
        this.outputs = List.copyOf(outputs);
        this.outputTypes = List.copyOf(outputTypes);
    }

    public Attrs attrs() {
        return attrs;
    }

    public List<String> inputs() {
        return inputs;
    }

    public String input(int i) {
        return inputs.get(i);
    }

    public TensorType inputType(int i) {
        return inputTypes.get(i);
    }

    public List<String> outputs() {
        return outputs;
    }

    public String output(int i) {
        return outputs.get(i);
    }

    public TensorType outputType(int i) {
        return outputTypes.get(i);
    }

    /** An error naming the op and the node, e.g. "cannot export index_add (node dense_1): ...". */
    public OnnxException error(String why) {
        return new OnnxException("cannot export " + op + (label == null ? "" : " (node " + label + ")") + ": " + why);
    }
}
