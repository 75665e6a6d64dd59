package dev.janus.core.init;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;

import java.util.Locale;

/**
 * The initializers of Keras (glorot, he, lecun; truncated normals) and of PyTorch (xavier, kaiming;
 * plain normals, with gains). All of them are variance scaling: a scale divided by a fan, drawn
 * from a uniform, a normal or a normal truncated at two standard deviations.
 */
public final class Initializers {
    public enum Mode { FAN_IN, FAN_OUT, FAN_AVG }

    public enum Distribution { UNIFORM, NORMAL, TRUNCATED_NORMAL }

    /** Standard deviation of a unit normal truncated to [-2, 2]; Keras divides by it. */
    private static final double TRUNCATED_STD = 0.87962566103423978;

    private Initializers() {
    }

    public static Initializer zeros() {
        return constant(0);
    }

    public static Initializer ones() {
        return constant(1);
    }

    public static Initializer constant(double value) {
        return (shape, fans, dtype, g) -> Tensor.full(value, dtype, shape);
    }

    public static Initializer uniform(double low, double high) {
        return (shape, fans, dtype, g) -> Tensor.uniform(low, high, dtype, g, shape.dims());
    }

    public static Initializer normal(double mean, double std) {
        return (shape, fans, dtype, g) -> Tensor.normal(mean, std, dtype, g, shape.dims());
    }

    /** Normal, redrawn where it falls more than two standard deviations from the mean. */
    public static Initializer truncatedNormal(double mean, double std) {
        return (shape, fans, dtype, g) -> {
            Tensor t = Tensor.empty(floating(dtype), shape);
            for (int i = 0, n = t.numel(); i < n; i++) {
                double z;
                do {
                    z = g.nextGaussian();
                } while (Math.abs(z) > 2);
                t.setDouble(i, mean + std * z);
            }
            return t;
        };
    }

    /** Keras VarianceScaling: scale / n with n the chosen fan (at least 1). */
    public static Initializer varianceScaling(double scale, Mode mode, Distribution distribution) {
        if (!(scale > 0)) throw new JanusException("varianceScaling: scale must be positive, got " + scale);
        return (shape, fans, dtype, g) -> {
            double n = mode == Mode.FAN_IN ? fans.fanIn() : mode == Mode.FAN_OUT ? fans.fanOut() : (fans.fanIn() + fans.fanOut()) / 2.0;
            double s = scale / Math.max(1.0, n);
            switch (distribution) {
                case UNIFORM: {
                    double limit = Math.sqrt(3 * s);
                    return uniform(-limit, limit).create(shape, fans, floating(dtype), g);
                }
                case NORMAL:
                    return normal(0, Math.sqrt(s)).create(shape, fans, floating(dtype), g);
                default:
                    return truncatedNormal(0, Math.sqrt(s) / TRUNCATED_STD).create(shape, fans, floating(dtype), g);
            }
        };
    }

    // ---------------------------------------------------------------- Keras

    /** U(-l, l), l = sqrt(6 / (fan_in + fan_out)). */
    public static Initializer glorotUniform() {
        return varianceScaling(1, Mode.FAN_AVG, Distribution.UNIFORM);
    }

    /** Truncated normal, std = sqrt(2 / (fan_in + fan_out)) / .8796. */
    public static Initializer glorotNormal() {
        return varianceScaling(1, Mode.FAN_AVG, Distribution.TRUNCATED_NORMAL);
    }

    /** U(-l, l), l = sqrt(6 / fan_in). */
    public static Initializer heUniform() {
        return varianceScaling(2, Mode.FAN_IN, Distribution.UNIFORM);
    }

    /** Truncated normal, std = sqrt(2 / fan_in) / .8796. */
    public static Initializer heNormal() {
        return varianceScaling(2, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    }

    /** U(-l, l), l = sqrt(3 / fan_in). */
    public static Initializer lecunUniform() {
        return varianceScaling(1, Mode.FAN_IN, Distribution.UNIFORM);
    }

    /** Truncated normal, std = sqrt(1 / fan_in) / .8796. */
    public static Initializer lecunNormal() {
        return varianceScaling(1, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    }

    /**
     * Keras's Orthogonal: gain times a random (semi-)orthogonal matrix, the Q of the QR decomposition
     * of a standard normal matrix with the signs of R's diagonal folded into Q (which makes Q
     * uniformly distributed over the orthogonal matrices). A weight of rank above 2 is the matrix
     * [product of all dimensions but the last, last dimension]. Rows are orthonormal when there are
     * fewer rows than columns, else columns are.
     */
    public static Initializer orthogonal(double gain) {
        return (shape, fans, dtype, g) -> {
            if (shape.rank() < 2) throw new JanusException("orthogonal: needs a weight of at least 2 dimensions, got " + shape);
            int cols = shape.dim(-1), rows = shape.size() / Math.max(cols, 1);
            int m = Math.max(rows, cols), n = Math.min(rows, cols);
            double[] q = orthonormalColumns(gaussians(g, m * n), m, n);
            return matrix(rows < cols ? transpose(q, m, n) : q, gain, shape, floating(dtype));
        };
    }

    // ---------------------------------------------------------------- PyTorch

    /**
     * torch.nn.init.orthogonal_: as {@link #orthogonal}, but a weight of rank above 2 is the matrix
     * [first dimension, product of the others], and the normal matrix is drawn [rows, cols] and
     * transposed when it is wide.
     */
    public static Initializer orthogonalTorch(double gain) {
        return (shape, fans, dtype, g) -> {
            if (shape.rank() < 2) throw new JanusException("orthogonal: needs a weight of at least 2 dimensions, got " + shape);
            int rows = shape.dim(0), cols = shape.size() / Math.max(rows, 1);
            double[] a = gaussians(g, rows * cols);
            if (rows >= cols) return matrix(orthonormalColumns(a, rows, cols), gain, shape, floating(dtype));
            return matrix(transpose(orthonormalColumns(transpose(a, rows, cols), cols, rows), cols, rows), gain, shape, floating(dtype));
        };
    }

    /** torch.nn.init.xavier_uniform_: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)). */
    public static Initializer xavierUniform(double gain) {
        return varianceScaling(gain * gain, Mode.FAN_AVG, Distribution.UNIFORM);
    }

    /** torch.nn.init.xavier_normal_: N(0, std), std = gain sqrt(2 / (fan_in + fan_out)). */
    public static Initializer xavierNormal(double gain) {
        return varianceScaling(gain * gain, Mode.FAN_AVG, Distribution.NORMAL);
    }

    /** torch.nn.init.kaiming_uniform_: U(-b, b), b = gain sqrt(3 / fan), gain from the nonlinearity and a. */
    public static Initializer kaimingUniform(double a, Mode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        return varianceScaling(gain * gain, torchMode(mode), Distribution.UNIFORM);
    }

    /** torch.nn.init.kaiming_normal_: N(0, std), std = gain / sqrt(fan). */
    public static Initializer kaimingNormal(double a, Mode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        return varianceScaling(gain * gain, torchMode(mode), Distribution.NORMAL);
    }

    private static Mode torchMode(Mode mode) {
        if (mode == Mode.FAN_AVG) throw new JanusException("kaiming: mode must be FAN_IN or FAN_OUT");
        return mode;
    }

    /** torch.nn.init.calculate_gain; {@code param} is leaky_relu's negative slope. */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear": case "identity": case "sigmoid":
            case "conv1d": case "conv2d": case "conv3d":
            case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d":
                return 1;
            case "tanh": return 5.0 / 3;
            case "relu": return Math.sqrt(2);
            case "leaky_relu": return Math.sqrt(2 / (1 + param * param));
            case "selu": return 3.0 / 4;
            default: throw new JanusException("calculateGain: unknown nonlinearity '" + nonlinearity + "'");
        }
    }

    private static double[] gaussians(Generator g, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = g.nextGaussian();
        return a;
    }

    /** The m x n row-major matrix a transposed. */
    private static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[a.length];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
        return t;
    }

    private static Tensor matrix(double[] q, double gain, Shape shape, DType dtype) {
        Tensor t = Tensor.empty(dtype, shape);
        for (int i = 0; i < q.length; i++) t.setDouble(i, gain * q[i]);
        return t;
    }

    /**
     * Q of a = Q R for an m x n row-major matrix with m >= n (Householder reflections, in float64),
     * each column j multiplied by the sign of R's diagonal element j, as numpy's and PyTorch's
     * qr followed by that sign correction give it.
     */
    static double[] orthonormalColumns(double[] a, int m, int n) {
        double[] r = a.clone();
        double[][] v = new double[n][];
        double[] sign = new double[n];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i * n + k] * r[i * n + k];
            norm = Math.sqrt(norm);
            double alpha = r[k * n + k] > 0 ? -norm : norm;
            // R's diagonal element k is alpha after the reflection (0 when the column is already zero).
            sign[k] = Math.signum(alpha);
            double[] h = new double[m - k];
            for (int i = k; i < m; i++) h[i - k] = r[i * n + k];
            h[0] -= alpha;
            double hh = 0;
            for (double x : h) hh += x * x;
            if (hh == 0) continue;
            v[k] = h;
            for (int j = k; j < n; j++) {
                double dot = 0;
                for (int i = k; i < m; i++) dot += h[i - k] * r[i * n + j];
                double f = 2 * dot / hh;
                for (int i = k; i < m; i++) r[i * n + j] -= f * h[i - k];
            }
        }
        // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
        double[] q = new double[m * n];
        for (int j = 0; j < n; j++) q[j * n + j] = 1;
        for (int k = n - 1; k >= 0; k--) {
            double[] h = v[k];
            if (h == null) continue;
            double hh = 0;
            for (double x : h) hh += x * x;
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int i = k; i < m; i++) dot += h[i - k] * q[i * n + j];
                double f = 2 * dot / hh;
                for (int i = k; i < m; i++) q[i * n + j] -= f * h[i - k];
            }
        }
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) q[i * n + j] *= sign[j];
        return q;
    }

    private static DType floating(DType dtype) {
        if (!dtype.isFloating()) throw new JanusException("initializer: dtype must be float32 or float64, got " + dtype);
        return dtype;
    }
}
