package dev.janus.core.ops;

import dev.janus.core.JanusException;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The op set: every op that the eager engine, the graph compiler and the ONNX exporter use.
 * Look one up by field or by {@link #get(String) name}.
 */
public final class Ops {
    private static final Map<String, Op> BY_NAME = new LinkedHashMap<>();

    // elementwise, one input
    public static final Op NEG = register(new Unary.Neg());
    public static final Op EXP = register(new Unary.Exp());
    public static final Op LOG = register(new Unary.Log());
    public static final Op SQRT = register(new Unary.Sqrt());
    public static final Op ABS = register(new Unary.Abs());
    public static final Op SIGN = register(new Unary.Sign());
    public static final Op ERF = register(new Unary.Erf());
    public static final Op RELU = register(new Unary.Relu());
    public static final Op LEAKY_RELU = register(new Unary.LeakyRelu());
    public static final Op ELU = register(new Unary.Elu());
    public static final Op GELU = register(new Unary.Gelu());
    public static final Op SIGMOID = register(new Unary.Sigmoid());
    public static final Op TANH = register(new Unary.Tanh());
    public static final Op SOFTPLUS = register(new Unary.Softplus());
    public static final Op HARD_SWISH = register(new Unary.HardSwish());
    public static final Op HARD_SIGMOID = register(new Unary.HardSigmoid());
    public static final Op RECIPROCAL = register(Elementary.reciprocal());
    public static final Op SIN = register(Elementary.sin());
    public static final Op COS = register(Elementary.cos());
    public static final Op TAN = register(Elementary.tan());
    public static final Op ASIN = register(Elementary.asin());
    public static final Op ACOS = register(Elementary.acos());
    public static final Op ATAN = register(Elementary.atan());
    public static final Op SINH = register(Elementary.sinh());
    public static final Op COSH = register(Elementary.cosh());
    public static final Op ASINH = register(Elementary.asinh());
    public static final Op ACOSH = register(Elementary.acosh());
    public static final Op ATANH = register(Elementary.atanh());
    public static final Op FLOOR = register(Elementary.floor());
    public static final Op CEIL = register(Elementary.ceil());
    public static final Op ROUND = register(Elementary.round());
    public static final Op CLIP = register(new Unary.Clip());

    // elementwise, two inputs, broadcasting
    public static final Op ADD = register(new Binary.Add());
    public static final Op SUB = register(new Binary.Sub());
    public static final Op MUL = register(new Binary.Mul());
    public static final Op DIV = register(new Binary.Div());
    public static final Op POW = register(new Binary.Pow());
    public static final Op MAXIMUM = register(new Binary.Maximum());
    public static final Op MINIMUM = register(new Binary.Minimum());

    // comparison, selection, conversion
    public static final Op GREATER = register(new Select.Greater());
    public static final Op EQUAL = register(new Select.Equal());
    public static final Op WHERE = register(new Select.Where());
    public static final Op CAST = register(new Select.Cast());
    public static final Op NOT = register(new Elementary.Logical("not", "Not", 0));
    public static final Op AND = register(new Elementary.Logical("and", "And", 1));
    public static final Op OR = register(new Elementary.Logical("or", "Or", 2));
    public static final Op XOR = register(new Elementary.Logical("xor", "Xor", 3));
    public static final Op IS_NAN = register(new Elementary.FloatTest("is_nan", "IsNaN", true));
    public static final Op IS_INF = register(new Elementary.FloatTest("is_inf", "IsInf", false));

    // bitwise, integers only
    public static final Op BITWISE_AND = register(new Bitwise.Pair(Bitwise.Kind.AND));
    public static final Op BITWISE_OR = register(new Bitwise.Pair(Bitwise.Kind.OR));
    public static final Op BITWISE_XOR = register(new Bitwise.Pair(Bitwise.Kind.XOR));
    public static final Op BITWISE_NOT = register(new Bitwise.Not());
    public static final Op BIT_SHIFT_LEFT = register(new Bitwise.Pair(Bitwise.Kind.SHIFT_LEFT));
    public static final Op BIT_SHIFT_RIGHT = register(new Bitwise.Pair(Bitwise.Kind.SHIFT_RIGHT));

    // reductions
    public static final Op SUM = register(new Reduce.Reduction("sum", Reduce.Kind.SUM));
    public static final Op MEAN = register(new Reduce.Reduction("mean", Reduce.Kind.MEAN));
    public static final Op MAX = register(new Reduce.Reduction("max", Reduce.Kind.MAX));
    public static final Op MIN = register(new Reduce.Reduction("min", Reduce.Kind.MIN));
    public static final Op PROD = register(new Reduce.Reduction("prod", Reduce.Kind.PROD));
    public static final Op ARGMAX = register(new Reduce.ArgMax("argmax", false));
    public static final Op ARGMIN = register(new Reduce.ArgMax("argmin", true));
    public static final Op CUMSUM = register(new Reduce.Cumulative(false));
    public static final Op CUMPROD = register(new Reduce.Cumulative(true));
    public static final Op TOP_K = register(new Reduce.TopK());

    // shapes and indexing
    public static final Op RESHAPE = register(new Shaping.Reshape());
    public static final Op TRANSPOSE = register(new Shaping.Transpose());
    public static final Op EXPAND = register(new Shaping.Expand());
    public static final Op CONCAT = register(new Shaping.Concat());
    public static final Op SLICE = register(new Shaping.Slice());
    public static final Op SLICE_SCATTER = register(new Shaping.SliceScatter());
    public static final Op GATHER = register(new Shaping.Gather());
    public static final Op INDEX_ADD = register(new Shaping.IndexAdd());
    public static final Op ONE_HOT = register(new Shaping.OneHot());
    public static final Op GATHER_ELEMENTS = register(new Indexing.GatherElements());
    public static final Op SCATTER_ELEMENTS = register(new Indexing.ScatterElements());

    // shapes as values, and ops whose output shape is one
    public static final Op SHAPE = register(new ShapeValues.ShapeOf());
    public static final Op SIZE = register(new ShapeValues.Size());
    public static final Op CONSTANT_OF_SHAPE = register(new ShapeValues.ConstantOfShape());
    public static final Op RANGE = register(new ShapeValues.Range());
    public static final Op MOD = register(new ShapeValues.Mod());

    // neural-network ops
    public static final Op MATMUL = register(new Neural.MatMul());
    public static final Op LINEAR = register(new Neural.Linear());
    public static final Op EINSUM = register(new Einsum());
    public static final Op SOFTMAX = register(new Neural.Softmax(false));
    public static final Op LOG_SOFTMAX = register(new Neural.Softmax(true));
    public static final Op DROPOUT = register(new Neural.Dropout());
    public static final Op SOFTMAX_CROSS_ENTROPY = register(new Neural.SoftmaxCrossEntropy());
    public static final Op MSE = register(new Neural.Mse());

    // convolution, pooling, normalisation (channels first)
    public static final Op CONV = register(new Conv.Forward());
    public static final Op CONV_TRANSPOSE = register(new Conv.Transpose());
    public static final Op CONV_WEIGHT_GRAD = register(new Conv.WeightGrad());
    public static final Op MAX_POOL = register(new Pool.Max());
    public static final Op MAX_POOL_GRAD = register(new Pool.MaxGrad());
    public static final Op AVG_POOL = register(new Pool.Avg());
    public static final Op BATCH_NORM = register(new Norm.Batch());
    public static final Op LAYER_NORM = register(new Norm.Layer());
    public static final Op GRID_SAMPLE = register(new GridSample.Forward());
    public static final Op GRID_SAMPLE_GRAD = register(new GridSample.Backward());

    // recurrent layers over a whole sequence (sequence first)
    public static final Op LSTM = register(new Recurrent.Lstm());
    public static final Op GRU = register(new Recurrent.Gru());

    // quantization-aware training (straight-through fake quantization)
    public static final Op FAKE_QUANTIZE = register(new Quantize.FakeQuantize());
    public static final Op FAKE_QUANTIZE_GRAD = register(new Quantize.FakeQuantizeGrad());

    // ONNX's quantized ops, on int8/uint8 storage with int32 accumulation
    public static final Op QUANTIZE_LINEAR = register(new LinearQuantize.Quantize());
    public static final Op DEQUANTIZE_LINEAR = register(new LinearQuantize.Dequantize());
    public static final Op DYNAMIC_QUANTIZE_LINEAR = register(new LinearQuantize.Dynamic());
    public static final Op MATMUL_INTEGER = register(new IntegerProducts.MatMulInteger());
    public static final Op QLINEAR_MATMUL = register(new IntegerProducts.QLinearMatMul());
    public static final Op CONV_INTEGER = register(new IntegerProducts.ConvInteger());
    public static final Op QLINEAR_CONV = register(new IntegerProducts.QLinearConv());

    private Ops() {
    }

    private static Op register(Op op) {
        if (BY_NAME.putIfAbsent(op.name(), op) != null) throw new IllegalStateException("duplicate op " + op.name());
        return op;
    }

    /** The op of that name, or an error listing the known ones. */
    public static Op get(String name) {
        Op op = BY_NAME.get(name);
        if (op == null) throw new JanusException("unknown op '" + name + "'; known ops: " + String.join(", ", BY_NAME.keySet()));
        return op;
    }

    public static Collection<Op> all() {
        return Collections.unmodifiableCollection(BY_NAME.values());
    }
}
