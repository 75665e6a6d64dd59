package dev.janus.core;

import java.util.Objects;

/**
 * A dtype and a shape: what a shape rule computes and what an IR value carries. A small integer
 * tensor (rank 0 or 1, at most {@link #MAX_ELEMENTS} elements) may also carry the elements known
 * before run time, each a number or null when unknown: a shape computed in the graph (ONNX's
 * Shape, Gather, Concat ... on shapes), whose known elements let shape rules downstream (Reshape,
 * Expand, ConstantOfShape, Range) know their output shapes. Elements do not take part in equality.
 */
public final class TensorType {
    /** The most elements a type carries the values of. */
    public static final int MAX_ELEMENTS = 64;

    private final DType dtype;
    private final Shape shape;
    private final Long[] elements;

    public TensorType(DType dtype, Shape shape) {
        this(dtype, shape, null);
    }

    private TensorType(DType dtype, Shape shape, Long[] elements) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.elements = elements;
    }

    public static TensorType of(DType dtype, int... dims) {
        return new TensorType(dtype, Shape.of(dims));
    }

    /**
     * True for the types that can carry their elements: integer or bool (an If's condition on a
     * shape), rank 0 or 1, static and small.
     */
    public static boolean holdsElements(DType dtype, Shape shape) {
        return (dtype.isInteger() || dtype == DType.BOOL) && shape.rank() <= 1 && shape.isStatic() && shape.size() <= MAX_ELEMENTS;
    }

    /** The type of {@code t}, with its elements when it is a small integer tensor. */
    public static TensorType ofValue(Tensor t) {
        TensorType type = t.type();
        if (!holdsElements(t.dtype(), t.shape())) return type;
        Long[] e = new Long[t.numel()];
        for (int i = 0; i < e.length; i++) e[i] = t.readLong(i);
        return new TensorType(t.dtype(), t.shape(), e);
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

    /** The known elements (null where unknown), or null when none are known or the type holds none. */
    public Long[] elements() {
        return elements == null ? null : elements.clone();
    }

    /** Element {@code i} when it is known, else null. */
    public Long element(int i) {
        return elements == null ? null : elements[i];
    }

    /** True when every element is known. */
    public boolean isKnown() {
        if (elements == null) return false;
        for (Long e : elements) if (e == null) return false;
        return true;
    }

    /** The value, when every element is known; else null. */
    public Tensor value() {
        if (!isKnown()) return null;
        Tensor t = Tensor.empty(dtype, shape);
        for (int i = 0; i < elements.length; i++) t.setLong(i, elements[i]);
        return t;
    }

    /**
     * This type with these known elements (null entries unknown), wrapped to the dtype's width as a
     * cast would; itself when it cannot hold elements or none is known.
     */
    public TensorType withElements(Long[] e) {
        if (e == null || !holdsElements(dtype, shape) || e.length != shape.size()) return elements == null ? this : new TensorType(dtype, shape);
        Long[] kept = new Long[e.length];
        Tensor one = Tensor.empty(dtype, Shape.of(1));
        boolean any = false;
        for (int i = 0; i < e.length; i++) {
            if (e[i] == null) continue;
            one.setLong(0, e[i]);
            kept[i] = one.readLong(0);
            any = true;
        }
        return new TensorType(dtype, shape, any ? kept : null);
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

    /** "float32[?, 4]" (known elements are not printed: graphs print constants' values themselves). */
    @Override
    public String toString() {
        return dtype + shape.toString();
    }
}
