package dev.janus.core.onnx;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Op;

import java.util.List;

/**
 * The ONNX node an import rule translates into IR, without any protobuf type. Its inputs are IR
 * values of the graph being built; inputs that ONNX passes as tensors but a core op takes as an
 * attribute (a shape, axes, slice bounds) are read with {@link #constant}.
 *
 * <p>Every attribute the node carries must be read (or explicitly {@link #ignore ignored}) by the
 * rule: the importer rejects a node with an attribute its rule did not look at, so an attribute
 * that would change the result is never dropped silently.
 */
public interface ImportNode {
    String opType();

    /** The node's name, or its op type when it has none. */
    String name();

    /** The model's opset of the default domain. */
    int opset();

    /** How many inputs the node lists, omitted optional ones ("") included. */
    int inputCount();

    /** True when input {@code i} is listed and not omitted. */
    boolean hasInput(int i);

    /** Input {@code i} as an IR value; an error when it is missing. */
    Value input(int i);

    /** All inputs that are present, in order (for variadic ops). */
    List<Value> inputs();

    /** True when input {@code i} is known at import time (an initializer or a Constant node output). */
    boolean isConstant(int i);

    /** The value of input {@code i}, which must be known at import time. */
    Tensor constant(int i);

    /** How many outputs the node lists. */
    int outputCount();

    boolean has(String attr);

    /** The INT attribute; an error when it does not fit an int. */
    int getInt(String attr, int fallback);

    double getFloat(String attr, double fallback);

    String getString(String attr, String fallback);

    /** The INTS attribute, or null when absent. */
    long[] getInts(String attr);

    /** The FLOATS attribute, or null when absent. */
    double[] getFloats(String attr);

    /** The TENSOR attribute, or null when absent. */
    Tensor getTensor(String attr);

    /** Marks attributes that do not change what the node computes at inference (a seed, say). */
    void ignore(String... attrs);

    /** The emitter that appends IR nodes, labelled with this node's name. */
    Emitter<Value> emit();

    default Value apply1(Op op, Attrs attrs, Value... in) {
        return emit().one(op, attrs, List.of(in));
    }

    /** An error naming the node and its op type. */
    OnnxException error(String why);
}
