package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import dev.janus.core.testing.NodeJs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op the JavaScript generator covers, in small graphs run by Node and by Janus's own plan on
 * the same inputs: the module must give the plan's numbers within 1e-5 of the largest output (most
 * give them bit for bit; matrix products and convolutions sum in double, OpenBLAS in float).
 */
class JsModuleTest {
    private static final double TOLERANCE = 1e-5;

    /** One graph, the batch its module is specialised to and how many samples predict gets. */
    private static final class Case {
        final String name;
        final Graph graph;
        final int batch, samples;

        Case(String name, Graph graph, int batch, int samples) {
            this.name = name;
            this.graph = graph;
            this.batch = batch;
            this.samples = samples;
        }
    }

    private final List<Case> cases = new ArrayList<>();
    private final Generator rng = new Generator(42);
    private Graph g;
    private GraphEmitter e;

    private Value param(int... shape) {
        return g.parameter("w" + g.parameters().size(), Tensor.normal(0, 1, DType.FLOAT32, rng, shape));
    }

    private Value positive(int... shape) {
        Tensor t = Tensor.uniform(0.5, 2, DType.FLOAT32, rng, shape);
        return g.parameter("w" + g.parameters().size(), t);
    }

    private Value op(Op op, Attrs attrs, Value... in) {
        return e.one(op, attrs, List.of(in));
    }

    /** A case whose input is {@code type} (dimension 0 the batch, -1 for any). */
    private void add(String name, TensorType type, int batch, int samples, Function<Value, Value> body) {
        g = new Graph(name);
        e = new GraphEmitter(g);
        Value x = g.input("x", type);
        g.addOutput(body.apply(x));
        cases.add(new Case(name, g, batch, samples));
    }

    private void add(String name, Function<Value, Value> body, int... sample) {
        add(name, new TensorType(DType.FLOAT32, Shape.of(-1).concat(Shape.of(sample))), 1, 3, body);
    }

    private Tensor input(TensorType type, int samples) {
        Shape s = Shape.of(samples).concat(type.shape().sub(1, type.rank()));
        Tensor t = Tensor.empty(type.dtype(), s);
        for (int i = 0; i < t.numel(); i++) {
            t.setDouble(i, type.dtype() == DType.INT64 ? (double) (rng.nextInt(11) - 1) : rng.nextGaussian());
        }
        return t;
    }

    @Test
    void everyOpGivesJanusNumbers(@TempDir Path dir) throws Exception {
        NodeJs.require();
        elementwiseCases();
        productCases();
        windowCases();
        normalisationCases();
        recurrentCases();
        reductionAndMovementCases();

        List<String> names = new ArrayList<>();
        List<Tensor> expected = new ArrayList<>();
        for (Case c : cases) {
            Value in = c.graph.inputs().get(0);
            int samples = in.type().shape().dim(0) < 0 ? c.samples : in.type().shape().dim(0);
            Tensor x = input(in.type(), samples);
            expected.add(new Executable(c.graph, CompileOptions.defaults()).run(new ExecContext(new Generator(0)), x).get(0).copy());
            Files.writeString(dir.resolve(c.name + ".mjs"), JsModule.generate(c.graph, c.batch).source());
            NodeJs.write(dir.resolve(c.name + ".in"), x.toDoubleArray());
            names.add(c.name);
        }
        List<String> args = new ArrayList<>();
        for (String n : names) args.addAll(List.of(n + ".mjs", n + ".in", n + ".out"));
        NodeJs.run(dir, NodeJs.predictDriver(dir), args.toArray(new String[0]));
        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        for (int k = 0; k < cases.size(); k++) {
            double[] want = expected.get(k).toDoubleArray(), got = NodeJs.read(dir.resolve(names.get(k) + ".out"));
            if (want.length != got.length) {
                failures.add(names.get(k) + ": " + got.length + " values, expected " + want.length);
                continue;
            }
            double worst = 0, scale = 0;
            for (int i = 0; i < want.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                boolean bothNaN = Double.isNaN(want[i]) && Double.isNaN(got[i]);
                if (!bothNaN) worst = Math.max(worst, Double.isNaN(want[i] - got[i]) ? Double.POSITIVE_INFINITY : Math.abs(want[i] - got[i]));
            }
            double rel = worst / Math.max(scale, 1e-30);
            report.append(String.format(Locale.ROOT, "%-28s %s%n", names.get(k), worst == 0 ? "bit for bit" : String.format(Locale.ROOT, "%.2e", rel)));
            if (!(rel <= TOLERANCE)) failures.add(String.format(Locale.ROOT, "%s: largest difference %.3g, %.3g of the largest output", names.get(k), worst, rel));
        }
        if (!failures.isEmpty()) fail(String.join("\n", failures) + "\nevery case:\n" + report);
    }

    private void elementwiseCases() {
        Object[][] unary = {
                {Ops.NEG, Attrs.NONE}, {Ops.EXP, Attrs.NONE}, {Ops.ABS, Attrs.NONE}, {Ops.SIGN, Attrs.NONE}, {Ops.ERF, Attrs.NONE},
                {Ops.RELU, Attrs.NONE}, {Ops.LEAKY_RELU, Attrs.of("alpha", 0.2)}, {Ops.ELU, Attrs.of("alpha", 0.5)},
                {Ops.GELU, Attrs.NONE}, {Ops.SIGMOID, Attrs.NONE}, {Ops.TANH, Attrs.NONE},
                {Ops.SOFTPLUS, Attrs.of("beta", 2.0, "threshold", 3.0)}, {Ops.CLIP, Attrs.of("min", -0.5, "max", 0.7)},
                {Ops.HARD_SIGMOID, Attrs.of("alpha", 0.25, "beta", 0.4)},
                {Ops.CLIP, Attrs.of("min", -0.1)}};
        for (Object[] u : unary) add(((Op) u[0]).name() + "_" + cases.size(), x -> op((Op) u[0], (Attrs) u[1], x), 3, 5);
        add("gelu_tanh", x -> op(Ops.GELU, Attrs.of("approximate", "tanh"), x), 3, 5);
        add("log_sqrt_chain", x -> e.add(e.log(e.add(e.one(Ops.ABS, Attrs.NONE, List.of(x)), 0.1)), e.sqrt(e.one(Ops.ABS, Attrs.NONE, List.of(x)))), 3, 5);
        add("bias_relu", x -> op(Ops.RELU, Attrs.NONE, e.add(x, param(5))), 3, 5);
        add("sub_column_broadcast", x -> e.sub(param(3, 1), x), 3, 5);
        add("mul_div", x -> e.div(e.mul(x, param(3, 5)), positive(5)), 3, 5);
        add("pow", x -> e.pow(e.add(e.one(Ops.ABS, Attrs.NONE, List.of(x)), 0.5), param(5)), 3, 5);
        add("max_min", x -> op(Ops.MINIMUM, Attrs.NONE, op(Ops.MAXIMUM, Attrs.NONE, x, param(5)), param(1)), 3, 5);
        add("where_greater_equal", x -> e.where(e.greater(x, e.scalar(0, DType.FLOAT32)), x,
                e.where(e.equal(x, x), e.mul(x, 0.1), x)), 3, 5);
        add("cast_roundtrip", x -> e.add(e.cast(e.cast(e.mul(x, 3), DType.INT64), DType.FLOAT32),
                e.cast(e.mul(e.cast(x, DType.FLOAT64), 1.0 / 3), DType.FLOAT32)), 3, 5);
        add("float64_math", new TensorType(DType.FLOAT64, Shape.of(-1, 4)), 1, 3,
                x -> e.add(e.add(e.erf(x), op(Ops.GELU, Attrs.NONE, x)), e.exp(op(Ops.LEAKY_RELU, Attrs.of("alpha", 0.3), x))));
    }

    private void productCases() {
        add("matmul_weight", x -> e.matmul(x, param(4, 6), false, false), 4);
        add("matmul_transB", x -> e.matmul(x, param(6, 4), false, true), 4);
        add("matmul_long_dot", x -> e.matmul(x, param(37, 5), false, false), 37);
        add("matmul_transA_static", new TensorType(DType.FLOAT32, Shape.of(4, 4)), 4, 4, x -> e.matmul(x, op(Ops.TANH, Attrs.NONE, x), true, false));
        add("matmul_batched_weight", x -> e.matmul(x, param(4, 5), false, false), 2, 3, 4);
        add("matmul_batched_runtime", x -> e.matmul(x, op(Ops.TRANSPOSE, Attrs.of("perm", new int[] {0, 2, 1}), x), false, false), 3, 4);
        add("linear_bias", x -> op(Ops.LINEAR, Attrs.NONE, x, param(3, 4), param(3)), 4);
        add("linear_3d", x -> op(Ops.LINEAR, Attrs.NONE, x, param(3, 4)), 2, 4);
        add("dense_softmax", x -> op(Ops.SOFTMAX, Attrs.of("axis", -1),
                e.add(e.matmul(op(Ops.RELU, Attrs.NONE, e.add(e.matmul(x, param(4, 8), false, false), param(8))), param(8, 3), false, false), param(3))), 4);
        add("batch_of_4_padded", new TensorType(DType.FLOAT32, Shape.of(-1, 4)), 4, 6,
                x -> op(Ops.TANH, Attrs.NONE, e.matmul(x, param(4, 2), false, false)));
    }

    private void windowCases() {
        add("conv2d_strided", x -> op(Ops.CONV, Attrs.of("strides", new int[] {2, 1}, "pads", new int[] {1, 0, 1, 2}, "dilations", new int[] {1, 2}),
                x, param(4, 2, 3, 3), param(4)), 2, 7, 6);
        add("conv2d_groups", x -> op(Ops.CONV, Attrs.of("group", 2, "pads", new int[] {1, 1, 1, 1}), x, param(4, 1, 3, 3)), 2, 5, 5);
        add("conv2d_same_upper", x -> op(Ops.CONV, Attrs.of("auto_pad", "SAME_UPPER", "strides", new int[] {2, 2}), x, param(3, 2, 2, 2), param(3)), 2, 5, 6);
        add("conv1d", x -> op(Ops.CONV, Attrs.of("strides", new int[] {2}), x, param(2, 3, 3), param(2)), 3, 9);
        add("max_pool_ceil", x -> e.apply(Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                "pads", new int[] {1, 1, 1, 1}, "ceil_mode", 1), List.of(x)).get(0), 2, 6, 7);
        // The indices count from the start of the batch, so that batch is fixed.
        add("max_pool_indices", new TensorType(DType.FLOAT32, Shape.of(2, 2, 5, 4)), 2, 2, x -> {
            List<Value> out = e.apply(Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {2, 2}, "dilations", new int[] {2, 1}), List.of(x));
            return e.add(out.get(0), e.mul(e.cast(out.get(1), DType.FLOAT32), 1e-3));
        });
        add("max_pool_1d", x -> e.apply(Ops.MAX_POOL, Attrs.of("kernel_shape", new int[] {2}, "strides", new int[] {2}), List.of(x)).get(0), 3, 7);
        add("avg_pool_exclude_pad", x -> op(Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                "pads", new int[] {1, 1, 1, 1}, "ceil_mode", 1), x), 2, 6, 7);
        add("avg_pool_include_pad", x -> op(Ops.AVG_POOL, Attrs.of("kernel_shape", new int[] {3, 2}, "pads", new int[] {1, 0, 1, 1},
                "count_include_pad", 1, "dilations", new int[] {1, 2}), x), 2, 5, 6);
    }

    private void normalisationCases() {
        add("batch_norm", x -> op(Ops.BATCH_NORM, Attrs.of("epsilon", 1e-3), x, param(3), param(3), param(3), positive(3)), 3, 4, 4);
        add("layer_norm", x -> op(Ops.LAYER_NORM, Attrs.of("axis", -1, "epsilon", 1e-3), x, param(8), param(8)), 3, 8);
        add("layer_norm_two_axes", x -> op(Ops.LAYER_NORM, Attrs.of("axis", -2), x, param(3, 8)), 3, 8);
        add("softmax_middle_axis", x -> op(Ops.SOFTMAX, Attrs.of("axis", 1), x), 4, 3);
        add("log_softmax", x -> op(Ops.LOG_SOFTMAX, Attrs.of("axis", -1), x), 6);
    }

    /** x [N, T, F] to [T, N, F], the op, and Y [T, D, N, H] back to batch first [N, T, D, H] (or the final state [N, D, H]). */
    private Value recurrent(Op op, Attrs attrs, Value x, int gates, int dirs, int h, boolean finalState, Value... states) {
        int f = x.type().shape().dim(2);
        List<Value> in = new ArrayList<>(List.of(op(Ops.TRANSPOSE, Attrs.of("perm", new int[] {1, 0, 2}), x),
                param(dirs, gates * h, f), param(dirs, gates * h, h), param(dirs, 2 * gates * h)));
        in.addAll(List.of(states));
        List<Value> out = e.apply(op, attrs.with("hidden_size", h), in);
        if (finalState) return op(Ops.TRANSPOSE, Attrs.of("perm", new int[] {1, 0, 2}), out.get(out.size() - 1));
        return op(Ops.TRANSPOSE, Attrs.of("perm", new int[] {2, 0, 1, 3}), out.get(0));
    }

    private void recurrentCases() {
        add("lstm_forward", x -> recurrent(Ops.LSTM, Attrs.NONE, x, 4, 1, 4, false), 5, 3);
        add("lstm_reverse_final", x -> recurrent(Ops.LSTM, Attrs.of("direction", "reverse"), x, 4, 1, 3, true), 4, 2);
        add("lstm_bidirectional_states", new TensorType(DType.FLOAT32, Shape.of(2, 3, 2)), 2, 2,
                x -> recurrent(Ops.LSTM, Attrs.of("direction", "bidirectional"), x, 4, 2, 3, false, param(2, 2, 3), param(2, 2, 3)));
        add("gru_linear_before_reset", x -> recurrent(Ops.GRU, Attrs.of("linear_before_reset", 1), x, 3, 1, 4, false), 5, 3);
        add("gru_reset_first_bidirectional", x -> recurrent(Ops.GRU, Attrs.of("direction", "bidirectional"), x, 3, 2, 3, true), 4, 2);
    }

    private void reductionAndMovementCases() {
        add("sum_keepdims", x -> op(Ops.SUM, Attrs.of("axes", new int[] {1}, "keepdims", true), x), 3, 5);
        add("mean_two_axes", x -> op(Ops.MEAN, Attrs.of("axes", new int[] {1, 2}), x), 3, 4, 2);
        add("max_min_split_axes", x -> e.add(op(Ops.MAX, Attrs.of("axes", new int[] {1, 3}), x), op(Ops.MIN, Attrs.of("axes", new int[] {-1, 1}), x)), 3, 2, 4);
        add("argmax", x -> e.cast(op(Ops.ARGMAX, Attrs.of("axis", 2, "keepdims", true), x), DType.FLOAT32), 3, 5);
        add("reshape_transpose", x -> op(Ops.RESHAPE, Attrs.of("shape", new int[] {-1, 15}), op(Ops.TRANSPOSE, Attrs.of("perm", new int[] {0, 2, 1}), x)), 3, 5);
        add("expand", x -> e.sqrt(e.add(op(Ops.EXPAND, Attrs.of("shape", new int[] {1, 3, 5}), x), 3.0)), 1, 5);
        add("slice_negative_step", x -> op(Ops.SLICE, Attrs.of("starts", new int[] {1, 4}, "ends", new int[] {3, 0}, "axes", new int[] {1, 2},
                "steps", new int[] {1, -2}), x), 4, 5);
        add("concat", x -> op(Ops.CONCAT, Attrs.of("axis", 1), x, e.neg(x), op(Ops.SLICE, Attrs.of("starts", new int[] {1}, "ends", new int[] {2}, "axes", new int[] {1}), x)), 2, 3);
        add("gather_constant_indices", x -> op(Ops.GATHER, Attrs.of("axis", 2), x, g.constant(Tensor.of(new long[] {2, 0, -1}, 3))), 2, 4);
        add("embedding", new TensorType(DType.INT64, Shape.of(-1, 4)), 1, 3,
                x -> op(Ops.GATHER, Attrs.of("axis", 0), param(10, 3), x));
        add("one_hot", new TensorType(DType.INT64, Shape.of(-1, 3)), 1, 3,
                x -> op(Ops.ONE_HOT, Attrs.of("depth", 11), e.cast(op(Ops.RELU, Attrs.NONE, e.cast(x, DType.FLOAT32)), DType.INT64)));
    }

    @Test
    void aFusedChainIsOneLoop() {
        g = new Graph("dense");
        e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        g.addOutput(op(Ops.SIGMOID, Attrs.NONE, op(Ops.RELU, Attrs.NONE, e.add(e.matmul(x, param(4, 8), false, false), param(8)))));
        String js = JsModule.generate(g, 1).source();
        assertTrue(js.contains("fused(%"), js);
        // matmul, then one loop for add, relu and sigmoid: the bias is read by the same loop that applies both activations.
        String fused = js.substring(js.indexOf("fused("));
        fused = fused.substring(0, fused.indexOf("function run"));
        assertEquals(1, fused.split("for \\(", -1).length - 1, fused);
        assertTrue(fused.contains("Math.max(") && fused.contains("Math.exp("), fused);
    }

    @Test
    void unsupportedOpsAreNamed() {
        g = new Graph("upsample");
        e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 2, 3, 3));
        g.addOutput(e.one(Ops.CONV_TRANSPOSE, Attrs.NONE, List.of(x, param(2, 1, 2, 2))));
        JanusException err = assertThrows(JanusException.class, () -> JsModule.generate(g, 1));
        assertTrue(err.getMessage().contains("op 'conv_transpose' has no JavaScript kernel"), err.getMessage());
        assertTrue(err.getMessage().contains("conv, "), err.getMessage());
    }

    @Test
    void integerBitOperationsAreRefusedNamingTheOpAndType() {
        g = new Graph("bits");
        e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        Value i = e.cast(x, DType.INT64);
        Value masked = op(Ops.BITWISE_AND, Attrs.NONE, i, g.constant(Tensor.of(new long[] {1, 2, 3})));
        g.addOutput(e.cast(masked, DType.FLOAT32));
        JanusException err = assertThrows(JanusException.class, () -> JsModule.generate(g, 1));
        assertTrue(err.getMessage().contains("op 'bitwise_and' on [int64, int64] has no JavaScript expression"), err.getMessage());
        assertTrue(err.getMessage().contains("32 bits"), err.getMessage());
    }

    @Test
    void aModelThatMixesItsBatchIsRefused() {
        g = new Graph("centre");
        e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 3));
        g.addOutput(e.sub(x, op(Ops.MEAN, Attrs.of("axes", new int[] {0}, "keepdims", true), x)));
        JanusException err = assertThrows(JanusException.class, () -> JsModule.generate(g, 1));
        assertTrue(err.getMessage().contains("depends on the other samples of its batch"), err.getMessage());
    }

    @Test
    void shapesAndWeightsAreReported() {
        g = new Graph("iris");
        e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        g.addOutput(op(Ops.SOFTMAX, Attrs.of("axis", -1), e.add(e.matmul(x, param(4, 3), false, false), param(3))));
        JsModule m = JsModule.generate(g, 1);
        assertEquals(TensorType.of(DType.FLOAT32, 4), m.inputType());
        assertEquals(TensorType.of(DType.FLOAT32, 3), m.outputType());
        assertEquals(1, m.batchSize());
        assertEquals((12 + 3) * 4, m.weightBytes());   // the kernel (embedded transposed only) and the bias
        assertTrue(m.source().contains("export function predict(x)"), m.source());
    }
}
