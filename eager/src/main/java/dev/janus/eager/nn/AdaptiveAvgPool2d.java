package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/**
 * Averages [N, C, H, W] down to a fixed [N, C, outH, outW] whatever H and W are, as
 * {@code nn.AdaptiveAvgPool2d}; output 1 is global average pooling. Windows as PyTorch's
 * (see {@link F#adaptiveAvgPool2d}).
 */
public final class AdaptiveAvgPool2d extends NNModule {
    private final int[] outputSize;

    /** One size for both axes, or {outH, outW}. */
    public AdaptiveAvgPool2d(int... outputSize) {
        this.outputSize = ConvNd.perAxis(kind(), "output_size", outputSize, 2, 1);
    }

    @Override
    public Tensor forward(Tensor x) {
        InputChecks.image(this, x, -1, outputSize);
        return F.adaptiveAvgPool2d(x, outputSize[0], outputSize[1]);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Repr.value(outputSize);
    }
}
