package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Ops;
import dev.janus.eager.EagerEmitter;
import dev.janus.core.Tensor;

import java.util.Arrays;

/**
 * The functional forms of the layers and losses, as {@code torch.nn.functional}; the modules call
 * these. Losses check their inputs first (shapes, dtypes, labels in range) and refuse a NaN or
 * infinite result, naming the loss and where the bad value sits, before backward can spread it
 * into the parameters.
 */
public final class F {
    /** Runs the computations shared with the Keras layers ({@link Functions}) on eager tensors. */
    private static final EagerEmitter EAGER = new EagerEmitter();

    private F() {
    }

    // ------------------------------------------------------------ activations

    public static Tensor relu(Tensor x) {
        return Tensor.apply(Ops.RELU, Attrs.NONE, x);
    }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return Tensor.apply(Ops.LEAKY_RELU, Attrs.of("alpha", negativeSlope), x);
    }

    public static Tensor gelu(Tensor x) {
        return Tensor.apply(Ops.GELU, Attrs.NONE, x);
    }

    /** approximate: "none" (the exact erf form) or "tanh". */
    public static Tensor gelu(Tensor x, String approximate) {
        return Tensor.apply(Ops.GELU, approximate.equals("none") ? Attrs.NONE : Attrs.of("approximate", approximate), x);
    }

    public static Tensor sigmoid(Tensor x) {
        return Tensor.apply(Ops.SIGMOID, Attrs.NONE, x);
    }

    public static Tensor tanh(Tensor x) {
        return Tensor.apply(Ops.TANH, Attrs.NONE, x);
    }

    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** Dropout when {@code training} (and p > 0), else x itself. */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (!(p >= 0 && p <= 1)) throw new JanusException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        return Tensor.apply(Ops.DROPOUT, Attrs.of("p", p), x);
    }

    // ------------------------------------------------------------ layers

    /** x w^T + b (b may be null). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return bias == null ? Tensor.apply(Ops.LINEAR, Attrs.NONE, x, weight) : Tensor.apply(Ops.LINEAR, Attrs.NONE, x, weight, bias);
    }

    /**
     * Merges dimensions startDim..endDim into one. Dimensions before startDim are kept as they come
     * (so a traced graph keeps an unknown batch), the merged size is fixed unless it spans dimension 0.
     */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        Shape s = x.shape();
        if (s.rank() == 0) return x.reshape(1);
        int a = s.axis(startDim, "flatten"), b = s.axis(endDim, "flatten");
        if (a > b) throw new ShapeException("flatten: start_dim " + startDim + " comes after end_dim " + endDim + " for shape " + s);
        if (a == b) return x;
        int[] target = new int[s.rank() - (b - a)];
        for (int i = 0; i < a; i++) target[i] = 0;
        target[a] = a == 0 ? -1 : s.size(a, b + 1);
        for (int i = b + 1; i < s.rank(); i++) target[i - (b - a)] = s.dim(i);
        return x.reshape(target);
    }

    // ------------------------------------------------------------ convolution and pooling (channels first)

    /**
     * Convolution over the spatial axes of x [N, C, *spatial] with weight [out, C / groups, *kernel]
     * and bias [out] (may be null). {@code pads} holds every begin, then every end (ONNX's order),
     * so that padding "same" with an even kernel can pad more at the end, as PyTorch does.
     */
    public static Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] pads, int[] dilation, int groups) {
        Attrs attrs = Attrs.of("strides", stride, "pads", pads, "dilations", dilation, "group", groups);
        return bias == null ? Tensor.apply(Ops.CONV, attrs, x, weight) : Tensor.apply(Ops.CONV, attrs, x, weight, bias);
    }

    /** conv1d with PyTorch's arguments: symmetric zero padding. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv(x, weight, bias, new int[] {stride}, symmetric(new int[] {padding}), new int[] {dilation}, groups);
    }

    /** conv2d with PyTorch's arguments: stride, padding (symmetric) and dilation per spatial axis. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv(x, weight, bias, stride, symmetric(padding), dilation, groups);
    }

    /** Max over each window of x [N, C, H, W]; padded positions never win. */
    public static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Tensor.apply(Ops.MAX_POOL, Attrs.of("kernel_shape", kernelSize, "strides", stride, "pads", symmetric(padding),
                "dilations", dilation, "ceil_mode", ceilMode ? 1 : 0), x);
    }

    /** Mean over each window of x [N, C, H, W]; countIncludePad counts the zero padding in the divisor. */
    public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        return Tensor.apply(Ops.AVG_POOL, Attrs.of("kernel_shape", kernelSize, "strides", stride, "pads", symmetric(padding),
                "ceil_mode", ceilMode ? 1 : 0, "count_include_pad", countIncludePad ? 1 : 0), x);
    }

    /**
     * Averages x [N, C, H, W] down to [N, C, outH, outW] with PyTorch's windows: output i along an
     * axis of size n covers [floor(i n / out), ceil((i + 1) n / out)). Output 1x1 is a mean over H
     * and W; sizes that divide evenly are one avg_pool; others average window by window.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        if (x.rank() != 4) throw new ShapeException("adaptiveAvgPool2d: expected input [N, C, H, W], got " + x.shape());
        int h = x.dim(2), w = x.dim(3);
        if (outH < 1 || outW < 1) throw new ShapeException("adaptiveAvgPool2d: output size " + outH + "x" + outW + " must be positive");
        if (outH == 1 && outW == 1) return x.mean(new int[] {2, 3}, true);
        if (h % outH == 0 && w % outW == 0) {
            int[] k = {h / outH, w / outW};
            return avgPool2d(x, k, k, new int[] {0, 0}, false, true);
        }
        return adaptiveAvg(adaptiveAvg(x, 2, outH), 3, outW);
    }

    /** Adaptive averaging along one axis: a window mean per output position, joined. */
    private static Tensor adaptiveAvg(Tensor x, int axis, int out) {
        int n = x.dim(axis);
        if (n == out) return x;
        Tensor[] parts = new Tensor[out];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * n / out), end = (int) (((long) (i + 1) * n + out - 1) / out);
            parts[i] = x.narrow(axis, start, end - start).mean(new int[] {axis}, true);
        }
        return Tensor.cat(axis, parts);
    }

    private static int[] symmetric(int[] padding) {
        int[] pads = new int[2 * padding.length];
        for (int i = 0; i < padding.length; i++) pads[i] = pads[padding.length + i] = padding[i];
        return pads;
    }

    // ------------------------------------------------------------ normalisation and lookup

    /**
     * Batch normalisation of x [N, C, *] per channel. With {@code training} it normalises with the
     * batch's mean and (biased) variance, computed with ops so that gradients flow through them, and
     * leaves the running statistics alone (the module updates them); otherwise it uses runningMean
     * and runningVar. weight and bias may be null (1 and 0).
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training, double eps) {
        if (x.rank() < 2) throw new ShapeException("batchNorm: expected input [N, C, ...], got " + x.shape());
        int c = x.dim(1);
        Tensor scale = weight != null ? weight : Tensor.full(1, x.dtype(), c);
        Tensor shift = bias != null ? bias : Tensor.zeros(x.dtype(), c);
        Tensor[] stats = training ? batchStatistics(x) : new Tensor[] {runningMean, runningVar};
        return Tensor.apply(Ops.BATCH_NORM, Attrs.of("epsilon", eps), x, scale, shift, stats[0], stats[1]);
    }

    /** The mean and the biased variance per channel (axis 1) of x [N, C, *], as ops: gradients flow through them. */
    static Tensor[] batchStatistics(Tensor x) {
        int[] axes = new int[x.rank() - 1], perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        for (int i = 1; i < axes.length; i++) axes[i] = i + 1;
        return Functions.moments(EAGER, x, axes, Shape.of(perChannel)).toArray(new Tensor[0]);
    }

    /** Normalises over the last normalizedShape.length dimensions; weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        Tensor scale = weight != null ? weight : Tensor.full(1, x.dtype(), normalizedShape);
        Attrs attrs = Attrs.of("axis", -normalizedShape.length, "epsilon", eps);
        return bias == null ? Tensor.apply(Ops.LAYER_NORM, attrs, x, scale) : Tensor.apply(Ops.LAYER_NORM, attrs, x, scale, bias);
    }

    /** The rows of weight [num, dim] at int64 indices of any shape: [*indices, dim]. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return Tensor.apply(Ops.GATHER, Attrs.of("axis", 0), weight, indices);
    }

    // ------------------------------------------------------------ losses

    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, Reduction.MEAN, 0);
    }

    /** Cross entropy of logits [N, C] at int64 labels [N], optionally with label smoothing. */
    public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction, double labelSmoothing) {
        String loss = "CrossEntropyLoss";
        checkLabels(loss, input, target);
        Attrs attrs = labelSmoothing == 0 ? reduction.attrs()
                : reduction.attrs().with("label_smoothing", labelSmoothing);
        return checkFinite(loss, Tensor.apply(Ops.SOFTMAX_CROSS_ENTROPY, attrs, input, target), input, target);
    }

    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, Reduction.MEAN);
    }

    /** -input[i, target[i]] per row, for log-probabilities input [N, C]. */
    public static Tensor nllLoss(Tensor input, Tensor target, Reduction reduction) {
        String loss = "NLLLoss";
        checkLabels(loss, input, target);
        Tensor picked = Tensor.apply(Ops.ONE_HOT, Attrs.of("depth", input.dim(1), "dtype", input.dtype()), target);
        Tensor perRow = input.mul(picked).sum(1, false).neg();
        return checkFinite(loss, reduce(perRow, reduction), input, target);
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        String loss = "MSELoss";
        checkSameShape(loss, input, target);
        return checkFinite(loss, Tensor.apply(Ops.MSE, reduction.attrs(), input, target), input, target);
    }

    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        String loss = "L1Loss";
        checkSameShape(loss, input, target);
        return checkFinite(loss, reduce(input.sub(target).abs(), reduction), input, target);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, Reduction.MEAN);
    }

    /** softplus(x) - x y per element: the same as -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], without overflow. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Reduction reduction) {
        String loss = "BCEWithLogitsLoss";
        checkSameShape(loss, input, target);
        Tensor perElement = Functions.binaryCrossEntropyWithLogits(EAGER, input, target);
        return checkFinite(loss, reduce(perElement, reduction), input, target);
    }

    private static Tensor reduce(Tensor perElement, Reduction reduction) {
        switch (reduction) {
            case MEAN: return perElement.mean();
            case SUM: return perElement.sum();
            default: return perElement;
        }
    }

    // ------------------------------------------------------------ input checks

    private static void checkLabels(String loss, Tensor input, Tensor target) {
        if (input.rank() != 2 || !input.dtype().isFloating()) {
            throw new ShapeException(loss + ": the input must be float [batch, classes], got " + input.type());
        }
        if (target.dtype() != DType.INT64 || target.rank() != 1 || target.dim(0) != input.dim(0)) {
            throw new ShapeException(loss + ": the target must be int64 class indices of shape [" + input.dim(0)
                    + "] for input " + input.shape() + ", got " + target.type());
        }
        long[] labels = target.toLongArray();
        int classes = input.dim(1);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new JanusException(loss + ": target " + labels[i] + " at position " + i + " is out of range for "
                        + classes + " classes (input " + input.shape() + "; labels must be in [0, " + (classes - 1) + "])");
            }
        }
    }

    private static void checkSameShape(String loss, Tensor input, Tensor target) {
        if (!input.dtype().isFloating() || input.dtype() != target.dtype() || !input.shape().equals(target.shape())) {
            throw new ShapeException(loss + ": input and target must be float tensors of one shape and dtype, got "
                    + input.type() + " and " + target.type());
        }
    }

    private static Tensor checkFinite(String loss, Tensor result, Tensor input, Tensor target) {
        Tensor v = result;
        for (int i = 0, n = v.numel(); i < n; i++) {
            double x = v.readDouble(i);
            if (Double.isFinite(x)) continue;
            String what = Double.isNaN(x) ? "NaN" : "infinite";
            throw new JanusException(loss + ": the loss is " + what + (n > 1 ? " at element " + i : "") + "; "
                    + whereNotFinite("input", input) + ", " + whereNotFinite("target", target));
        }
        return result;
    }

    private static String whereNotFinite(String name, Tensor t) {
        Tensor v = t;
        int first = -1, count = 0;
        for (int i = 0, n = v.numel(); i < n; i++) {
            if (!Double.isFinite(v.readDouble(i))) {
                if (first < 0) first = i;
                count++;
            }
        }
        if (count == 0) return "the " + name + " " + v.shape() + " is finite";
        return "the " + name + " " + v.shape() + " has " + count + " NaN or infinite values, the first " + v.readDouble(first)
                + " at " + Arrays.toString(unravel(first, v.shape()));
    }

    private static int[] unravel(int flat, Shape s) {
        int[] idx = new int[s.rank()];
        for (int d = s.rank() - 1; d >= 0; d--) {
            idx[d] = flat % s.dim(d);
            flat /= s.dim(d);
        }
        return idx;
    }
}
