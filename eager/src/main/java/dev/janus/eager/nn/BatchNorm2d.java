package dev.janus.eager.nn;

import dev.janus.core.DType;

/** Batch normalisation of images [N, C, H, W] per channel, as {@code nn.BatchNorm2d} (see {@link BatchNormNd}). */
public final class BatchNorm2d extends BatchNormNd {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** momentum null: a cumulative average of every batch so far. */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    String layouts(int channels) {
        return "[N, " + channels + ", H, W]";
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }
}
