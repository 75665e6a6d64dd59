package dev.janus.tensorboard;

import dev.janus.core.JanusException;
import dev.janus.tensorboard.proto.TensorBoardProtos.HistogramProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Histograms in TensorBoard's bucket layout (TensorFlow's {@code histogram.cc}, which the histogram
 * plugin reads): bucket right edges at ±1e-12 · 1.1^k up to 1e20, 0 between them and ±DBL_MAX at
 * the ends; a value v falls in the first bucket whose edge is greater than v. Runs of empty buckets
 * are merged into one, as TensorFlow encodes them, so a histogram holds only a few dozen buckets.
 */
public final class Histograms {
    /** The right edges of the default buckets, ascending (1,551 of them). */
    static final double[] LIMITS = limits();

    private Histograms() {
    }

    private static double[] limits() {
        List<Double> pos = new ArrayList<>();
        for (double v = 1e-12; v < 1e20; v *= 1.1) pos.add(v);
        pos.add(Double.MAX_VALUE);
        List<Double> all = new ArrayList<>();
        for (int i = pos.size() - 1; i >= 0; i--) all.add(-pos.get(i));
        all.add(0.0);
        all.addAll(pos);
        double[] out = new double[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    /** The histogram of {@code values}; NaN or infinite values are an error naming the first one. */
    public static HistogramProto of(double[] values) {
        if (values.length == 0) throw new JanusException("histogram: no values");
        double[] counts = new double[LIMITS.length];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSquares = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) throw new JanusException("histogram: value " + i + " is " + v);
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSquares += v * v;
            counts[bucket(v)]++;
        }
        HistogramProto.Builder h = HistogramProto.newBuilder().setMin(min).setMax(max).setNum(values.length).setSum(sum).setSumSquares(sumSquares);
        for (int i = 0; i < counts.length; ) {
            double end = LIMITS[i], count = counts[i++];
            if (count <= 0) {
                while (i < counts.length && counts[i] <= 0) end = LIMITS[i++];
            }
            h.addBucketLimit(end).addBucket(count);
        }
        return h.build();
    }

    /** The index of the first edge greater than v. */
    static int bucket(double v) {
        int i = Arrays.binarySearch(LIMITS, v);
        return i >= 0 ? Math.min(i + 1, LIMITS.length - 1) : -i - 1;
    }
}
