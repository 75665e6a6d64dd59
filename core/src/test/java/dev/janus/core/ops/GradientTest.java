package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.testing.Close;
import dev.janus.core.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.janus.core.testing.GradCheck.awayFromZero;
import static dev.janus.core.testing.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Every gradient rule of the op set against central finite differences in float64. */
class GradientTest {
    /** Ops whose outputs are not differentiable (bool or int64 results). */
    private static final Set<String> NO_GRADIENT = Set.of("greater", "equal", "argmax", "one_hot",
            "shape", "size", "constant_of_shape", "range", "mod", "argmin", "not", "and", "or", "xor", "is_nan", "is_inf",
            "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bit_shift_left", "bit_shift_right",
            // straight-through: not the derivative of a step function, so checked by hand in FakeQuantizeTest
            "fake_quantize", "fake_quantize_grad",
            // integer inputs or outputs (ONNX's quantized ops): values checked in QuantizedOpsTest and against ONNX Runtime
            "quantize_linear", "dequantize_linear", "dynamic_quantize_linear", "matmul_integer", "qlinear_matmul", "conv_integer", "qlinear_conv",
            // grid_sample's gradient, emitted only by its rule: a second derivative of grid_sample is not defined
            "grid_sample_grad");

    private static Arguments c(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        return Arguments.of(label, op, attrs, inputs);
    }

    private static Tensor[] in(Tensor... t) {
        return t;
    }

    private static Tensor labels(long... v) {
        return Tensor.of(v);
    }

    private static Tensor mask(long seed, int... shape) {
        Tensor u = Tensor.rand(new Generator(seed), shape);
        boolean[] b = new boolean[u.numel()];
        for (int i = 0; i < b.length; i++) b[i] = u.readDouble(i) > 0.5;
        return Tensor.of(b, shape);
    }

    /** g, the indices of a max pool of random x, and x. */
    private static Tensor[] maxPoolGradInputs(Attrs pool) {
        Tensor x = random(191, -1, 1, 2, 2, 5, 4);
        Tensor[] y = Ops.MAX_POOL.run(ExecContext.global(), pool, x);
        return in(random(192, -1, 1, y[0].shape().dims()), y[1], x);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("neg", Ops.NEG, Attrs.NONE, () -> in(random(1, -2, 2, 3, 4))),
                c("exp", Ops.EXP, Attrs.NONE, () -> in(random(2, -2, 2, 3, 4))),
                c("log", Ops.LOG, Attrs.NONE, () -> in(random(3, 0.2, 3, 3, 4))),
                c("sqrt", Ops.SQRT, Attrs.NONE, () -> in(random(4, 0.2, 3, 3, 4))),
                c("abs", Ops.ABS, Attrs.NONE, () -> in(awayFromZero(5, -2, 2, 0.05, 3, 4))),
                c("sign", Ops.SIGN, Attrs.NONE, () -> in(awayFromZero(6, -2, 2, 0.05, 3, 4))),
                c("erf", Ops.ERF, Attrs.NONE, () -> in(random(7, -3, 3, 3, 4))),
                c("relu", Ops.RELU, Attrs.NONE, () -> in(awayFromZero(8, -2, 2, 0.05, 3, 4))),
                c("leaky_relu", Ops.LEAKY_RELU, Attrs.of("alpha", 0.1), () -> in(awayFromZero(9, -2, 2, 0.05, 3, 4))),
                c("elu", Ops.ELU, Attrs.of("alpha", 0.7), () -> in(awayFromZero(10, -2, 2, 0.05, 3, 4))),
                c("gelu", Ops.GELU, Attrs.NONE, () -> in(random(11, -4, 4, 3, 4))),
                c("gelu tanh", Ops.GELU, Attrs.of("approximate", "tanh"), () -> in(random(12, -4, 4, 3, 4))),
                c("sigmoid", Ops.SIGMOID, Attrs.NONE, () -> in(random(13, -4, 4, 3, 4))),
                c("tanh", Ops.TANH, Attrs.NONE, () -> in(random(14, -3, 3, 3, 4))),
                c("softplus", Ops.SOFTPLUS, Attrs.NONE, () -> in(random(15, -4, 4, 3, 4))),
                c("hard_swish", Ops.HARD_SWISH, Attrs.NONE, () -> in(random(16, -5, 5, 3, 4))),
                // inputs kept away from the kinks at -2.5 and 2.5 (alpha x + beta = 0 or 1)
                c("hard_sigmoid", Ops.HARD_SIGMOID, Attrs.NONE, () -> in(Tensor.of(new double[] {-4, -2.7, -2.3, -0.6, 0.4, 1.9, 2.3, 2.7, 5}))),
                c("reciprocal", Ops.RECIPROCAL, Attrs.NONE, () -> in(awayFromZero(17, -2, 2, 0.3, 3, 4))),
                c("sin", Ops.SIN, Attrs.NONE, () -> in(random(18, -3, 3, 3, 4))),
                c("cos", Ops.COS, Attrs.NONE, () -> in(random(19, -3, 3, 3, 4))),
                c("tan", Ops.TAN, Attrs.NONE, () -> in(random(30, -1.2, 1.2, 3, 4))),
                c("asin", Ops.ASIN, Attrs.NONE, () -> in(random(31, -0.9, 0.9, 3, 4))),
                c("acos", Ops.ACOS, Attrs.NONE, () -> in(random(32, -0.9, 0.9, 3, 4))),
                c("atan", Ops.ATAN, Attrs.NONE, () -> in(random(33, -3, 3, 3, 4))),
                c("sinh", Ops.SINH, Attrs.NONE, () -> in(random(34, -2, 2, 3, 4))),
                c("cosh", Ops.COSH, Attrs.NONE, () -> in(random(35, -2, 2, 3, 4))),
                c("asinh", Ops.ASINH, Attrs.NONE, () -> in(random(36, -3, 3, 3, 4))),
                c("acosh", Ops.ACOSH, Attrs.NONE, () -> in(random(37, 1.2, 4, 3, 4))),
                c("atanh", Ops.ATANH, Attrs.NONE, () -> in(random(38, -0.9, 0.9, 3, 4))),
                c("floor", Ops.FLOOR, Attrs.NONE, () -> in(Tensor.of(new double[] {-1.7, -0.4, 0.3, 1.5, 2.2, 3.9}))),
                c("ceil", Ops.CEIL, Attrs.NONE, () -> in(Tensor.of(new double[] {-1.7, -0.4, 0.3, 1.6, 2.2, 3.9}))),
                c("round", Ops.ROUND, Attrs.NONE, () -> in(Tensor.of(new double[] {-1.7, -0.4, 0.3, 1.6, 2.2, 3.9}))),
                c("softplus beta threshold", Ops.SOFTPLUS, Attrs.of("beta", 2.0, "threshold", 3.0),
                        () -> in(Tensor.of(new double[] {-2, -0.5, 0.3, 1.2, 1.8, 2.5}))),
                c("clip", Ops.CLIP, Attrs.of("min", -0.5, "max", 0.5),
                        () -> in(Tensor.of(new double[] {-1.2, -0.7, -0.3, 0.1, 0.45, 0.9}))),
                c("clip min only", Ops.CLIP, Attrs.of("min", 0.0), () -> in(awayFromZero(16, -1, 1, 0.05, 6))),

                c("add broadcast", Ops.ADD, Attrs.NONE, () -> in(random(20, -1, 1, 3, 4), random(21, -1, 1, 4))),
                c("add both broadcast", Ops.ADD, Attrs.NONE, () -> in(random(22, -1, 1, 2, 1, 4), random(23, -1, 1, 3, 1))),
                c("sub broadcast", Ops.SUB, Attrs.NONE, () -> in(random(24, -1, 1, 3, 1), random(25, -1, 1, 3, 4))),
                c("mul broadcast", Ops.MUL, Attrs.NONE, () -> in(random(26, -1, 1, 2, 3, 4), random(27, -1, 1, 3, 1))),
                c("mul scalar", Ops.MUL, Attrs.NONE, () -> in(random(28, -1, 1, 3, 4), Tensor.scalar(1.7, DType.FLOAT64))),
                c("div broadcast", Ops.DIV, Attrs.NONE, () -> in(random(29, -1, 1, 3, 4), random(30, 0.5, 2, 4))),
                c("pow", Ops.POW, Attrs.NONE, () -> in(random(31, 0.3, 2, 3, 4), random(32, -1.5, 2.5, 4))),
                c("maximum", Ops.MAXIMUM, Attrs.NONE, () -> in(random(33, -1, 1, 3, 4), random(34, -1, 1, 3, 4))),
                c("minimum broadcast", Ops.MINIMUM, Attrs.NONE, () -> in(random(35, -1, 1, 3, 4), random(36, -1, 1, 4))),

                c("where broadcast", Ops.WHERE, Attrs.NONE, () -> in(mask(40, 3, 4), random(41, -1, 1, 3, 4), random(42, -1, 1, 4))),
                c("cast float64", Ops.CAST, Attrs.of("to", DType.FLOAT64), () -> in(random(43, -1, 1, 3, 4))),

                c("sum axis 1", Ops.SUM, Attrs.of("axes", new int[] {1}), () -> in(random(50, -1, 1, 2, 3, 4))),
                c("sum axes 0,2 keepdims", Ops.SUM, Attrs.of("axes", new int[] {0, 2}, "keepdims", true), () -> in(random(51, -1, 1, 2, 3, 4))),
                c("sum all", Ops.SUM, Attrs.NONE, () -> in(random(52, -1, 1, 3, 4))),
                c("mean axis -1", Ops.MEAN, Attrs.of("axes", new int[] {-1}), () -> in(random(53, -1, 1, 3, 4))),
                c("mean all keepdims", Ops.MEAN, Attrs.of("keepdims", true), () -> in(random(54, -1, 1, 3, 4))),
                c("max axis 0", Ops.MAX, Attrs.of("axes", new int[] {0}), () -> in(random(55, -1, 1, 3, 4))),
                c("prod axis 1", Ops.PROD, Attrs.of("axes", new int[] {1}), () -> in(random(57, -1, 1, 2, 3, 4))),
                c("prod all keepdims", Ops.PROD, Attrs.of("keepdims", true), () -> in(random(58, 0.5, 1.5, 2, 3))),
                // rows with no zero, one zero and two zeros
                c("prod with zeros", Ops.PROD, Attrs.of("axes", new int[] {1}),
                        () -> in(Tensor.of(new double[] {0.5, -1.5, 2, 1.2, 0, 0.7, 0, 0.3, 0}, 3, 3))),
                c("prod axes 0,2 with a zero", Ops.PROD, Attrs.of("axes", new int[] {0, 2}),
                        () -> in(Tensor.of(new double[] {0.5, -1.5, 2, 1.2, 0, 0.7, 0.9, 0.3, -1.1, 1.4, 0.6, 0.8}, 2, 3, 2))),
                c("min axes 0,2", Ops.MIN, Attrs.of("axes", new int[] {0, 2}), () -> in(random(56, -1, 1, 2, 3, 4))),

                c("reshape", Ops.RESHAPE, Attrs.of("shape", new int[] {4, -1}), () -> in(random(60, -1, 1, 2, 3, 2))),
                c("transpose", Ops.TRANSPOSE, Attrs.of("perm", new int[] {2, 0, 1}), () -> in(random(61, -1, 1, 2, 3, 4))),
                c("expand", Ops.EXPAND, Attrs.of("shape", new int[] {2, 3, 4}), () -> in(random(62, -1, 1, 3, 1))),
                c("concat axis 1", Ops.CONCAT, Attrs.of("axis", 1),
                        () -> in(random(63, -1, 1, 2, 1, 3), random(64, -1, 1, 2, 2, 3), random(65, -1, 1, 2, 3, 3))),
                c("slice steps", Ops.SLICE, Attrs.of("starts", new int[] {1, 0}, "ends", new int[] {4, 5}, "axes", new int[] {0, 1},
                        "steps", new int[] {1, 2}), () -> in(random(66, -1, 1, 5, 5))),
                c("slice negative step", Ops.SLICE, Attrs.of("starts", new int[] {-1}, "ends", new int[] {-6}, "axes", new int[] {1},
                        "steps", new int[] {-2}), () -> in(random(67, -1, 1, 3, 5))),
                c("slice_scatter", Ops.SLICE_SCATTER, Attrs.of("starts", new int[] {1}, "ends", new int[] {3}, "axes", new int[] {1}),
                        () -> in(random(68, -1, 1, 3, 4), random(69, -1, 1, 3, 2))),
                c("gather axis 1", Ops.GATHER, Attrs.of("axis", 1), () -> in(random(70, -1, 1, 2, 4, 3), Tensor.of(new long[] {3, 0, 3, -1, 1, 0}, 2, 3))),
                c("cumsum", Ops.CUMSUM, Attrs.of("axis", 1), () -> in(random(76, -1, 1, 2, 4))),
                c("top_k", Ops.TOP_K, Attrs.of("k", 2, "axis", 1), () -> in(random(78, -1, 1, 3, 5))),
                c("top_k smallest axis 0", Ops.TOP_K, Attrs.of("k", 3, "axis", 0, "largest", false), () -> in(random(79, -1, 1, 4, 2))),
                c("cumprod", Ops.CUMPROD, Attrs.of("axis", 1), () -> in(random(80, -1, 1, 2, 4))),
                // zeros: one in the first row, two in the second (the first zero's gradient is the product of the rest, later ones get 0)
                c("cumprod with zeros", Ops.CUMPROD, Attrs.of("axis", 1), () -> in(Tensor.of(new double[] {0.5, 0, -1.5, 2, 0, 1.2, 0, 0.7}, 2, 4))),
                c("cumprod exclusive with zeros", Ops.CUMPROD, Attrs.of("axis", 1, "exclusive", true),
                        () -> in(Tensor.of(new double[] {0.5, 0, -1.5, 2, 0, 1.2, 0, 0.7}, 2, 4))),
                c("cumprod reverse with zeros", Ops.CUMPROD, Attrs.of("axis", 0, "reverse", true),
                        () -> in(Tensor.of(new double[] {0.5, 0, -1.5, 2, 0, 1.2, 0, 0.7}, 4, 2))),
                c("cumprod exclusive reverse", Ops.CUMPROD, Attrs.of("axis", -1, "exclusive", true, "reverse", true),
                        () -> in(Tensor.of(new double[] {0.5, 0, -1.5, 2, 0.9, 1.2, 0, 0.7, 1.1}, 3, 3))),
                c("cumsum exclusive reverse", Ops.CUMSUM, Attrs.of("axis", 0, "exclusive", true, "reverse", true), () -> in(random(77, -1, 1, 3, 2))),
                c("gather_elements axis 1", Ops.GATHER_ELEMENTS, Attrs.of("axis", 1),
                        () -> in(random(71, -1, 1, 2, 4), Tensor.of(new long[] {3, 0, 3, -1, 1, 1}, 2, 3))),
                c("scatter_elements", Ops.SCATTER_ELEMENTS, Attrs.of("axis", 0),
                        () -> in(random(72, -1, 1, 3, 2), Tensor.of(new long[] {2, 0, 0, 1}, 2, 2), random(73, -1, 1, 2, 2))),
                c("scatter_elements add", Ops.SCATTER_ELEMENTS, Attrs.of("axis", 1, "reduction", "add"),
                        () -> in(random(74, -1, 1, 2, 3), Tensor.of(new long[] {2, 2, 0, 1}, 2, 2), random(75, -1, 1, 2, 2))),
                c("index_add", Ops.INDEX_ADD, Attrs.of("axis", 0),
                        () -> in(random(71, -1, 1, 4, 3), Tensor.of(new long[] {2, 0, 2}), random(72, -1, 1, 3, 3))),

                c("einsum matmul", Ops.EINSUM, Attrs.of("equation", "ij,jk->ik"), () -> in(random(191, -1, 1, 3, 4), random(192, -1, 1, 4, 2))),
                c("einsum batch diagonal", Ops.EINSUM, Attrs.of("equation", "...ii->...i"), () -> in(random(193, -1, 1, 2, 3, 3))),
                c("einsum implicit, a label one operand sums", Ops.EINSUM, Attrs.of("equation", "abc,cd"),
                        () -> in(random(194, -1, 1, 2, 3, 4), random(195, -1, 1, 4, 2))),
                c("einsum broadcast ellipsis, three operands", Ops.EINSUM, Attrs.of("equation", "...i,...i,i->..."),
                        () -> in(random(196, -1, 1, 2, 1, 3), random(197, -1, 1, 4, 3), random(198, -1, 1, 3))),
                c("einsum trace", Ops.EINSUM, Attrs.of("equation", "ii"), () -> in(random(199, -1, 1, 3, 3))),
                c("matmul", Ops.MATMUL, Attrs.NONE, () -> in(random(80, -1, 1, 3, 4), random(81, -1, 1, 4, 5))),
                c("matmul batched broadcast", Ops.MATMUL, Attrs.NONE, () -> in(random(82, -1, 1, 2, 1, 3, 4), random(83, -1, 1, 3, 4, 2))),
                c("matmul transA", Ops.MATMUL, Attrs.of("transA", true), () -> in(random(84, -1, 1, 4, 3), random(85, -1, 1, 4, 5))),
                c("matmul transB", Ops.MATMUL, Attrs.of("transB", true), () -> in(random(86, -1, 1, 2, 3, 4), random(87, -1, 1, 5, 4))),
                c("matmul both", Ops.MATMUL, Attrs.of("transA", true, "transB", true), () -> in(random(88, -1, 1, 4, 3), random(89, -1, 1, 5, 4))),
                c("linear", Ops.LINEAR, Attrs.NONE, () -> in(random(90, -1, 1, 3, 4), random(91, -1, 1, 5, 4), random(92, -1, 1, 5))),
                c("linear 3-D no bias", Ops.LINEAR, Attrs.NONE, () -> in(random(93, -1, 1, 2, 3, 4), random(94, -1, 1, 5, 4))),
                c("softmax", Ops.SOFTMAX, Attrs.NONE, () -> in(random(95, -3, 3, 3, 4))),
                c("softmax axis 0", Ops.SOFTMAX, Attrs.of("axis", 0), () -> in(random(96, -3, 3, 3, 4, 2))),
                c("log_softmax", Ops.LOG_SOFTMAX, Attrs.of("axis", 1), () -> in(random(97, -3, 3, 3, 4))),
                c("dropout", Ops.DROPOUT, Attrs.of("p", 0.3), () -> in(random(98, -1, 1, 4, 5))),
                c("cross entropy mean", Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, () -> in(random(100, -3, 3, 4, 3), labels(0, 2, 1, 2))),
                c("cross entropy sum smoothing", Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "sum", "label_smoothing", 0.1),
                        () -> in(random(101, -3, 3, 4, 3), labels(1, 1, 0, 2))),
                c("cross entropy none", Ops.SOFTMAX_CROSS_ENTROPY, Attrs.of("reduction", "none"), () -> in(random(102, -3, 3, 4, 3), labels(2, 0, 1, 0))),
                c("mse mean", Ops.MSE, Attrs.NONE, () -> in(random(103, -1, 1, 3, 4), random(104, -1, 1, 3, 4))),
                c("mse sum", Ops.MSE, Attrs.of("reduction", "sum"), () -> in(random(105, -1, 1, 3, 4), random(106, -1, 1, 3, 4))),
                c("mse none", Ops.MSE, Attrs.of("reduction", "none"), () -> in(random(107, -1, 1, 3, 4), random(108, -1, 1, 3, 4))),

                c("conv 2-D bias", Ops.CONV, Attrs.NONE,
                        () -> in(random(110, -1, 1, 2, 3, 4, 4), random(111, -1, 1, 2, 3, 3, 3), random(112, -1, 1, 2))),
                c("conv strides, asymmetric pads, dilations", Ops.CONV,
                        Attrs.of("strides", new int[] {2, 1}, "pads", new int[] {1, 0, 0, 2}, "dilations", new int[] {1, 2}),
                        () -> in(random(113, -1, 1, 1, 2, 5, 6), random(114, -1, 1, 3, 2, 2, 3), random(115, -1, 1, 3))),
                c("conv groups", Ops.CONV, Attrs.of("group", 2, "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}),
                        () -> in(random(116, -1, 1, 1, 4, 4, 4), random(117, -1, 1, 6, 2, 3, 3))),
                c("conv depthwise", Ops.CONV, Attrs.of("group", 3), () -> in(random(118, -1, 1, 1, 3, 4, 4), random(119, -1, 1, 3, 1, 2, 2))),
                c("conv auto_pad SAME_UPPER", Ops.CONV, Attrs.of("auto_pad", "SAME_UPPER", "strides", new int[] {2, 2}),
                        () -> in(random(120, -1, 1, 1, 2, 5, 6), random(121, -1, 1, 2, 2, 3, 3))),
                c("conv 1-D", Ops.CONV, Attrs.of("strides", new int[] {2}, "pads", new int[] {1, 2}, "dilations", new int[] {2}),
                        () -> in(random(122, -1, 1, 2, 2, 7), random(123, -1, 1, 3, 2, 3), random(124, -1, 1, 3))),
                c("conv_transpose strides, output_padding", Ops.CONV_TRANSPOSE,
                        Attrs.of("strides", new int[] {2, 2}, "pads", new int[] {1, 0, 1, 1}, "output_padding", new int[] {1, 0}),
                        () -> in(random(125, -1, 1, 1, 2, 3, 3), random(126, -1, 1, 2, 3, 3, 3), random(127, -1, 1, 3))),
                c("conv_transpose 1-D groups, dilations", Ops.CONV_TRANSPOSE,
                        Attrs.of("group", 2, "strides", new int[] {2}, "pads", new int[] {1, 1}, "dilations", new int[] {2}),
                        () -> in(random(128, -1, 1, 2, 4, 4), random(129, -1, 1, 4, 1, 3))),
                c("conv_weight_grad", Ops.CONV_WEIGHT_GRAD,
                        Attrs.of("kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 2}, "pads", new int[] {1, 0, 1, 0}),
                        () -> in(random(130, -1, 1, 1, 2, 5, 5), random(131, -1, 1, 1, 3, 3, 2))),
                c("conv_weight_grad groups", Ops.CONV_WEIGHT_GRAD, Attrs.of("kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1}, "group", 2),
                        () -> in(random(132, -1, 1, 1, 4, 4, 4), random(133, -1, 1, 1, 2, 4, 4))),
                c("max_pool strides, pads", Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}),
                        () -> in(random(134, -1, 1, 1, 2, 5, 5))),
                c("max_pool ceil_mode", Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}, "ceil_mode", 1),
                        () -> in(random(135, -1, 1, 2, 1, 5, 5))),
                c("max_pool dilations", Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {2, 2}, "dilations", new int[] {2, 2}),
                        () -> in(random(136, -1, 1, 1, 1, 5, 5))),
                c("max_pool 1-D", Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {3}, "strides", new int[] {2}), () -> in(random(137, -1, 1, 2, 2, 7))),
                c("max_pool_grad", Ops.MAX_POOL_GRAD, Attrs.NONE, () -> maxPoolGradInputs(Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}))),
                c("max_pool_grad overlapping windows", Ops.MAX_POOL_GRAD, Attrs.NONE,
                        () -> maxPoolGradInputs(Attrs.of("kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1}))),
                c("avg_pool", Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}), () -> in(random(138, -1, 1, 2, 3, 4, 4))),
                c("avg_pool ceil_mode, count_include_pad", Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                        "pads", new int[] {1, 1, 1, 1}, "ceil_mode", 1, "count_include_pad", 1), () -> in(random(139, -1, 1, 1, 2, 6, 6))),
                c("avg_pool ceil_mode, padding excluded", Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                        "pads", new int[] {1, 1, 1, 1}, "ceil_mode", 1), () -> in(random(140, -1, 1, 1, 2, 6, 6))),
                c("avg_pool 1-D asymmetric pads", Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {3}, "strides", new int[] {2}, "pads", new int[] {2, 1}),
                        () -> in(random(141, -1, 1, 2, 2, 7))),
                c("batch_norm", Ops.BATCH_NORM, Attrs.of("epsilon", 1e-3), () -> in(random(142, -1, 1, 2, 3, 2, 2), random(143, -1, 1, 3),
                        random(144, -1, 1, 3), random(145, -1, 1, 3), random(146, 0.5, 1.5, 3))),
                c("batch_norm rank 2", Ops.BATCH_NORM, Attrs.NONE, () -> in(random(147, -1, 1, 4, 3), random(148, -1, 1, 3),
                        random(149, -1, 1, 3), random(150, -1, 1, 3), random(151, 0.5, 1.5, 3))),
                c("layer_norm", Ops.LAYER_NORM, Attrs.NONE, () -> in(random(152, -1, 1, 2, 3, 4), random(153, -1, 1, 4), random(154, -1, 1, 4))),
                c("layer_norm axis 1 no bias", Ops.LAYER_NORM, Attrs.of("axis", 1, "epsilon", 1e-3),
                        () -> in(random(155, -1, 1, 2, 3, 4), random(156, -1, 1, 3, 4))),
                c("grid_sample linear zeros", Ops.GRID_SAMPLE, Attrs.NONE, () -> in(random(200, -1, 1, 2, 2, 3, 4), random(201, -1.2, 1.2, 2, 2, 3, 2))),
                c("grid_sample cubic border align_corners", Ops.GRID_SAMPLE, Attrs.of("mode", "cubic", "padding_mode", "border", "align_corners", true),
                        () -> in(random(202, -1, 1, 1, 2, 4, 5), random(203, -1.3, 1.3, 1, 3, 2, 2))),
                c("grid_sample cubic zeros", Ops.GRID_SAMPLE, Attrs.of("mode", "cubic"), () -> in(random(204, -1, 1, 1, 1, 4, 4), random(205, -1.2, 1.2, 1, 2, 3, 2))),
                c("grid_sample linear reflection", Ops.GRID_SAMPLE, Attrs.of("padding_mode", "reflection"),
                        () -> in(random(206, -1, 1, 1, 2, 3, 4), random(207, -2.5, 2.5, 1, 3, 3, 2))),
                c("grid_sample nearest reflection align_corners", Ops.GRID_SAMPLE, Attrs.of("mode", "nearest", "padding_mode", "reflection", "align_corners", true),
                        () -> in(random(208, -1, 1, 1, 2, 3, 4), random(209, -2.5, 2.5, 1, 2, 3, 2))),
                c("grid_sample 3-D linear border", Ops.GRID_SAMPLE, Attrs.of("padding_mode", "border"),
                        () -> in(random(210, -1, 1, 1, 2, 2, 3, 3), random(211, -1.2, 1.2, 1, 2, 2, 2, 3))),
                c("grid_sample 1-D cubic reflection", Ops.GRID_SAMPLE, Attrs.of("mode", "cubic", "padding_mode", "reflection"),
                        () -> in(random(212, -1, 1, 2, 1, 5), random(213, -2, 2, 2, 4, 1))),
                c("lstm with initial states", Ops.LSTM, Attrs.of("hidden_size", 2), () -> in(random(157, -1, 1, 3, 2, 3),
                        random(158, -1, 1, 1, 8, 3), random(159, -1, 1, 1, 8, 2), random(160, -1, 1, 1, 16), random(161, -1, 1, 1, 2, 2),
                        random(162, -1, 1, 1, 2, 2))),
                c("lstm bidirectional", Ops.LSTM, Attrs.of("direction", "bidirectional"), () -> in(random(163, -1, 1, 2, 2, 3),
                        random(164, -1, 1, 2, 8, 3), random(165, -1, 1, 2, 8, 2), random(166, -1, 1, 2, 16))),
                c("lstm reverse", Ops.LSTM, Attrs.of("direction", "reverse"), () -> in(random(167, -1, 1, 3, 1, 2),
                        random(168, -1, 1, 1, 12, 2), random(169, -1, 1, 1, 12, 3), random(170, -1, 1, 1, 24), random(171, -1, 1, 1, 1, 3),
                        random(172, -1, 1, 1, 1, 3))),
                c("gru linear_before_reset", Ops.GRU, Attrs.of("linear_before_reset", 1), () -> in(random(173, -1, 1, 3, 2, 3),
                        random(174, -1, 1, 1, 6, 3), random(175, -1, 1, 1, 6, 2), random(176, -1, 1, 1, 12), random(177, -1, 1, 1, 2, 2))),
                c("gru reset before linear", Ops.GRU, Attrs.NONE, () -> in(random(178, -1, 1, 3, 2, 3),
                        random(179, -1, 1, 1, 6, 3), random(180, -1, 1, 1, 6, 2), random(181, -1, 1, 1, 12), random(182, -1, 1, 1, 2, 2))),
                c("gru bidirectional", Ops.GRU, Attrs.of("direction", "bidirectional", "linear_before_reset", 1), () -> in(random(183, -1, 1, 2, 2, 2),
                        random(184, -1, 1, 2, 9, 2), random(185, -1, 1, 2, 9, 3), random(186, -1, 1, 2, 18))),
                c("gru reverse, reset before linear", Ops.GRU, Attrs.of("direction", "reverse"), () -> in(random(187, -1, 1, 3, 1, 2),
                        random(188, -1, 1, 1, 6, 2), random(189, -1, 1, 1, 6, 2), random(190, -1, 1, 1, 12))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFiniteDifferences(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        GradCheck.check(op, attrs, inputs.get());
    }

    /** The rule emitted as IR and interpreted gives the eager rule's numbers exactly: one rule, two engines. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameGradientsOnTheGraph(String label, Op op, Attrs attrs, Supplier<Tensor[]> inputs) {
        Tensor[] x = inputs.get();
        Tensor[] y = op.run(new ExecContext(new Generator(1)), attrs, x);
        List<Tensor> g = new ArrayList<>();
        Generator rng = new Generator(2);
        for (Tensor t : y) g.add(t.dtype().isFloating() ? Tensor.normal(0, 1, t.dtype(), rng, t.shape().dims()) : null);
        boolean[] wanted = new boolean[x.length];
        for (int i = 0; i < x.length; i++) wanted[i] = x[i].dtype().isFloating();
        List<Tensor> eager = op.gradient(new Immediate(new ExecContext(new Generator(3))), attrs, Arrays.asList(x), Arrays.asList(y), g, wanted);

        Graph graph = new Graph(op.name());
        List<Tensor> feeds = new ArrayList<>();
        List<Value> xv = new ArrayList<>(), yv = new ArrayList<>(), gv = new ArrayList<>();
        for (int i = 0; i < x.length; i++) xv.add(feed(graph, "x" + i, x[i], feeds));
        for (int i = 0; i < y.length; i++) yv.add(feed(graph, "y" + i, y[i], feeds));
        for (int i = 0; i < y.length; i++) gv.add(g.get(i) == null ? null : feed(graph, "g" + i, g.get(i), feeds));
        List<Value> emitted = op.gradient(new GraphEmitter(graph), attrs, xv, yv, gv, wanted);
        List<Tensor> expected = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (emitted.get(i) == null) continue;
            graph.addOutput(emitted.get(i));
            expected.add(eager.get(i));
        }
        List<Tensor> compiled = Interpreter.run(graph, feeds, new ExecContext(new Generator(3)));
        for (int i = 0; i < expected.size(); i++) Close.assertClose(expected.get(i), compiled.get(i), 0, 0);
    }

    private static Value feed(Graph graph, String name, Tensor t, List<Tensor> feeds) {
        feeds.add(t);
        return graph.input(name, t.type());
    }

    @Test
    void everyDifferentiableOpHasACase() {
        Set<String> covered = new TreeSet<>();
        cases().forEach(a -> covered.add(((Op) a.get()[1]).name()));
        Set<String> missing = new TreeSet<>();
        for (Op op : Ops.all()) if (!covered.contains(op.name()) && !NO_GRADIENT.contains(op.name())) missing.add(op.name());
        assertEquals(Set.of(), missing, "ops without a finite-difference gradient test");
    }

    @Test
    void castToIntegerPassesNoGradient() {
        Immediate e = Immediate.global();
        Tensor x = random(1, -1, 1, 3);
        Tensor y = e.cast(x, DType.INT64);
        assertNull(Ops.CAST.gradient(e, Attrs.of("to", DType.INT64), java.util.List.of(x), java.util.List.of(y),
                java.util.List.of(Tensor.zeros(DType.INT64, 3)), new boolean[] {true}).get(0));
    }
}
