package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded byte mutations of valid models: every case either loads or throws the library's own
 * exception (a JanusException), never another exception, a JVM crash or a hang.
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
        Graph g = new Graph("exported");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        Value h = g.apply1(Ops.LINEAR, Attrs.NONE, x, g.parameter("w", Tensor.randn(new Generator(1), 3, 4)), g.parameter("b", Tensor.zeros(3)));
        Value s = g.apply1(Ops.SLICE, Attrs.of("starts", new int[] {0}, "ends", new int[] {2}, "axes", new int[] {1}), g.apply1(Ops.GELU, Attrs.NONE, h));
        g.addOutput(g.apply1(Ops.SUM, Attrs.of("axes", new int[] {1}), s));
        models.add(OnnxExporter.toBytes(g, ExportOptions.defaults().opset(13)));
        return models;
    }

    private static byte[] mutate(byte[] in, Generator rng) {
        byte[] b = in.clone();
        int edits = 1 + (int) (rng.nextDouble() * 4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = (int) (rng.nextDouble() * b.length);
            switch ((int) (rng.nextDouble() * 6)) {
                case 0: b[at] = (byte) (rng.nextDouble() * 256); break;
                case 1: b[at] ^= (byte) (1 << (int) (rng.nextDouble() * 8)); break;
                case 2: b = Arrays.copyOf(b, at); break;
                case 3: {   // delete one byte
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                    break;
                }
                case 4: {   // insert one byte
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) (rng.nextDouble() * 256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                    break;
                }
                default: b[at] = (byte) (rng.nextDouble() < 0.5 ? 0xff : 0x7f);   // a large varint or length
            }
        }
        return b;
    }

    @Test
    void everyMutationLoadsOrThrowsTheLibrarysException() throws IOException {
        List<byte[]> seeds = seeds();
        Generator rng = new Generator(2024);
        int[] outcome = new int[2];
        List<String> wrong = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] bytes = mutate(seeds.get(i % seeds.size()), rng);
                try {
                    OnnxImporter.read(bytes);
                    outcome[0]++;
                } catch (JanusException e) {
                    outcome[1]++;
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    if (wrong.size() < 10) wrong.add("case " + i + ": " + e + " at " + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 3)));
                }
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals(CASES, outcome[0] + outcome[1]);
        assertTrue(outcome[0] > 100 && outcome[1] > 100, "both outcomes are exercised: " + outcome[0] + " loaded, " + outcome[1] + " refused");
    }
}
