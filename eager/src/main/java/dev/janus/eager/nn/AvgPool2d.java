package dev.janus.eager.nn;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

/**
 * The mean of each window of [N, C, H, W], as {@code nn.AvgPool2d}: the stride defaults to the
 * kernel size; zero padding (at most half the kernel) counts in the divisor unless
 * countIncludePad is false; ceil_mode as PyTorch's.
 */
public final class AvgPool2d extends NNModule {
    private final int[] kernelSize, stride, padding;
    private final boolean ceilMode, countIncludePad;

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public AvgPool2d(int kernelSize, int stride) {
        this(kernelSize, stride, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, false, true);
    }

    /** Each of kernelSize, stride and padding: one number for both axes, or two. */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        String kind = kind();
        this.kernelSize = ConvNd.perAxis(kind, "kernel_size", kernelSize, 2, 1);
        this.stride = ConvNd.perAxis(kind, "stride", stride, 2, 1);
        this.padding = ConvNd.perAxis(kind, "padding", padding, 2, 0);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        for (int i = 0; i < 2; i++) {
            if (2 * this.padding[i] > this.kernelSize[i]) {
                throw new JanusException(kind + ": padding " + Repr.tuple(this.padding) + " must be at most half of the kernel "
                        + Repr.tuple(this.kernelSize));
            }
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        InputChecks.image(this, x, -1, ConvNd.smallestInput(kernelSize, new int[] {1, 1}, new int[] {padding[0], padding[1], padding[0], padding[1]}));
        return F.avgPool2d(x, kernelSize, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Repr.value(kernelSize) + ", stride=" + Repr.value(stride) + ", padding=" + Repr.value(padding);
    }
}
