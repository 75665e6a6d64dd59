package dev.janus.eager.nn;

/**
 * 1-D convolution of [N, C_in, L] into [N, C_out, L'], as {@code nn.Conv1d}: stride, padding
 * (a number, "same" or "valid"), dilation, groups and bias in {@link ConvOptions}, zero padding,
 * PyTorch's initialisation. The weight is [C_out, C_in / groups, k].
 */
public final class Conv1d extends ConvNd {
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, new ConvOptions());
    }

    /** PyTorch's first positional arguments: kernel, stride and padding. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, new ConvOptions().stride(stride).padding(padding));
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, ConvOptions options) {
        super(1, inChannels, outChannels, new int[] {kernelSize}, options);
    }
}
