package dev.janus.core.data;

import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;

/**
 * Centres each feature (column) to mean 0 and scales it to standard deviation 1, as scikit-learn's
 * StandardScaler: fit on the training data only, then transform training and test data alike. The
 * standard deviation is the population one (divided by n); a constant column is only centred.
 */
public final class StandardScaler {
    private double[] mean, scale;

    /** Learns each column's mean and standard deviation from {@code x} [rows, features]. */
    public StandardScaler fit(Tensor x) {
        checkMatrix(x);
        int n = x.dim(0), k = x.dim(1);
        if (n == 0) throw new ShapeException("StandardScaler.fit: no rows to fit on (shape " + x.shape() + ")");
        double[] m = new double[k], s = new double[k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double v = x.readDouble(i * k + j);
                if (!Double.isFinite(v)) throw new JanusException("StandardScaler.fit: value " + v + " at row " + i + ", column " + j);
                m[j] += v;
            }
        }
        for (int j = 0; j < k; j++) m[j] /= n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double d = x.readDouble(i * k + j) - m[j];
                s[j] += d * d;
            }
        }
        for (int j = 0; j < k; j++) {
            s[j] = Math.sqrt(s[j] / n);
            if (s[j] == 0) s[j] = 1;
        }
        mean = m;
        scale = s;
        return this;
    }

    /** A scaler fitted elsewhere (a model's saved standardisation): these means and standard deviations. */
    public static StandardScaler of(double[] mean, double[] scale) {
        if (mean.length != scale.length) throw new JanusException("StandardScaler.of: " + mean.length + " means but " + scale.length + " scales");
        for (int j = 0; j < mean.length; j++) {
            if (!Double.isFinite(mean[j]) || !Double.isFinite(scale[j]) || scale[j] == 0) {
                throw new JanusException("StandardScaler.of: feature " + j + " has mean " + mean[j] + " and scale " + scale[j]);
            }
        }
        StandardScaler s = new StandardScaler();
        s.mean = mean.clone();
        s.scale = scale.clone();
        return s;
    }

    /** (x - mean) / scale, column by column, in x's dtype. */
    public Tensor transform(Tensor x) {
        return transformInto(x, Tensor.empty(x.dtype(), x.shape()));
    }

    /** As {@link #transform}, overwriting {@code x} (scikit-learn's copy=False): no second copy of a large data set. */
    public Tensor transformInPlace(Tensor x) {
        return transformInto(x, x);
    }

    private Tensor transformInto(Tensor x, Tensor y) {
        if (mean == null) throw new JanusException("StandardScaler.transform: call fit first");
        checkMatrix(x);
        if (x.dim(1) != mean.length) {
            throw new ShapeException("StandardScaler.transform: fitted on " + mean.length + " features, got shape " + x.shape());
        }
        int k = mean.length;
        for (int i = 0, n = x.numel(); i < n; i++) y.setDouble(i, (x.readDouble(i) - mean[i % k]) / scale[i % k]);
        return y;
    }

    public Tensor fitTransform(Tensor x) {
        return fit(x).transform(x);
    }

    /** The fitted means (a copy). */
    public double[] mean() {
        if (mean == null) throw new JanusException("StandardScaler: not fitted");
        return mean.clone();
    }

    /** The fitted standard deviations, 1 for constant columns (a copy). */
    public double[] scale() {
        if (scale == null) throw new JanusException("StandardScaler: not fitted");
        return scale.clone();
    }

    private static void checkMatrix(Tensor x) {
        if (x.rank() != 2 || !x.dtype().isFloating()) {
            throw new ShapeException("StandardScaler: expected a float matrix [rows, features], got " + x.type());
        }
    }
}
