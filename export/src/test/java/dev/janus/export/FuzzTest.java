package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.core.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeded byte mutations of valid models ({@link Fuzz}): every case either loads or throws the
 * library's own exception (a JanusException), never another exception, a JVM crash or a hang.
 */
class FuzzTest {
    private static final int CASES = 3000;
    private static final String[] NODE_TESTS = {"test_constant", "test_gemm_all_attributes", "test_reshape_negative_dim", "test_softmax_axis_1",
        "test_transpose_all_permutations_0", "test_squeeze", "test_clip", "test_concat_2d_axis_0", "test_flatten_axis1", "test_reduce_mean_default_axes_keepdims_example"};

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> models = new ArrayList<>();
        models.add(Files.readAllBytes(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx")));
        models.add(Files.readAllBytes(OnnxNodeTest.resource("onnx-models/mnist-8/model.onnx")));
        for (String m : new String[] {"torch-cnn-opset13", "torch-cnn-opset17", "torch-rnn"}) {
            models.add(Files.readAllBytes(OnnxNodeTest.resource("onnx-models/" + m + "/model.onnx")));
        }
        for (String t : NODE_TESTS) models.add(Files.readAllBytes(OnnxNodeTest.resource("onnx-node/" + t + "/model.onnx")));
        models.add(ControlFlowTest.ifOnAShape());
        models.add(ControlFlowTest.loopOfThree(3));
        models.add(ControlFlowTest.scanBackwards());
        Graph g = new Graph("exported");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        Value h = g.apply1(Ops.LINEAR, Attrs.NONE, x, g.parameter("w", Tensor.randn(new Generator(1), 3, 4)), g.parameter("b", Tensor.zeros(3)));
        Value s = g.apply1(Ops.SLICE, Attrs.of("starts", new int[] {0}, "ends", new int[] {2}, "axes", new int[] {1}), g.apply1(Ops.GELU, Attrs.NONE, h));
        g.addOutput(g.apply1(Ops.SUM, Attrs.of("axes", new int[] {1}), s));
        models.add(OnnxExporter.toBytes(g, ExportOptions.defaults().opset(13)));
        return models;
    }

    @Test
    void everyMutationLoadsOrThrowsTheLibrarysException() throws IOException {
        Fuzz.run(seeds(), 2024, CASES, 100, Duration.ofSeconds(120), OnnxImporter::read);
    }
}
