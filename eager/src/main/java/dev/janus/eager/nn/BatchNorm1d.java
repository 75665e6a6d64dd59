package dev.janus.eager.nn;

import dev.janus.core.DType;

/**
 * Batch normalisation of features [N, C] or sequences [N, C, L] per channel, as
 * {@code nn.BatchNorm1d} (see {@link BatchNormNd}).
 */
public final class BatchNorm1d extends BatchNormNd {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** momentum null: a cumulative average of every batch so far. */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    String layouts(int channels) {
        return "[N, " + channels + "] or [N, " + channels + ", L]";
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }
}
