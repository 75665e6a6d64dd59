package dev.janus.core.onnx;

import dev.janus.core.DType;
import dev.janus.core.Tensor;

import java.util.List;

/**
 * Where an op's ONNX mapping writes (see {@link dev.janus.core.ops.Op#toOnnx}): nodes and
 * initializers of the model being exported, without any protobuf type. Attributes are name/value
 * pairs of plain Java values: Integer or Long (an ONNX INT), Double or Float (FLOAT), String,
 * int[] or long[] (INTS), double[] or float[] (FLOATS), and Tensor (TENSOR).
 */
public interface OnnxWriter {
    /** The opset of the default domain being written (13 to 21). */
    int opset();

    /** Adds a node computing {@code outputs} from {@code inputs} ("" for an omitted optional input). */
    void node(String opType, List<String> inputs, List<String> outputs, Object... attrs);

    /** A new name for an intermediate value. */
    String fresh();

    /** Adds a node with one output under a fresh name, and returns that name. */
    default String emit(String opType, List<String> inputs, Object... attrs) {
        String y = fresh();
        node(opType, inputs, List.of(y), attrs);
        return y;
    }

    /** An initializer holding {@code value}; returns its name. */
    String constant(Tensor value);

    /** A scalar initializer of {@code dtype}, for the constants of a decomposition. */
    default String scalar(double value, DType dtype) {
        return constant(Tensor.scalar(value, dtype));
    }

    /** A 1-D int64 initializer, the form ONNX takes shapes, axes and slice bounds in. */
    default String int64s(long... values) {
        return constant(Tensor.of(values));
    }

    default String int64s(int... values) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i];
        return int64s(v);
    }

    /** Makes {@code name} another name for the existing value {@code source}, with no node. */
    void alias(String name, String source);
}
