package dev.janus.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies between Janus tensors and ND4J arrays. Kept apart so ND4J loads only when asked for. */
final class Nd4jConvert {
    private Nd4jConvert() {
    }

    static INDArray toNd4j(Tensor t) {
        long[] shape = t.shape().toLongArray();
        switch (t.dtype()) {
            case FLOAT32: return Nd4j.create(t.f32(), shape, 'c');
            case FLOAT64: return Nd4j.create(t.f64(), shape, 'c');
            case INT64: return Nd4j.createFromArray(t.i64()).reshape('c', shape);
            default: return Nd4j.createFromArray(t.bool()).reshape('c', shape);
        }
    }

    static Tensor fromNd4j(INDArray a) {
        INDArray c = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
        Shape shape = Shape.of(c.shape());
        DataType dt = c.dataType();
        switch (dt) {
            case FLOAT: return Tensor.wrap(c.data().asFloat(), DType.FLOAT32, shape);
            case DOUBLE: return Tensor.wrap(c.data().asDouble(), DType.FLOAT64, shape);
            case LONG: return Tensor.wrap(c.data().asLong(), DType.INT64, shape);
            case BOOL: {
                boolean[] b = new boolean[shape.size()];
                for (int i = 0; i < b.length; i++) b[i] = c.data().getNumber(i).intValue() != 0;
                return Tensor.wrap(b, DType.BOOL, shape);
            }
            default:
                throw new JanusException("fromNd4j: ND4J dtype " + dt + " is not supported (float, double, long, bool)");
        }
    }
}
