package dev.janus.serving;

import dev.janus.core.DType;
import dev.janus.core.Shape;

import java.util.Arrays;

/** A model input or output as the protocols describe it: name, element type and shape (-1 where any size goes). */
final class TensorSpec {
    final String name;
    final DType dtype;
    final int[] shape;

    TensorSpec(String name, DType dtype, Shape shape) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.dims().clone();
    }

    boolean sameAs(TensorSpec o) {
        return name.equals(o.name) && dtype == o.dtype && Arrays.equals(shape, o.shape);
    }

    /** The KServe v2 datatype name (FP32, FP64, INT64, BOOL). */
    String datatype() {
        return Datatypes.v2Name(dtype);
    }

    @Override
    public String toString() {
        return name + " " + datatype() + Arrays.toString(shape);
    }
}
