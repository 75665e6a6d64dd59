package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;

/**
 * The keyword arguments of {@link Conv1d} and {@link Conv2d} beyond the kernel, with PyTorch's
 * defaults: stride 1, padding 0, dilation 1, groups 1, a bias, float32. One number applies to every
 * spatial axis, or give one per axis.
 *
 * <pre>{@code
 * new Conv2d(3, 16, 3, new ConvOptions().padding("same").bias(false))
 * }</pre>
 */
public final class ConvOptions {
    int[] stride = {1}, padding = {0}, dilation = {1};
    String paddingMode;
    int groups = 1;
    boolean bias = true;
    DType dtype = DType.FLOAT32;

    public ConvOptions stride(int... stride) {
        this.stride = stride.clone();
        return this;
    }

    /** Zero padding on both sides of each spatial axis. */
    public ConvOptions padding(int... padding) {
        this.padding = padding.clone();
        this.paddingMode = null;
        return this;
    }

    /**
     * "valid" (no padding) or "same" (the output as large as the input; stride 1 only): PyTorch
     * pads (d (k - 1)) / 2 at the start of an axis and the rest at the end.
     */
    public ConvOptions padding(String mode) {
        if (!"same".equals(mode) && !"valid".equals(mode)) {
            throw new JanusException("ConvOptions: padding must be \"same\", \"valid\" or numbers, got \"" + mode + "\"");
        }
        this.paddingMode = mode;
        return this;
    }

    public ConvOptions dilation(int... dilation) {
        this.dilation = dilation.clone();
        return this;
    }

    public ConvOptions groups(int groups) {
        this.groups = groups;
        return this;
    }

    public ConvOptions bias(boolean bias) {
        this.bias = bias;
        return this;
    }

    public ConvOptions dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }
}
