package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;

import java.util.ArrayList;
import java.util.List;

/**
 * Where gradient rules (and anything else written once for both front ends) send their ops. The
 * eager engine's emitter ({@link Immediate}) computes each op at once on tensors; the graph
 * emitter appends IR nodes. {@code V} is whatever handle the emitter gives for a value.
 *
 * <p>The default methods are the vocabulary rules are written in; each is one op of the op set.
 */
public interface Emitter<V> {
    /** Applies {@code op} and returns its outputs. */
    List<V> apply(Op op, Attrs attrs, List<V> inputs);

    /** The static type of a value. */
    TensorType type(V value);

    /** A constant value. */
    V constant(Tensor value);

    default V one(Op op, Attrs attrs, List<V> inputs) {
        return apply(op, attrs, inputs).get(0);
    }

    default Shape shape(V v) {
        return type(v).shape();
    }

    default DType dtype(V v) {
        return type(v).dtype();
    }

    default V scalar(double value, DType dtype) {
        return constant(Tensor.scalar(value, dtype));
    }

    default V zeros(TensorType t) {
        return constant(Tensor.empty(t.dtype(), t.shape()));
    }

    // ------------------------------------------------------------ arithmetic

    default V add(V a, V b) {
        return one(Ops.ADD, Attrs.NONE, List.of(a, b));
    }

    default V sub(V a, V b) {
        return one(Ops.SUB, Attrs.NONE, List.of(a, b));
    }

    default V mul(V a, V b) {
        return one(Ops.MUL, Attrs.NONE, List.of(a, b));
    }

    default V div(V a, V b) {
        return one(Ops.DIV, Attrs.NONE, List.of(a, b));
    }

    default V pow(V a, V b) {
        return one(Ops.POW, Attrs.NONE, List.of(a, b));
    }

    default V add(V a, double c) {
        return add(a, scalar(c, dtype(a)));
    }

    default V mul(V a, double c) {
        return mul(a, scalar(c, dtype(a)));
    }

    /** c - a. */
    default V rsub(double c, V a) {
        return sub(scalar(c, dtype(a)), a);
    }

    default V neg(V x) {
        return one(Ops.NEG, Attrs.NONE, List.of(x));
    }

    default V exp(V x) {
        return one(Ops.EXP, Attrs.NONE, List.of(x));
    }

    default V log(V x) {
        return one(Ops.LOG, Attrs.NONE, List.of(x));
    }

    default V sqrt(V x) {
        return one(Ops.SQRT, Attrs.NONE, List.of(x));
    }

    default V sign(V x) {
        return one(Ops.SIGN, Attrs.NONE, List.of(x));
    }

    default V erf(V x) {
        return one(Ops.ERF, Attrs.NONE, List.of(x));
    }

    default V tanh(V x) {
        return one(Ops.TANH, Attrs.NONE, List.of(x));
    }

    default V sigmoid(V x) {
        return one(Ops.SIGMOID, Attrs.NONE, List.of(x));
    }

    // ------------------------------------------------------------ comparison and selection

    default V greater(V a, V b) {
        return one(Ops.GREATER, Attrs.NONE, List.of(a, b));
    }

    default V equal(V a, V b) {
        return one(Ops.EQUAL, Attrs.NONE, List.of(a, b));
    }

    default V where(V cond, V a, V b) {
        return one(Ops.WHERE, Attrs.NONE, List.of(cond, a, b));
    }

    /** where(cond, a, 0). */
    default V maskOr0(V cond, V a) {
        return where(cond, a, scalar(0, dtype(a)));
    }

    default V cast(V x, DType to) {
        return dtype(x) == to ? x : one(Ops.CAST, Attrs.of("to", to), List.of(x));
    }

    // ------------------------------------------------------------ shapes

    default V matmul(V a, V b, boolean transA, boolean transB) {
        return one(Ops.MATMUL, Attrs.of("transA", transA, "transB", transB), List.of(a, b));
    }

    default V reshape(V x, Shape s) {
        return shape(x).equals(s) ? x : one(Ops.RESHAPE, Attrs.of("shape", s.dims()), List.of(x));
    }

    default V transpose(V x, int... perm) {
        return one(Ops.TRANSPOSE, Attrs.of("perm", perm), List.of(x));
    }

    default V expand(V x, Shape s) {
        return shape(x).equals(s) ? x : one(Ops.EXPAND, Attrs.of("shape", s.dims()), List.of(x));
    }

    default V sum(V x, int[] axes, boolean keepdims) {
        return one(Ops.SUM, Attrs.of("axes", axes, "keepdims", keepdims), List.of(x));
    }

    default V mean(V x, int[] axes, boolean keepdims) {
        return one(Ops.MEAN, Attrs.of("axes", axes, "keepdims", keepdims), List.of(x));
    }

    /** x[from:to] along one axis. */
    default V slice(V x, int axis, int from, int to) {
        return one(Ops.SLICE, Attrs.of("starts", new int[] {from}, "ends", new int[] {to}, "axes", new int[] {axis}), List.of(x));
    }

    default V concat(List<V> parts, int axis) {
        return parts.size() == 1 ? parts.get(0) : one(Ops.CONCAT, Attrs.of("axis", axis), parts);
    }

    default V softmax(V x, int axis) {
        return one(Ops.SOFTMAX, Attrs.of("axis", axis), List.of(x));
    }

    default V gather(V x, V indices, int axis) {
        return one(Ops.GATHER, Attrs.of("axis", axis), List.of(x, indices));
    }

    default V indexAdd(V base, V indices, V src, int axis) {
        return one(Ops.INDEX_ADD, Attrs.of("axis", axis), List.of(base, indices, src));
    }

    default V oneHot(V labels, int depth, DType dtype) {
        return one(Ops.ONE_HOT, Attrs.of("depth", depth, "dtype", dtype), List.of(labels));
    }

    /** Sums {@code g} over the dimensions that broadcasting added or stretched, down to {@code target}. */
    default V sumTo(V g, Shape target) {
        Shape gs = shape(g);
        if (gs.equals(target)) return g;
        int lead = gs.rank() - target.rank();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && gs.dim(i) != 1)) axes.add(i);
        }
        V summed = axes.isEmpty() ? g : sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return reshape(summed, target);
    }
}
