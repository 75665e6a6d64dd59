package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.janus.export.Models.model;
import static dev.janus.export.Models.node;
import static dev.janus.export.Models.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made ONNX files that once loaded wrongly or ran out of memory: each is now refused clearly, or runs right. */
@Tag("reliability")
class CraftedOnnxTest {
    private static String refusal(GraphProto.Builder g) {
        return assertThrows(OnnxException.class, () -> OnnxImporter.read(model(13, g).toByteArray())).getMessage();
    }

    @Test
    void anExpandToMoreElementsThanATensorHoldsIsRefused() {
        // [65536] x 4 is 2^64 elements: counted in a long it wrapped round to 0, so the model loaded and summed to 0.0.
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 1))
                .addInitializer(Models.longs("shape", new long[] {65536, 65536, 65536, 65536}, 4))
                .addNode(node("Expand", List.of("x", "shape"), List.of("big")))
                .addNode(node("ReduceSum", List.of("big"), List.of("y"), Models.intAttr("keepdims", 0)))
                .addOutput(value("y", 1));
        String m = refusal(g);
        assertTrue(m.startsWith("ONNX node 'expand_big' (Expand): expand: shape [65536, 65536, 65536, 65536] has more than 2147483639 elements"), m);
    }

    /** Shape values read from the file or fed at run time size what gets allocated: too many elements is a clear refusal, never an OOM. */
    @Test
    void shapeValuesThatAskForTooMuchAreRefused() {
        GraphProto.Builder fill = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 1))
                .addInitializer(Models.longs("shape", new long[] {100000, 100000, 100000}, 3))
                .addNode(node("ConstantOfShape", List.of("shape"), List.of("c")))
                .addNode(node("Add", List.of("x", "c"), List.of("y"))).addOutput(value("y", 1));
        assertEquals("ONNX node 'constantofshape_c' (ConstantOfShape): constant_of_shape: shape [100000, 100000, 100000] has more than "
                + "2147483639 elements, more than a tensor holds", refusal(fill));
        assertEquals("ONNX node 'range_r' (Range): range: 4.0E18 elements are more than a tensor holds", refusal(range(4_000_000_000_000_000_000L, 1)));
        assertEquals("ONNX node 'range_r' (Range): range: delta is 0", refusal(range(4, 0)));

        ExecContext ctx = new ExecContext(new Generator(0));
        Tensor x = Tensor.of(new float[] {1}, 1);
        GraphProto.Builder fedFill = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 1)).addInput(value("shape", 7, 3))
                .addNode(node("ConstantOfShape", List.of("shape"), List.of("c")))
                .addNode(node("Add", List.of("x", "c"), List.of("y"))).addOutput(value("y", 1));
        Graph filled = OnnxImporter.read(model(13, fedFill).toByteArray());
        assertEquals("constant_of_shape: shape [100000, 100000, 100000] has more than 2147483639 elements, more than a tensor holds",
                assertThrows(ShapeException.class, () -> Interpreter.run(filled, List.of(x, Tensor.of(new long[] {100000, 100000, 100000}, 3)), ctx)).getMessage());
        assertEquals("constant_of_shape: the shape element 0 is -3, not a dimension",
                assertThrows(ShapeException.class, () -> Interpreter.run(filled, List.of(x, Tensor.of(new long[] {-3, 2, 1}, 3)), ctx)).getMessage());
        GraphProto.Builder fedReshape = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3)).addInput(value("shape", 7, 2))
                .addNode(node("Reshape", List.of("x", "shape"), List.of("y"))).addOutput(value("y", 1, -1, -1));
        Graph reshaped = OnnxImporter.read(model(13, fedReshape).toByteArray());
        Tensor six = Tensor.of(new float[6], 2, 3);
        assertEquals("reshape: cannot reshape [2, 3] (6 elements) into [4, 2]",
                assertThrows(ShapeException.class, () -> Interpreter.run(reshaped, List.of(six, Tensor.of(new long[] {4, 2}, 2)), ctx)).getMessage());
        assertEquals(Shape.of(3, 2), Interpreter.run(reshaped, List.of(six, Tensor.of(new long[] {-1, 2}, 2)), ctx).get(0).shape());
    }

    private static GraphProto.Builder range(long limit, long delta) {
        return GraphProto.newBuilder().setName("g").addInput(value("x", 1, 1))
                .addInitializer(Models.longs("start", new long[] {0})).addInitializer(Models.longs("limit", new long[] {limit}))
                .addInitializer(Models.longs("delta", new long[] {delta}))
                .addNode(node("Range", List.of("start", "limit", "delta"), List.of("r")))
                .addNode(node("Cast", List.of("r"), List.of("rf"), Models.intAttr("to", 1)))
                .addNode(node("Add", List.of("x", "rf"), List.of("y"))).addOutput(value("y", 1));
    }

    @Test
    void aMessageQuotingAHugeAttributeStaysShort() {
        long[] perm = new long[1_000_000];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, 2, 3))
                .addNode(node("Transpose", List.of("x"), List.of("y"), Models.intsAttr("perm", perm))).addOutput(value("y", 1, 3, 2));
        String m = refusal(g);
        assertEquals("ONNX node 'transpose_y' (Transpose): transpose: perm [0, 1, 2, 3, 4, 5, 6, 7, 8, ..., 999999] (1000000 values)"
                + " is not a permutation of 2 axes", m);
    }

    @Test
    void aReshapeThatCopiesUnknownDimensionsRunsCompiled() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 4, 3))
                .addInitializer(Models.longs("shape", new long[] {0, 0, -1}, 3))
                .addNode(node("Reshape", List.of("x", "shape"), List.of("y"))).addOutput(value("y", 1, -1, 4, 3));
        Graph graph = OnnxImporter.read(model(13, g).toByteArray());
        assertEquals(Shape.of(-1, 4, 3), graph.outputs().get(0).type().shape(), "the unknown batch cancels: -1 is 3");
        Tensor x = Tensor.randn(new Generator(3), 2, 4, 3);
        ExecContext ctx = new ExecContext(new Generator(0));
        Tensor eager = Interpreter.run(graph, List.of(x), ctx).get(0);
        Tensor compiled = new Executable(graph, CompileOptions.defaults()).run(ctx, x).get(0);
        assertArrayEquals(x.toFloatArray(), eager.toFloatArray());
        assertArrayEquals(x.toFloatArray(), compiled.toFloatArray());
        // Keras-style predict sizes its result from the model's output shape: it once was [2, 4, ?].
        Tensor predicted = new Sequential(new Input(4, 3), new OnnxLayer(graph)).predict(x);
        assertEquals(x.shape(), predicted.shape());
        assertArrayEquals(x.toFloatArray(), predicted.toFloatArray());
    }

    @Test
    void anInitializerThatContradictsItsInputDeclarationIsRefused() {
        // Old models list initializers among the inputs; the two must describe the same tensor.
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3)).addInput(value("w", 1, 4, 3))
                .addInitializer(Models.floats("w", new float[6], 3, 2))
                .addNode(node("MatMul", List.of("x", "w"), List.of("y"))).addOutput(value("y", 1, -1, 2));
        assertEquals("initializer 'w' is float32[3, 2], but the graph input of that name declares float32[4, 3]", refusal(g));
        GraphProto.Builder dtype = GraphProto.newBuilder().setName("g").addInput(value("x", 1, -1, 3)).addInput(value("w", 11, 3, 2))
                .addInitializer(Models.floats("w", new float[6], 3, 2))
                .addNode(node("MatMul", List.of("x", "w"), List.of("y"))).addOutput(value("y", 1, -1, 2));
        assertEquals("initializer 'w' is float32[3, 2], but the graph input of that name declares float64[3, 2]", refusal(dtype));
    }

    /** Sparse files: no disk space taken, and a reader that touches only what it needs finishes at once. */
    @Test
    void filesOfGigabytesAreRefusedBySizeOrAtTheirFirstBadByte(@TempDir Path dir) throws IOException {
        Path huge = dir.resolve("huge.onnx"), junk = dir.resolve("junk.onnx");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write(model(13, GraphProto.newBuilder().setName("g")).toByteArray());
            f.setLength(3L << 30);
        }
        try (RandomAccessFile f = new RandomAccessFile(junk.toFile(), "rw")) {
            f.write("just some junk".getBytes(StandardCharsets.UTF_8));
            f.setLength(1_900_000_000L);   // once read whole before being refused: 14.6 s and 4 GB of memory
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            String m = assertThrows(OnnxException.class, () -> OnnxImporter.load(huge)).getMessage();
            assertEquals(huge + " has 3221225472 bytes; an ONNX file holds at most 2147483647 (protobuf's 2 GB):"
                    + " larger models keep their weights in external data files", m);
            m = assertThrows(OnnxException.class, () -> OnnxImporter.load(junk)).getMessage();
            assertTrue(m.startsWith(junk + ": not an ONNX model, or a truncated or corrupt one: "), m);
        });
    }
}
