package dev.janus.eager.nn;

/**
 * 2-D convolution of [N, C_in, H, W] into [N, C_out, H', W'], as {@code nn.Conv2d}: stride,
 * padding (numbers, "same" or "valid"), dilation, groups and bias in {@link ConvOptions}, zero
 * padding, PyTorch's initialisation. The weight is [C_out, C_in / groups, kH, kW].
 */
public final class Conv2d extends ConvNd {
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, new int[] {kernelSize}, new ConvOptions());
    }

    /** PyTorch's first positional arguments: kernel, stride and padding, the same on both axes. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, new int[] {kernelSize}, new ConvOptions().stride(stride).padding(padding));
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, ConvOptions options) {
        this(inChannels, outChannels, new int[] {kernelSize}, options);
    }

    /** kernelSize: one size for both axes, or {kH, kW}. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, ConvOptions options) {
        super(2, inChannels, outChannels, kernelSize, options);
    }
}
