package dev.janus.core;

import java.util.Objects;

/** A dtype and a shape: what a shape rule computes and what an IR value carries. */
public final class TensorType {
    private final DType dtype;
    private final Shape shape;

    public TensorType(DType dtype, Shape shape) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = Objects.requireNonNull(shape, "shape");
    }

    public static TensorType of(DType dtype, int... dims) {
        return new TensorType(dtype, Shape.of(dims));
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public TensorType withShape(Shape s) {
        return new TensorType(dtype, s);
    }

    public TensorType withDType(DType d) {
        return new TensorType(d, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType && ((TensorType) o).dtype == dtype && ((TensorType) o).shape.equals(shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + shape.hashCode();
    }

    /** "float32[?, 4]". */
    @Override
    public String toString() {
        return dtype + shape.toString();
    }
}
