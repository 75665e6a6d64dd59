package dev.janus.core.ops;

/** The error function, which java.lang.Math lacks. */
final class SpecialMath {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    private SpecialMath() {
    }

    /** erf to near double precision: a positive-term series below 2.5, the erfc continued fraction above. */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) return erfSeries(x);
        if (ax > 6) return Math.signum(x);
        return Math.signum(x) * (1 - erfcFraction(ax));
    }

    /** erfc with good relative accuracy for large x (no 1 - erf cancellation). */
    static double erfc(double x) {
        if (x < 2.5) return 1 - erfSeries(x);
        if (x > 27) return 0;
        return erfcFraction(x);
    }

    // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): every term positive.
    private static double erfSeries(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 0; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
    private static double erfcFraction(double x) {
        double t = x;
        for (int n = 120; n >= 1; n--) t = x + 0.5 * n / t;
        return Math.exp(-x * x) * INV_SQRT_PI / t;
    }

    /**
     * erfc with relative error below 1.2e-7 everywhere (a Chebyshev fit), for float32 kernels
     * where the full-precision routine would cost tens of terms per element.
     */
    static double erfcFast(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** erf for float32 kernels: the series near zero (where 1 - erfc loses digits), else 1 - erfcFast. */
    static double erfFast(double x) {
        if (Math.abs(x) < 0.5) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 0; n < 12; n++) {
                term *= 2 * x2 / (2 * n + 3);
                sum += term;
            }
            return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        }
        return 1 - erfcFast(x);
    }
}
