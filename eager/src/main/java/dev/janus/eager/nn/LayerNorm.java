package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import java.util.Arrays;

/**
 * Normalises each sample over its last dimensions (normalizedShape) to mean 0 and variance 1,
 * then scales by weight and shifts by bias of that shape, as {@code nn.LayerNorm}; weight starts
 * at 1, bias at 0. The same in training and eval.
 */
public final class LayerNorm extends NNModule {
    /** Null without elementwiseAffine (bias also without bias). */
    public final Tensor weight, bias;
    private final int[] normalizedShape;
    private final double eps;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true, true, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias, DType dtype) {
        String kind = kind();
        if (normalizedShape.length == 0) throw new JanusException(kind + ": normalized_shape needs at least one dimension");
        for (int d : normalizedShape) {
            if (d <= 0) throw new JanusException(kind + ": normalized_shape " + Repr.tuple(normalizedShape) + " must be positive");
        }
        if (!(eps >= 0)) throw new JanusException(kind + ": eps must be >= 0, got " + eps);
        if (!dtype.isFloating()) throw new JanusException(kind + ": dtype must be float32 or float64, got " + dtype);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = elementwiseAffine ? registerParameter("weight", Tensor.full(1, dtype, normalizedShape)) : null;
        this.bias = elementwiseAffine && bias ? registerParameter("bias", Tensor.zeros(dtype, normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        boolean ok = x.rank() >= k;
        for (int i = 0; ok && i < k; i++) ok = x.dim(x.rank() - k + i) == normalizedShape[i];
        if (!ok) {
            String dims = Arrays.toString(normalizedShape);
            throw InputChecks.wrong(this, "[*, " + dims.substring(1, dims.length() - 1) + "]", x);
        }
        if (weight != null) InputChecks.sameDType(this, x, weight);
        return F.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return Repr.tuple(normalizedShape) + ", eps=" + Repr.number(eps) + ", elementwise_affine=" + Repr.bool(weight != null) + ", bias=" + Repr.bool(bias != null);
    }
}
