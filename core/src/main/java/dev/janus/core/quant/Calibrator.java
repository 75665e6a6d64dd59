package dev.janus.core.quant;

import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import java.util.Locale;

/**
 * Finds the range [min, max] to quantize one tensor to, from the values it takes on calibration
 * data, fed batch by batch with {@link #observe}. Three methods, as onnxruntime.quantization and
 * TensorRT offer them:
 * <ul>
 *   <li>{@link #minMax()}: the smallest and largest value seen. Nothing is clipped, but one outlier
 *       stretches the scale for all.</li>
 *   <li>{@link #percentile(double)}: a histogram of the values; the range cuts (100 - p) / 2 percent
 *       off each tail (default p = 99.999).</li>
 *   <li>{@link #entropy()}: TensorRT's KL-divergence calibration: of the symmetric ranges around 0,
 *       the one whose 128-level quantization keeps the histogram closest (least KL divergence) to the
 *       original, outliers folded into the edge bins.</li>
 * </ul>
 * Both histogram methods use onnxruntime's histogram: {@link #BINS} bins over [-t, t], t the largest
 * magnitude seen, grown by whole bins when a later batch reaches further. NaN values are ignored.
 */
public abstract class Calibrator {
    /** Histogram bins of the percentile and entropy methods (TensorRT's 2048). */
    public static final int BINS = 2048;
    /** Quantized levels the entropy method compares against (TensorRT's 128: int8's magnitudes). */
    public static final int QUANTIZED_BINS = 128;

    protected double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
    private long count;

    public static Calibrator minMax() {
        return new MinMax();
    }

    public static Calibrator percentile(double percentile) {
        if (!(percentile > 50 && percentile <= 100)) throw new JanusException("percentile must be in (50, 100], got " + percentile);
        return new Percentile(percentile);
    }

    public static Calibrator percentile() {
        return percentile(99.999);
    }

    public static Calibrator entropy() {
        return new Entropy(QUANTIZED_BINS);
    }

    /** "minmax", "percentile" (99.999), "percentile:99.99", or "entropy". */
    public static Calibrator parse(String method) {
        String m = method.strip().toLowerCase(Locale.ROOT);
        if (m.equals("minmax") || m.equals("min-max") || m.equals("min_max")) return minMax();
        if (m.equals("entropy") || m.equals("kl")) return entropy();
        if (m.equals("percentile")) return percentile();
        if (m.startsWith("percentile:")) {
            try {
                return percentile(Double.parseDouble(m.substring("percentile:".length())));
            } catch (NumberFormatException e) {
                throw new JanusException("calibration method '" + method + "': the percentile is not a number");
            }
        }
        throw new JanusException("unknown calibration method '" + method + "' (expected minmax, percentile, percentile:P or entropy)");
    }

    /** A new calibrator of the same method, for another tensor. */
    public abstract Calibrator fresh();

    /** Takes one batch of the tensor's values (any shape). */
    public final void observe(Tensor values) {
        float[] v = values.toFloatArray();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (float x : v) {
            if (Float.isNaN(x)) continue;
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
            n++;
        }
        if (n == 0) return;
        if (Double.isInfinite(lo) || Double.isInfinite(hi)) throw new JanusException("calibration data reach an infinite value");
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        count += n;
        add(v, lo, hi);
    }

    abstract void add(float[] values, double lo, double hi);

    /** The range found: {min, max}. An error when nothing was observed. */
    public final double[] range() {
        if (count == 0) throw new JanusException("calibration saw no values (an empty calibration set?)");
        return compute();
    }

    abstract double[] compute();

    /** The smallest and largest value seen, whatever the method. */
    public final double[] observedRange() {
        return new double[] {min, max};
    }

    private static final class MinMax extends Calibrator {
        @Override
        public Calibrator fresh() {
            return new MinMax();
        }

        @Override
        void add(float[] values, double lo, double hi) {
        }

        @Override
        double[] compute() {
            return new double[] {min, max};
        }

        @Override
        public String toString() {
            return "minmax";
        }
    }

    /** onnxruntime's value histogram: {@code bins} equal bins over [-threshold, threshold]. */
    abstract static class Histogram extends Calibrator {
        long[] hist;
        double threshold;

        @Override
        void add(float[] values, double lo, double hi) {
            double t = Math.max(Math.abs(lo), Math.abs(hi));
            if (hist == null) {
                hist = new long[BINS];
                threshold = t;
            } else if (t > threshold) {
                if (threshold == 0) {
                    threshold = t;
                } else {
                    // Grows by whole bins on each side, keeping the old bins' width, as onnxruntime's merge_histogram.
                    double stride = 2 * threshold / hist.length;
                    int half = (int) Math.floor((t - threshold) / stride) + 1;
                    long[] grown = new long[hist.length + 2 * half];
                    System.arraycopy(hist, 0, grown, half, hist.length);
                    hist = grown;
                    threshold = half * stride + threshold;
                }
            }
            int n = hist.length;
            for (float x : values) {
                if (Float.isNaN(x)) continue;
                int b = threshold == 0 ? n / 2 : (int) Math.floor((x + threshold) / (2 * threshold) * n);
                hist[Math.max(0, Math.min(n - 1, b))]++;
            }
        }

        double edge(int i) {
            return -threshold + 2 * threshold * i / hist.length;
        }
    }

    private static final class Percentile extends Histogram {
        private final double percentile;

        Percentile(double percentile) {
            this.percentile = percentile;
        }

        @Override
        public Calibrator fresh() {
            return new Percentile(percentile);
        }

        @Override
        double[] compute() {
            double cut = (100 - percentile) / 200;
            long total = 0;
            for (long h : hist) total += h;
            int left = searchCdf(cut, total), right = searchCdf(1 - cut, total);
            return new double[] {Math.max(min, edge(left)), Math.min(max, edge(right))};
        }

        /** The first bin where the cumulative share reaches {@code share} (numpy's searchsorted, left). */
        private int searchCdf(double share, long total) {
            double cdf = 0;
            for (int i = 0; i < hist.length; i++) {
                cdf += (double) hist[i] / total;
                if (cdf >= share) return i;
            }
            return hist.length;
        }

        @Override
        public String toString() {
            return "percentile " + percentile;
        }
    }

    private static final class Entropy extends Histogram {
        private final int quantizedBins;

        Entropy(int quantizedBins) {
            this.quantizedBins = quantizedBins;
        }

        @Override
        public Calibrator fresh() {
            return new Entropy(quantizedBins);
        }

        /**
         * For each candidate [-edge(zero - i), edge(zero + i + 1)] (i from quantizedBins / 2 up to
         * half the histogram): p = the bins inside, outliers added to the end bins; q = the bins
         * inside merged into quantizedBins levels, each level's count divided by the number of its
         * bins that are not empty in p and given to all its bins; both smoothed (zeros get 1e-4 of a
         * count); the candidate of least KL(p || q) wins. This is MXNet's and onnxruntime's code of
         * TensorRT's method kept to the letter (counts spread in whole numbers, the bins past the
         * last whole level left empty in q), so that onnxruntime checks it.
         */
        @Override
        double[] compute() {
            int n = hist.length, zero = n / 2, halfQ = quantizedBins / 2;
            if (threshold == 0 || zero < halfQ) return new double[] {min, max};
            double best = Double.POSITIVE_INFINITY;
            double[] range = {min, max};
            for (int i = halfQ; i <= zero; i++) {
                int start = zero - i, end = Math.min(zero + i + 1, n), len = end - start;
                double[] p = new double[len];
                for (int k = 0; k < len; k++) p[k] = hist[start + k];
                for (int k = 0; k < start; k++) p[0] += hist[k];
                for (int k = end; k < n; k++) p[len - 1] += hist[k];
                int merged = len / quantizedBins;
                double[] q = new double[len];
                for (int b = 0; b < quantizedBins; b++) {
                    int from = b * merged, to = from + merged;
                    long sum = 0;
                    int nonEmpty = 0;
                    for (int k = from; k < to; k++) {
                        sum += hist[start + k];
                        if (p[k] != 0) nonEmpty++;
                    }
                    // The bins past the last whole level count towards it (and are left empty in q).
                    if (b == quantizedBins - 1) for (int k = quantizedBins * merged; k < len; k++) sum += hist[start + k];
                    if (nonEmpty == 0) continue;
                    for (int k = from; k < to; k++) q[k] = sum / nonEmpty;
                }
                double kl = klDivergence(p, q);
                if (kl < best) {
                    best = kl;
                    range = new double[] {edge(start), edge(end)};
                }
            }
            return new double[] {Math.max(min, range[0]), Math.min(max, range[1])};
        }

        /** KL(p || q) of the two histograms, each smoothed and normalised; infinite when either is all zeros. */
        static double klDivergence(double[] p, double[] q) {
            double[] ps = smooth(p), qs = smooth(q);
            if (ps == null || qs == null) return Double.POSITIVE_INFINITY;
            double sp = 0, sq = 0;
            for (int k = 0; k < ps.length; k++) {
                sp += ps[k];
                sq += qs[k];
            }
            double kl = 0;
            for (int k = 0; k < ps.length; k++) {
                double pk = ps[k] / sp, qk = qs[k] / sq;
                if (pk > 0) kl += pk * Math.log(pk / qk);
            }
            return kl;
        }

        /** Zeros become eps, the non-zeros give up as much between them (MXNet's and onnxruntime's smoothing). */
        private static double[] smooth(double[] p) {
            final double eps = 1e-4;
            int zeros = 0;
            for (double v : p) if (v == 0) zeros++;
            int nonZeros = p.length - zeros;
            if (nonZeros == 0) return null;
            double eps1 = eps * zeros / nonZeros;
            double[] out = new double[p.length];
            for (int k = 0; k < p.length; k++) out[k] = p[k] == 0 ? eps : p[k] - eps1;
            return out;
        }

        @Override
        public String toString() {
            return "entropy";
        }
    }
}
