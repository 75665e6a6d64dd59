package dev.janus.serving;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

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

    /** Zeros of this spec with {@code rows} as the first unknown size and 1 for the other unknown ones (load checks and warm-up). */
    Tensor zeros(int rows) {
        int[] dims = shape.clone();
        for (int d = 0; d < dims.length; d++) if (dims[d] == Shape.DYNAMIC) dims[d] = d == 0 ? rows : 1;
        return Tensor.zeros(dtype, dims);
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
