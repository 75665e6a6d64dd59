package dev.janus.core.init;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
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

    // ---------------------------------------------------------------- PyTorch

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

    private static DType floating(DType dtype) {
        if (!dtype.isFloating()) throw new JanusException("initializer: dtype must be float32 or float64, got " + dtype);
        return dtype;
    }
}
