package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Immediate;
import dev.janus.core.Tensor;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share, as PyTorch's {@code _BatchNorm}. In
 * training mode the layer normalises with the batch's mean and biased variance per channel and
 * moves the running averages: running = (1 - momentum) running + momentum batch, with the
 * unbiased variance (n / (n - 1)) for running_var; momentum null averages every batch so far
 * equally. In eval mode it normalises with the running averages. weight starts at 1, bias at 0,
 * running_mean at 0, running_var at 1; the three statistics are buffers (running_mean,
 * running_var, num_batches_tracked), saved in the state dict.
 */
abstract class BatchNormNd extends NNModule {
    /** Null without affine. */
    public final Tensor weight, bias;
    /** Null without trackRunningStats. */
    public final Tensor runningMean, runningVar, numBatchesTracked;
    private final int numFeatures;
    private final double eps;
    private final Double momentum;

    BatchNormNd(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        String kind = kind();
        if (numFeatures <= 0) throw new JanusException(kind + ": num_features must be positive, got " + numFeatures);
        if (!(eps >= 0)) throw new JanusException(kind + ": eps must be >= 0, got " + eps);
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) throw new JanusException(kind + ": momentum must be in [0, 1], got " + momentum);
        if (!dtype.isFloating()) throw new JanusException(kind + ": dtype must be float32 or float64, got " + dtype);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        weight = affine ? registerParameter("weight", Tensor.full(1, dtype, numFeatures)) : null;
        bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numFeatures)) : null;
        runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures)) : null;
        runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.full(1, dtype, numFeatures)) : null;
        numBatchesTracked = trackRunningStats ? registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64)) : null;
    }

    /** The input layouts this layer takes, such as "[N, C] or [N, C, L]", with C filled in. */
    abstract String layouts(int channels);

    abstract boolean acceptsRank(int rank);

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.rank()) || x.dim(1) != numFeatures) throw InputChecks.wrong(this, layouts(numFeatures), x);
        InputChecks.sameDType(this, x, weight != null ? weight : runningMean != null ? runningMean : x);
        boolean batchStats = isTraining() || runningMean == null;
        if (!batchStats) return F.batchNorm(x, runningMean, runningVar, weight, bias, false, eps);
        long perChannel = (long) x.numel() / numFeatures;
        if (isTraining() && perChannel <= 1) {
            throw new ShapeException(this + ": expected more than 1 value per channel when training, got input " + x.shape());
        }
        Tensor[] stats = F.batchStatistics(x);
        if (isTraining() && runningMean != null) updateRunningStats(stats[0], stats[1], perChannel);
        return F.batchNorm(x, stats[0], stats[1], weight, bias, false, eps);
    }

    /**
     * Moves the running averages towards the batch's mean and unbiased variance with the update
     * the Keras layer uses ({@link Functions#movingAverage}, keeping 1 - momentum), in float64
     * as PyTorch's CPU kernel does, then writes them in place.
     */
    private void updateRunningStats(Tensor batchMean, Tensor batchVar, long perChannel) {
        long tracked = numBatchesTracked.readLong(0) + 1;
        double m = momentum != null ? momentum : 1.0 / tracked;
        Immediate now = Immediate.global();
        Tensor unbiased = now.div(now.mul(now.cast(batchVar, DType.FLOAT64), (double) perChannel),
                now.scalar(perChannel - 1, DType.FLOAT64));
        Tensor mean = Functions.movingAverage(now, now.cast(runningMean, DType.FLOAT64), 1 - m,
                now.cast(batchMean, DType.FLOAT64), m);
        Tensor var = Functions.movingAverage(now, now.cast(runningVar, DType.FLOAT64), 1 - m, unbiased, m);
        runningMean.copyFrom(now.cast(mean, runningMean.dtype()));
        runningVar.copyFrom(now.cast(var, runningVar.dtype()));
        numBatchesTracked.copyFrom(Tensor.scalar(tracked, DType.INT64));
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + Repr.number(eps) + ", momentum=" + (momentum == null ? "None" : Repr.number(momentum))
                + ", affine=" + Repr.bool(weight != null) + ", bias=" + Repr.bool(bias != null) + ", track_running_stats=" + Repr.bool(runningMean != null);
    }
}
