package dev.janus.eager.nn;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

/**
 * The largest value of each window of [N, C, H, W], as {@code nn.MaxPool2d}: the stride defaults
 * to the kernel size, padding (implicit -infinity, at most half the dilated kernel), dilation and
 * ceil_mode as PyTorch's. Its gradient goes to the element each window took.
 */
public final class MaxPool2d extends NNModule {
    private final int[] kernelSize, stride, padding, dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool2d(int kernelSize, int stride) {
        this(kernelSize, stride, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    /** Each of kernelSize, stride, padding and dilation: one number for both axes, or two. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        String kind = kind();
        this.kernelSize = ConvNd.perAxis(kind, "kernel_size", kernelSize, 2, 1);
        this.stride = ConvNd.perAxis(kind, "stride", stride, 2, 1);
        this.padding = ConvNd.perAxis(kind, "padding", padding, 2, 0);
        this.dilation = ConvNd.perAxis(kind, "dilation", dilation, 2, 1);
        this.ceilMode = ceilMode;
        for (int i = 0; i < 2; i++) {
            int extent = (this.kernelSize[i] - 1) * this.dilation[i] + 1;
            if (2 * this.padding[i] > extent) {
                throw new JanusException(kind + ": padding " + Repr.tuple(this.padding) + " must be at most half of the dilated kernel "
                        + Repr.tuple(this.kernelSize) + " (dilation " + Repr.tuple(this.dilation) + ")");
            }
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        InputChecks.image(this, x, -1, ConvNd.smallestInput(kernelSize, dilation, new int[] {padding[0], padding[1], padding[0], padding[1]}));
        return F.maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Repr.value(kernelSize) + ", stride=" + Repr.value(stride) + ", padding=" + Repr.value(padding)
                + ", dilation=" + Repr.value(dilation) + ", ceil_mode=" + Repr.bool(ceilMode);
    }
}
