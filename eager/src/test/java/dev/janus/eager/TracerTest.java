package dev.janus.eager;

import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.DType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.eager.nn.AdaptiveAvgPool2d;
import dev.janus.eager.nn.AvgPool2d;
import dev.janus.eager.nn.BatchNorm2d;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.ConvOptions;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.NNEmbedding;
import dev.janus.eager.nn.NNGRU;
import dev.janus.eager.nn.NNLSTM;
import dev.janus.eager.nn.LayerNorm;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.RNNOptions;
import dev.janus.eager.nn.F;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracerTest {
    private static NNSequential iris() {
        Generator.manualSeed(8);
        return new NNSequential(new Linear(4, 64), new ReLU(), new NNDropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
    }

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(n -> n.op().name()).collect(Collectors.toList());
    }

    private static float[] run(Graph g, Tensor x) {
        return Interpreter.run(g, List.of(x), new ExecContext(new Generator(1))).get(0).toFloatArray();
    }

    @Test
    void theTracedGraphComputesTheForwardAtAnyBatchSize() {
        NNSequential model = iris();
        model.eval();
        Graph g = Tracer.trace(model, Tensor.randn(16, 4));
        assertEquals(List.of("linear", "relu", "linear", "relu", "linear"), ops(g), "no dropout in eval mode");
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                g.parameters().stream().map(Value::name).collect(Collectors.toList()));
        assertEquals("input", g.inputs().get(0).name());
        assertEquals(TensorType.of(DType.FLOAT32, -1, 4), g.inputs().get(0).type());
        assertEquals("output", g.outputName(0));
        assertEquals(TensorType.of(DType.FLOAT32, -1, 3), g.outputs().get(0).type());
        for (int batch : new int[] {16, 5}) {
            Tensor x = Tensor.randn(batch, 4);
            assertArrayEquals(model.forward(x).toFloatArray(), run(g, x), "batch " + batch);
        }
    }

    @Test
    void parametersAreCopiedAndRecordingResumesAfterwards() {
        NNSequential model = iris();
        model.eval();
        Tensor x = Tensor.randn(3, 4);
        Graph g = Tracer.trace(model, x);
        float[] before = run(g, x);
        ((Linear) model.get(0)).weight.copyFrom(Tensor.zeros(64, 4));
        assertArrayEquals(before, run(g, x), "the graph keeps the values it was traced with");
        assertTrue(Grad.isEnabled());
        assertEquals("LinearBackward", model.forward(x).gradFn(), "gradients are recorded again after the trace");
    }

    @Test
    void trainModeKeepsDropoutAndAFixedBatchCanBeAsked() {
        NNSequential model = iris();
        Graph g = Tracer.trace(model, false, Tensor.randn(8, 4));
        assertTrue(ops(g).contains("dropout"));
        assertEquals(TensorType.of(DType.FLOAT32, 8, 4), g.inputs().get(0).type());
    }

    /** A module with its own forward: constants, Java arithmetic on shapes, and flatten keep the batch open. */
    @Test
    void customForwardsWithConstantsAndFlatten() {
        NNModule m = new NNModule() {
            final Linear fc = registerModule("fc", new Linear(6, 2));

            @Override
            public Tensor forward(Tensor x) {
                Tensor h = new NNFlatten().forward(x).mul(0.5).add(Tensor.ones(6));
                return F.softmax(fc.forward(h), 1);
            }
        };
        Graph g = Tracer.trace(m, Tensor.randn(4, 2, 3));
        assertEquals(List.of("reshape", "mul", "add", "linear", "softmax"), ops(g));
        assertEquals(2, g.constants().size());
        assertEquals(TensorType.of(DType.FLOAT32, -1, 6), g.nodes().get(0).output().type());
        Tensor x = Tensor.randn(7, 2, 3);
        assertArrayEquals(m.forward(x).toFloatArray(), run(g, x), 1e-7f);
        assertThrows(ShapeException.class, () -> Interpreter.run(g, List.of(Tensor.randn(7, 3, 3)), new ExecContext(new Generator(1))));
    }

    @Test
    void functionsOfSeveralInputs() {
        Tensor w = Tensor.randn(3, 3).requiresGrad(true);
        Graph g = Tracer.trace("pair", Map.of("w", w), true, xs -> xs[0].matmul(w).add(xs[1]), Tensor.randn(2, 3), Tensor.randn(2, 3));
        assertEquals(List.of("input_0", "input_1"), g.inputs().stream().map(Value::name).collect(Collectors.toList()));
        Node mm = g.nodes().get(0);
        assertEquals("w", mm.inputs().get(1).name());
        assertFalse(g.toString().isEmpty());
    }

    /** A CNN in eval mode: batch norm's buffers become frozen parameters; the graph runs at any batch size. */
    @Test
    void convolutionalModelsTraceWithTheirBuffers() {
        Generator.manualSeed(5);
        NNSequential cnn = new NNSequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, 3, new ConvOptions().padding("same").groups(2)), new AvgPool2d(2), new AdaptiveAvgPool2d(1),
                new NNFlatten(), new LayerNorm(6), new Linear(6, 3));
        for (int i = 0; i < 3; i++) cnn.forward(Tensor.randn(8, 1, 8, 8));
        cnn.eval();
        Graph g = Tracer.trace(cnn, Tensor.randn(2, 1, 8, 8));
        Map<String, Boolean> trainable = g.parameters().stream().collect(Collectors.toMap(Value::name, g::isTrainable));
        assertEquals(false, trainable.get("1.running_mean"));
        assertEquals(false, trainable.get("1.running_var"));
        assertEquals(true, trainable.get("1.weight"));
        assertEquals(false, trainable.get("1.num_batches_tracked"));
        assertEquals(List.of("conv", "batch_norm", "relu", "max_pool", "conv", "avg_pool", "mean", "reshape", "layer_norm", "linear"), ops(g));
        for (int batch : new int[] {2, 5}) {
            Tensor x = Tensor.randn(batch, 1, 8, 8);
            assertArrayEquals(cnn.forward(x).toFloatArray(), run(g, x), 1e-6f, "batch " + batch);
        }
    }

    @Test
    void recurrentModelsTraceToTheirOps() {
        Generator.manualSeed(6);
        NNModule m = new NNModule() {
            final NNEmbedding embed = registerModule("embed", new NNEmbedding(10, 4, 0));
            final NNLSTM lstm = registerModule("lstm", new NNLSTM(4, 5, new RNNOptions().batchFirst(true).numLayers(2)));
            final NNGRU gru = registerModule("gru", new NNGRU(5, 3, new RNNOptions().batchFirst(true).bidirectional(true)));

            @Override
            public Tensor forward(Tensor x) {
                return gru.forwardWithState(lstm.forward(embed.forward(x))).hN().transpose(0, 1).reshape(0, -1);
            }
        };
        Graph g = Tracer.trace(m, Tensor.of(new long[] {1, 2, 3, 0, 4, 5, 6, 7}, 2, 4));
        List<String> ops = ops(g);
        assertEquals(2, ops.stream().filter("lstm"::equals).count());
        assertEquals(1, ops.stream().filter("gru"::equals).count());
        for (int batch : new int[] {2, 3}) {
            long[] idx = new long[batch * 4];
            for (int i = 0; i < idx.length; i++) idx[i] = (7L * i + batch) % 10;
            Tensor x = Tensor.of(idx, batch, 4);
            assertArrayEquals(m.forward(x).toFloatArray(), run(g, x), 1e-6f, "batch " + batch);
        }
    }
}
