package dev.janus.layers.metrics;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;

import java.util.List;

/**
 * Keras's confusion-matrix metrics: every prediction and label element counts on its own (the
 * outputs flattened, as Keras does without multi_label); a label is positive where it is not 0, a
 * prediction where it is above the threshold. Per batch the graph sums, for each threshold, the
 * true positives and false positives, then the positive and negative labels: 2 T + 2 numbers.
 *
 * <p>AUC's T evenly spaced thresholds are counted as Keras counts them
 * ({@code _update_confusion_matrix_variables_optimized}): each prediction goes into the bin of the
 * thresholds it passes, and a cumulative sum of the bins' counts gives every threshold's, in memory
 * O(elements + T) rather than an [elements, T] comparison.
 */
final class Confusion implements Metric {
    enum Kind { PRECISION, RECALL, ROC_AUC, PR_AUC }

    private final String name;
    private final Kind kind;
    private final double[] thresholds;

    private Confusion(String name, Kind kind, double[] thresholds) {
        this.name = name;
        this.kind = kind;
        this.thresholds = thresholds;
    }

    static Confusion atThreshold(String name, Kind kind, double threshold) {
        return new Confusion(name, kind, new double[] {threshold});
    }

    /** The most AUC thresholds: up to here thresholds lie far more than a float32 rounding apart, which {@link #bin} needs. */
    static final int MAX_THRESHOLDS = 1 << 20;

    /** Keras's AUC thresholds: 0 - 1e-7, then i / (n - 1) for i in 1..n-2, then 1 + 1e-7. */
    static Confusion auc(String name, Kind kind, int numThresholds) {
        if (numThresholds > MAX_THRESHOLDS) {
            throw new JanusException(name + ": at most " + MAX_THRESHOLDS + " thresholds, got " + numThresholds + " (predictions are binned by"
                    + " threshold, which needs thresholds further apart than float32 rounding)");
        }
        double[] t = new double[numThresholds];
        t[0] = -1e-7;
        for (int i = 1; i < numThresholds - 1; i++) t[i] = i * 1.0 / (numThresholds - 1);
        t[numThresholds - 1] = 1 + 1e-7;
        return new Confusion(name, kind, t);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int sums() {
        return 2 * thresholds.length + 2;
    }

    @Override
    public <V> V emitSums(Emitter<V> e, V yPred, V yTrue) {
        DType dt = e.dtype(yPred);
        Attrs column = Attrs.of("shape", new int[] {-1, 1});
        // Keras's AUC clips predictions to [0, 1] (its thresholds reach just past both ends).
        V p = kind == Kind.ROC_AUC || kind == Kind.PR_AUC ? e.one(Ops.CLIP, Attrs.of("min", 0.0, "max", 1.0), List.of(yPred)) : yPred;
        V t = e.constant(Immediate.global().cast(Tensor.of(thresholds), dt));
        V pos = e.cast(e.cast(yTrue, DType.BOOL), dt);
        int[] rows = {0};
        if (kind == Kind.ROC_AUC || kind == Kind.PR_AUC) {
            p = e.reshape(p, Shape.of(-1));
            pos = e.reshape(pos, Shape.of(-1));
            V neg = e.rsub(1, pos);
            V bin = bin(e, p, t);
            return e.concat(List.of(passing(e, bin, pos), passing(e, bin, neg), e.sum(pos, rows, true), e.sum(neg, rows, true)), 0);
        }
        p = e.one(Ops.RESHAPE, column, List.of(p));
        pos = e.one(Ops.RESHAPE, column, List.of(pos));
        V neg = e.rsub(1, pos);
        V above = e.cast(e.greater(p, t), dt);        // [elements, T]
        return e.concat(List.of(e.sum(e.mul(above, pos), rows, false), e.sum(e.mul(above, neg), rows, false),
                e.sum(pos, rows, false), e.sum(neg, rows, false)), 0);
    }

    /**
     * How many of the evenly spaced thresholds {@code t} each prediction in [0, 1] is above (the
     * comparisons {@code p > t[j]} of the [elements, T] form, exactly): the index k = floor(p (T - 1))
     * leaves only t[k] and t[k + 1] to compare, as every threshold below t[k] lies a whole step under
     * p and every one above t[k + 1] a whole step over it (steps far wider than the float rounding
     * of p (T - 1) and of the thresholds, up to {@link #MAX_THRESHOLDS}). A NaN prediction is above none.
     */
    private <V> V bin(Emitter<V> e, V p, V t) {
        int n = thresholds.length;
        V k = e.one(Ops.FLOOR, Attrs.NONE, List.of(e.mul(p, n - 1)));
        k = e.one(Ops.MINIMUM, Attrs.NONE, List.of(k, e.scalar(n - 2, e.dtype(p))));
        V at = e.cast(e.where(e.one(Ops.IS_NAN, Attrs.NONE, List.of(p)), e.scalar(0, e.dtype(p)), k), DType.INT64);
        V next = e.add(at, e.scalar(1, DType.INT64));
        return e.add(e.add(at, e.cast(e.greater(p, e.gather(t, at, 0)), DType.INT64)), e.cast(e.greater(p, e.gather(t, next, 0)), DType.INT64));
    }

    /**
     * For each threshold j, the sum of {@code weight} over the predictions above it: each
     * prediction's weight added into its bin (0..T), then the bins above j summed (a reverse
     * cumulative sum). Counted in float64 and rounded once at the end, as the [elements, T] form's
     * sums were: a float32 bin would stop counting at 2^24 predictions.
     */
    private <V> V passing(Emitter<V> e, V bin, V weight) {
        int n = thresholds.length;
        V counts = e.indexAdd(e.zeros(new TensorType(DType.FLOAT64, Shape.of(n + 1))), bin, e.cast(weight, DType.FLOAT64), 0);
        V atOrAbove = e.one(Ops.CUMSUM, Attrs.of("axis", 0, "reverse", true), List.of(counts));
        return e.cast(e.slice(atOrAbove, 0, 1, n + 1), e.dtype(weight));
    }

    @Override
    public double result(double[] c, long samples) {
        int n = thresholds.length;
        double positives = c[2 * n], negatives = c[2 * n + 1];
        switch (kind) {
            case PRECISION: return divideNoNan(c[0], c[0] + c[n]);
            case RECALL: return divideNoNan(c[0], positives);
            case ROC_AUC: {
                // The trapezoids under (false positive rate, recall), thresholds in increasing order.
                double area = 0;
                for (int i = 0; i < n - 1; i++) {
                    double x0 = divideNoNan(c[n + i], negatives), x1 = divideNoNan(c[n + i + 1], negatives);
                    double y0 = divideNoNan(c[i], positives), y1 = divideNoNan(c[i + 1], positives);
                    area += (x0 - x1) * (y0 + y1) / 2;
                }
                return area;
            }
            default: return prAuc(c, n, positives);
        }
    }

    /**
     * Keras's interpolate_pr_auc (Davis and Goadrich): between two thresholds precision is
     * interpolated along the true positives, and the pieces integrate in closed form.
     */
    private static double prAuc(double[] c, int n, double positives) {
        double area = 0;
        for (int i = 0; i < n - 1; i++) {
            double tp0 = c[i], tp1 = c[i + 1];
            double p0 = tp0 + c[n + i], p1 = tp1 + c[n + i + 1];
            double dtp = tp0 - tp1, dp = p0 - p1;
            double slope = divideNoNan(dtp, Math.max(dp, 0));
            double intercept = tp1 - slope * p1;
            double ratio = p0 > 0 && p1 > 0 ? divideNoNan(p0, Math.max(p1, 0)) : 1;
            double fn1 = positives - tp1;
            area += divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp1 + fn1, 0));
        }
        return area;
    }

    /** a / b, and 0 where b is 0, as Keras's divide_no_nan. */
    private static double divideNoNan(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
