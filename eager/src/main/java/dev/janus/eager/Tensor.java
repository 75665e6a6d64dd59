package dev.janus.eager;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;

/**
 * A tensor of the eager engine, as PyTorch's: its values (a {@link dev.janus.core.Tensor}, computed at
 * once) plus autograd. A tensor with {@code requiresGrad} that no op made is a <em>leaf</em> (a
 * parameter, say): {@link #backward()} adds into its {@link #grad()}. A tensor made by an op from
 * tensors that require gradients records that op ({@link #gradFn()}); backward runs the op's gradient
 * rule from the core op set. Ordinary Java control flow decides what is recorded, and any tensor can
 * be printed or read at any point.
 *
 * <p>Random ops (dropout) and the random factories draw from {@link Generator#global()}:
 * {@code Generator.manualSeed(seed)} makes a run repeat bit for bit, as {@code torch.manual_seed}.
 */
public class Tensor {
    // Replaced only by moveTo (Module.to), which keeps the tensor's identity as PyTorch's does.
    private dev.janus.core.Tensor value;
    private boolean requiresGrad;
    private Tensor grad;
    /** The op that made this tensor, or null for a leaf. */
    final Node gradFn;
    final int outputIndex;
    /** Bumped by every in-place change, so backward can refuse values changed after the forward used them. */
    int version;

    private Tensor(dev.janus.core.Tensor value, Node gradFn, int outputIndex, boolean requiresGrad) {
        this.value = value;
        this.gradFn = gradFn;
        this.outputIndex = outputIndex;
        this.requiresGrad = requiresGrad;
    }

    /** A new leaf holding {@code data}'s values (not a copy), for {@code Parameter}. */
    protected Tensor(Tensor data) {
        this(data.value, null, 0, false);
    }

    // ---------------------------------------------------------------- creation

    /** Wraps a core tensor (no copy): a leaf that does not require grad. */
    public static Tensor from(dev.janus.core.Tensor value) {
        if (value == null) throw new JanusException("Tensor.from: the value is null");
        return new Tensor(value, null, 0, false);
    }

    public static Tensor of(float[] values, int... shape) {
        return from(dev.janus.core.Tensor.of(values, shape));
    }

    public static Tensor of(double[] values, int... shape) {
        return from(dev.janus.core.Tensor.of(values, shape));
    }

    /** Int64 values, such as class labels. */
    public static Tensor of(long[] values, int... shape) {
        return from(dev.janus.core.Tensor.of(values, shape));
    }

    public static Tensor of(float[][] rows) {
        return from(dev.janus.core.Tensor.of(rows));
    }

    public static Tensor of(double[][] rows) {
        return from(dev.janus.core.Tensor.of(rows));
    }

    public static Tensor scalar(double v) {
        return from(dev.janus.core.Tensor.scalar(v));
    }

    public static Tensor scalar(double v, DType dtype) {
        return from(dev.janus.core.Tensor.scalar(v, dtype));
    }

    public static Tensor zeros(int... shape) {
        return from(dev.janus.core.Tensor.zeros(shape));
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return from(dev.janus.core.Tensor.zeros(dtype, shape));
    }

    public static Tensor ones(int... shape) {
        return from(dev.janus.core.Tensor.ones(shape));
    }

    public static Tensor full(double v, DType dtype, int... shape) {
        return from(dev.janus.core.Tensor.full(v, dtype, shape));
    }

    /** Standard normal float32 from the global generator. */
    public static Tensor randn(int... shape) {
        return from(dev.janus.core.Tensor.randn(Generator.global(), shape));
    }

    /** Uniform [0, 1) float32 from the global generator. */
    public static Tensor rand(int... shape) {
        return from(dev.janus.core.Tensor.rand(Generator.global(), shape));
    }

    // ---------------------------------------------------------------- the dispatch every op goes through

    /** Applies {@code op} of the core op set now and returns its first output. */
    public static Tensor apply(Op op, Attrs attrs, Tensor... inputs) {
        return applyAll(op, attrs, inputs)[0];
    }

    /**
     * Applies {@code op} now, recording it for backward when gradients are enabled and an input
     * requires them, and for the tracer when one is recording. Returns every output.
     */
    public static Tensor[] applyAll(Op op, Attrs attrs, Tensor... inputs) {
        return applyAll(Backward.CTX, op, attrs, inputs);
    }

    /** As {@link #applyAll(Op, Attrs, Tensor...)}, random ops drawing from {@code ctx}'s generator. */
    static Tensor[] applyAll(ExecContext ctx, Op op, Attrs attrs, Tensor... inputs) {
        dev.janus.core.Tensor[] in = new dev.janus.core.Tensor[inputs.length];
        boolean needsGrad = false;
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i].value;
            needsGrad |= inputs[i].requiresGrad;
        }
        dev.janus.core.Tensor[] out = op.run(ctx, attrs, in);
        ThreadState state = ThreadState.get();
        Node node = needsGrad && state.gradEnabled ? new Node(op, attrs, inputs.clone(), in, out) : null;
        Tensor[] result = new Tensor[out.length];
        for (int k = 0; k < out.length; k++) {
            boolean differentiable = node != null && out[k].dtype().isFloating();
            result[k] = new Tensor(out[k], differentiable ? node : null, k, differentiable);
        }
        if (state.trace != null) state.trace.record(op, attrs, in, out);
        return result;
    }

    private Tensor constant(double c) {
        return from(dev.janus.core.Tensor.scalar(c, value.dtype()));
    }

    // ---------------------------------------------------------------- inspection

    /** The values (the storage itself, not a copy). */
    public dev.janus.core.Tensor value() {
        return value;
    }

    public Shape shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    public int rank() {
        return value.rank();
    }

    /** Size of dimension {@code axis} (negative counts from the end); {@link #size(int)} is PyTorch's name for it. */
    public int dim(int axis) {
        return value.dim(axis);
    }

    /** The number of dimensions, as PyTorch's {@code x.dim()} (the same as {@link #rank()}). */
    public int dim() {
        return value.rank();
    }

    /** Size of dimension {@code axis} (negative counts from the end), as {@code x.size(axis)}. */
    public int size(int axis) {
        return value.dim(axis);
    }

    /** The shape, as {@code x.size()}. */
    public Shape size() {
        return value.shape();
    }

    public int numel() {
        return value.numel();
    }

    /** The value of a one-element tensor. (While a trace is recorded, reading values is warned about: see {@link Tracer}.) */
    public double item() {
        traced("item()");
        return value.item();
    }

    public double getDouble(int... index) {
        traced("getDouble");
        return value.getDouble(index);
    }

    public float[] toFloatArray() {
        traced("toFloatArray()");
        return value.toFloatArray();
    }

    private static void traced(String how) {
        Trace t = ThreadState.get().trace;
        if (t != null) t.read(how);
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing gradients (or not); returns this, as {@code requires_grad_()}. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null) {
            throw new JanusException("requiresGrad: only leaf tensors can change it; this one was made by "
                    + gradFn.displayName() + " (use detach() for a leaf copy)");
        }
        if (on && !value.dtype().isFloating()) {
            throw new JanusException("requiresGrad: only float tensors can require gradients, this one is " + value.type());
        }
        requiresGrad = on;
        return this;
    }

    /** True for tensors no recorded op made: the user's own tensors and parameters. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * The accumulated gradient: set on leaves that require grad by {@link #backward()}, null before
     * the first backward or after zeroGrad. Non-leaf tensors keep none unless {@link #retainGrad()}.
     */
    public Tensor grad() {
        return grad;
    }

    Tensor gradOrNull() {
        return grad;
    }

    void setGradValue(dev.janus.core.Tensor g) {
        grad = from(g);
    }

    /** Replaces the gradient (null clears it); it must match this tensor's dtype and shape. */
    public void setGrad(Tensor g) {
        if (g != null && !g.value.type().equals(value.type())) {
            throw new ShapeException("setGrad: gradient " + g.value.type() + " does not match tensor " + value.type());
        }
        grad = g == null ? null : from(g.value);
    }

    /** Clears the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        grad = null;
    }

    /** Asks a non-leaf tensor to keep its gradient in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new JanusException("retainGrad: the tensor does not require grad");
        if (gradFn != null) gradFn.retain(outputIndex, this);
        return this;
    }

    /** The name of the op that made this tensor ("LinearBackward"), or null for a leaf. */
    public String gradFn() {
        return gradFn == null ? null : gradFn.displayName();
    }

    /** Backward from a scalar (a loss): d this / d leaf, added into every leaf's grad. */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeException("backward: a gradient can only be implied for a scalar, this tensor has shape " + shape()
                    + "; pass one with backward(gradient)");
        }
        backward(null, false);
    }

    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Backward with an upstream gradient of this tensor's shape; retainGraph keeps the graph for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!requiresGrad) {
            throw new JanusException("backward: this tensor does not require grad and no recorded op made it (was the forward "
                    + "run in Grad.noGrad(), or do no parameters require grad?)");
        }
        dev.janus.core.Tensor seed;
        if (gradient == null) {
            seed = dev.janus.core.Tensor.full(1, value.dtype(), value.shape());
        } else {
            if (!gradient.value.type().equals(value.type())) {
                throw new ShapeException("backward: the gradient " + gradient.value.type() + " does not match the tensor " + value.type());
            }
            seed = gradient.value;
        }
        Backward.run(this, seed, retainGraph);
    }

    // ---------------------------------------------------------------- devices

    /** The device its values live on. */
    public Device device() {
        return value.device();
    }

    /**
     * This tensor on {@code device}, as PyTorch's {@code tensor.to(device)}: itself when it is already
     * there, else a copy there. The copy of a leaf is a new leaf that requires grad as this one does
     * (move data and parameters before the forward); moving a tensor an op made is not recorded
     * for backward, so it is refused.
     */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        if (gradFn != null) {
            throw new JanusException("to(" + device + "): this tensor was made by " + gradFn.displayName()
                    + " and moving it would not be recorded for backward; move the inputs and the module before the forward");
        }
        Tensor t = from(value.to(device));
        t.requiresGrad = requiresGrad;
        return t;
    }

    /** This tensor on the CPU, as {@code tensor.cpu()}. */
    public Tensor cpu() {
        return to(Device.CPU);
    }

    /**
     * Moves a leaf's values, and its gradient, to {@code device} in place, keeping the tensor itself
     * (what {@code Module.to} does to parameters and buffers, so optimizers keep working on them).
     */
    public void moveTo(Device device) {
        if (gradFn != null) throw new JanusException("moveTo: only leaf tensors move in place; this one was made by " + gradFn.displayName());
        if (device.equals(device())) return;
        dev.janus.core.Tensor moved = value.to(device);
        dev.janus.core.Tensor movedGrad = grad == null ? null : grad.value.to(device);
        value = moved;
        if (grad != null) grad = from(movedGrad);
        version++;
    }

    /** The same values as a new leaf that does not require grad; ops on it are not recorded. */
    public Tensor detach() {
        return from(value);
    }

    /**
     * Overwrites the values in place, as {@code with torch.no_grad(): t.copy_(src)}; the change is not
     * recorded, and backward refuses graphs that used the old values.
     */
    public void copyFrom(dev.janus.core.Tensor src) {
        value.copyFrom(src);
        version++;
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Tensor add(Tensor o) {
        return apply(Ops.ADD, Attrs.NONE, this, o);
    }

    public Tensor add(double c) {
        return apply(Ops.ADD, Attrs.NONE, this, constant(c));
    }

    public Tensor sub(Tensor o) {
        return apply(Ops.SUB, Attrs.NONE, this, o);
    }

    public Tensor sub(double c) {
        return apply(Ops.SUB, Attrs.NONE, this, constant(c));
    }

    public Tensor mul(Tensor o) {
        return apply(Ops.MUL, Attrs.NONE, this, o);
    }

    public Tensor mul(double c) {
        return apply(Ops.MUL, Attrs.NONE, this, constant(c));
    }

    public Tensor div(Tensor o) {
        return apply(Ops.DIV, Attrs.NONE, this, o);
    }

    public Tensor div(double c) {
        return apply(Ops.DIV, Attrs.NONE, this, constant(c));
    }

    public Tensor pow(double c) {
        return apply(Ops.POW, Attrs.NONE, this, constant(c));
    }

    public Tensor neg() {
        return apply(Ops.NEG, Attrs.NONE, this);
    }

    public Tensor exp() {
        return apply(Ops.EXP, Attrs.NONE, this);
    }

    public Tensor log() {
        return apply(Ops.LOG, Attrs.NONE, this);
    }

    public Tensor sqrt() {
        return apply(Ops.SQRT, Attrs.NONE, this);
    }

    public Tensor abs() {
        return apply(Ops.ABS, Attrs.NONE, this);
    }

    public Tensor relu() {
        return apply(Ops.RELU, Attrs.NONE, this);
    }

    public Tensor sigmoid() {
        return apply(Ops.SIGMOID, Attrs.NONE, this);
    }

    public Tensor tanh() {
        return apply(Ops.TANH, Attrs.NONE, this);
    }

    public Tensor softmax(int dim) {
        return apply(Ops.SOFTMAX, Attrs.of("axis", dim), this);
    }

    public Tensor logSoftmax(int dim) {
        return apply(Ops.LOG_SOFTMAX, Attrs.of("axis", dim), this);
    }

    /** Matrix product over the last two axes, leading axes broadcast. */
    public Tensor matmul(Tensor o) {
        return apply(Ops.MATMUL, Attrs.NONE, this, o);
    }

    // ---------------------------------------------------------------- shapes

    /** A new shape with the same elements; one dimension may be -1 (inferred). */
    public Tensor reshape(int... shape) {
        return apply(Ops.RESHAPE, Attrs.of("shape", shape), this);
    }

    /** Swaps two dimensions. */
    public Tensor transpose(int dim0, int dim1) {
        int r = rank();
        int a = shape().axis(dim0, "transpose"), b = shape().axis(dim1, "transpose");
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return apply(Ops.TRANSPOSE, Attrs.of("perm", perm), this);
    }

    /** Reorders the dimensions: dimension i of the result is dimension dims[i] of this, as {@code permute}. */
    public Tensor permute(int... dims) {
        return apply(Ops.TRANSPOSE, Attrs.of("perm", dims), this);
    }

    /** Elements start..start+length-1 along {@code dim}, as {@code narrow}. */
    public Tensor narrow(int dim, int start, int length) {
        int axis = shape().axis(dim, "narrow");
        if (start < 0 || length < 0 || start + length > shape().dim(axis)) {
            throw new ShapeException("narrow: elements [" + start + ", " + (start + length) + ") do not fit dimension " + axis
                    + " of shape " + shape());
        }
        return apply(Ops.SLICE, Attrs.of("starts", new int[] {start}, "ends", new int[] {start + length}, "axes", new int[] {axis}), this);
    }

    /** The entries at int64 {@code index} along {@code dim}, as {@code index_select}. */
    public Tensor indexSelect(int dim, Tensor index) {
        if (index.rank() != 1) throw new ShapeException("indexSelect: the index must be 1-D, got " + index.value.type());
        return apply(Ops.GATHER, Attrs.of("axis", dim), this, index);
    }

    /**
     * Indexing as PyTorch's {@code x[...]}: one entry per leading dimension, each an int (picks that
     * position, negative from the end, and drops the dimension) or a {@link Slice}; dimensions not
     * named are taken whole. Gradients flow back into the positions taken.
     */
    public Tensor index(Object... indices) {
        if (indices.length > rank()) {
            throw new ShapeException("index: " + indices.length + " indices for a tensor of shape " + shape());
        }
        Tensor t = this;
        int dim = 0;
        for (Object ix : indices) {
            if (ix instanceof Integer) {
                t = t.select(dim, (Integer) ix);
            } else if (ix instanceof Slice) {
                Slice s = (Slice) ix;
                int[] b = s.bounds(t.size(dim));
                if (b[0] != 0 || b[1] != t.size(dim) || s.step != 1) {
                    t = apply(Ops.SLICE, Attrs.of("starts", new int[] {b[0]}, "ends", new int[] {b[1]}, "axes", new int[] {dim},
                            "steps", new int[] {s.step}), t);
                }
                dim++;
            } else {
                throw new JanusException("index: an index is an int or a Slice, got " + (ix == null ? "null" : ix.getClass().getSimpleName()));
            }
        }
        return t;
    }

    /** The slice at position {@code index} of dimension {@code dim}, that dimension removed, as {@code select}. */
    public Tensor select(int dim, int index) {
        int axis = shape().axis(dim, "select"), size = shape().dim(axis);
        if (index < -size || index >= size) {
            throw new ShapeException("select: index " + index + " is out of range for dimension " + axis + " of size " + size + " (shape " + shape() + ")");
        }
        int i = index < 0 ? index + size : index;
        int[] kept = new int[rank() - 1];
        for (int d = 0, k = 0; d < rank(); d++) if (d != axis) kept[k++] = shape().dim(d);
        return narrow(axis, i, 1).reshape(kept.length == 0 ? new int[0] : kept);
    }

    /** Drops every dimension of size 1, as {@code squeeze()}. */
    public Tensor squeeze() {
        int[] kept = java.util.Arrays.stream(shape().dims()).filter(d -> d != 1).toArray();
        return kept.length == rank() ? this : reshape(kept);
    }

    /** Drops dimension {@code dim} if its size is 1 (else returns this), as {@code squeeze(dim)}. */
    public Tensor squeeze(int dim) {
        int axis = shape().axis(dim, "squeeze");
        if (shape().dim(axis) != 1) return this;
        int[] kept = new int[rank() - 1];
        for (int d = 0, k = 0; d < rank(); d++) if (d != axis) kept[k++] = shape().dim(d);
        return reshape(kept);
    }

    /** Inserts a dimension of size 1 at {@code dim} (negative counts from the end of the result), as {@code unsqueeze}. */
    public Tensor unsqueeze(int dim) {
        int r = rank() + 1, axis = dim < 0 ? dim + r : dim;
        if (axis < 0 || axis >= r) throw new ShapeException("unsqueeze: dimension " + dim + " is out of range for a result of rank " + r);
        int[] dims = new int[r];
        for (int d = 0, k = 0; d < r; d++) dims[d] = d == axis ? 1 : shape().dim(k++);
        return reshape(dims);
    }

    /** Limits every element to [min, max], as {@code clamp}; the gradient passes where the element was inside. */
    public Tensor clamp(double min, double max) {
        if (min > max) throw new JanusException("clamp: min " + min + " is above max " + max);
        return apply(Ops.CLIP, Attrs.of("min", min, "max", max), this);
    }

    public Tensor clampMin(double min) {
        return apply(Ops.CLIP, Attrs.of("min", min), this);
    }

    public Tensor clampMax(double max) {
        return apply(Ops.CLIP, Attrs.of("max", max), this);
    }

    /** Stacks tensors of one shape along a new dimension {@code dim}, as {@code torch.stack}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new JanusException("stack: no tensors to stack");
        Tensor[] parts = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!tensors[i].shape().equals(tensors[0].shape())) {
                throw new ShapeException("stack: every tensor must have one shape; tensor 0 is " + tensors[0].shape() + ", tensor " + i + " is "
                        + tensors[i].shape());
            }
            parts[i] = tensors[i].unsqueeze(dim);
        }
        int axis = dim < 0 ? dim + tensors[0].rank() + 1 : dim;
        return parts.length == 1 ? parts[0] : apply(Ops.CONCAT, Attrs.of("axis", axis), parts);
    }

    /** Joins tensors along {@code dim}, as {@code torch.cat}. */
    public static Tensor cat(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new JanusException("cat: no tensors to join");
        return tensors.length == 1 ? tensors[0] : apply(Ops.CONCAT, Attrs.of("axis", dim), tensors);
    }

    /** The transpose of a matrix. */
    public Tensor t() {
        if (rank() != 2) throw new ShapeException("t: expects a 2-D tensor, got shape " + shape());
        return transpose(0, 1);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements. */
    public Tensor sum() {
        return apply(Ops.SUM, Attrs.NONE, this);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return apply(Ops.SUM, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    public Tensor mean() {
        return apply(Ops.MEAN, Attrs.NONE, this);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return apply(Ops.MEAN, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    /** Mean over several dimensions. */
    public Tensor mean(int[] dims, boolean keepdim) {
        return apply(Ops.MEAN, Attrs.of("axes", dims, "keepdims", keepdim), this);
    }

    /** Largest value along {@code dim}. */
    public Tensor amax(int dim, boolean keepdim) {
        return apply(Ops.MAX, Attrs.of("axes", new int[] {dim}, "keepdims", keepdim), this);
    }

    /** Index of the largest value along {@code dim} (first on ties), int64. */
    public Tensor argmax(int dim) {
        return apply(Ops.ARGMAX, Attrs.of("axis", dim), this);
    }

    // ---------------------------------------------------------------- comparison and logic (bool results, broadcasting)

    /** Elementwise equality, bool. */
    public Tensor eq(Tensor o) {
        return apply(Ops.EQUAL, Attrs.NONE, this, o);
    }

    public Tensor eq(double c) {
        return eq(constant(c));
    }

    /** this != o; true where either is NaN, as PyTorch's {@code ne}. */
    public Tensor ne(Tensor o) {
        return eq(o).logicalNot();
    }

    public Tensor ne(double c) {
        return ne(constant(c));
    }

    /** this > o. */
    public Tensor gt(Tensor o) {
        return apply(Ops.GREATER, Attrs.NONE, this, o);
    }

    public Tensor gt(double c) {
        return gt(constant(c));
    }

    /** this < o. */
    public Tensor lt(Tensor o) {
        return o.gt(this);
    }

    public Tensor lt(double c) {
        return lt(constant(c));
    }

    /** this >= o (false where either is NaN). */
    public Tensor ge(Tensor o) {
        return gt(o).logicalOr(eq(o));
    }

    public Tensor ge(double c) {
        return ge(constant(c));
    }

    /** this <= o (false where either is NaN). */
    public Tensor le(Tensor o) {
        return lt(o).logicalOr(eq(o));
    }

    public Tensor le(double c) {
        return le(constant(c));
    }

    private Tensor bool(String op) {
        if (dtype() != DType.BOOL) throw new JanusException(op + ": expects a bool tensor, got " + value.type() + " (compare first, or use to(BOOL))");
        return this;
    }

    private static Tensor boolScalar(boolean b) {
        return from(dev.janus.core.Tensor.scalar(b ? 1 : 0, DType.BOOL));
    }

    public Tensor logicalNot() {
        return apply(Ops.EQUAL, Attrs.NONE, bool("logicalNot"), boolScalar(false));
    }

    public Tensor logicalAnd(Tensor o) {
        return apply(Ops.WHERE, Attrs.NONE, bool("logicalAnd"), o.bool("logicalAnd"), boolScalar(false));
    }

    public Tensor logicalOr(Tensor o) {
        return apply(Ops.WHERE, Attrs.NONE, bool("logicalOr"), boolScalar(true), o.bool("logicalOr"));
    }

    public Tensor logicalXor(Tensor o) {
        return bool("logicalXor").ne(o.bool("logicalXor"));
    }

    /** Picks this where {@code condition} is true, else {@code other}, as {@code torch.where(condition, this, other)}. */
    public Tensor where(Tensor condition, Tensor other) {
        return apply(Ops.WHERE, Attrs.NONE, condition.bool("where"), this, other);
    }

    /** Converts to {@code dtype} (a float-to-float conversion passes gradients). */
    public Tensor to(DType dtype) {
        return dtype == dtype() ? this : apply(Ops.CAST, Attrs.of("to", dtype), this);
    }

    /**
     * PyTorch's printing: {@code tensor([[0.1000, 0.2000]], grad_fn=<LinearBackward>)}, or
     * {@code requires_grad=True} for a leaf that requires grad.
     */
    @Override
    public String toString() {
        String s = value.toString();
        String suffix = gradFn != null ? "grad_fn=<" + gradFn.displayName() + ">" : requiresGrad ? "requires_grad=True" : null;
        if (suffix == null) return s;
        return s.substring(0, s.length() - 1) + ", " + suffix + ")";
    }
}
