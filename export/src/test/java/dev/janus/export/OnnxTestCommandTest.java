package dev.janus.export;

import dev.janus.core.Tensor;
import dev.janus.export.proto.Onnx.GraphProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code onnx-test <folder>}: a table with the worst error per test, and an exit status. */
class OnnxTestCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return OnnxTestCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static void copyTest(String name, Path into) throws IOException {
        Path from = OnnxNodeTest.resource("onnx-node/" + name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = into.resolve(name).resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
    }

    /** A test folder in ONNX's layout whose model uses an op Janus lacks (DFT). */
    private static void writeUnsupportedTest(Path into) throws IOException {
        Path set = Files.createDirectories(into.resolve("test_dft_op").resolve("test_data_set_0"));
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(Models.value("x", 1, 1, 2))
                .addNode(Models.node("DFT", List.of("x"), List.of("y"))).addOutput(Models.value("y", 1, 1, 2));
        Files.write(set.getParent().resolve("model.onnx"), Models.model(13, g).toByteArray());
        Files.write(set.resolve("input_0.pb"), OnnxTensors.write(Tensor.ones(1, 2), "x").toByteArray());
        Files.write(set.resolve("output_0.pb"), OnnxTensors.write(Tensor.ones(1, 2), "y").toByteArray());
    }

    @Test
    void passingTestsExitZero(@TempDir Path dir) throws IOException {
        copyTest("test_relu", dir);
        copyTest("test_gemm_all_attributes", dir);
        assertEquals(0, run(dir.toString()));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.startsWith("compared as ONNX's backend harness compares, |actual - expected| <= atol + rtol |expected|:"
                + " rtol 0.00100, atol 1.00e-07 (2 tests)\ntest                      result         max |diff|  max rel diff  note\n"), table);
        assertTrue(table.contains("\ntest_gemm_all_attributes  pass   "), table);
        assertTrue(table.contains("\ntest_relu                 pass   "), table);
        assertTrue(table.endsWith("2 passed, 0 failed, 0 unsupported, 0 errors (100.0% of 2 pass)\n"), table);
    }

    @Test
    void unsupportedAndFailingTestsAreListedAndExitOne(@TempDir Path dir) throws IOException {
        copyTest("test_relu", dir);
        writeUnsupportedTest(dir);
        copyTest("test_exp", dir);
        assertEquals(1, run(dir.toString(), "--rtol", "0", "--atol", "0"));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("test_dft_op  unsupported                              op DFT: not in Janus's op set"), table);
        assertTrue(table.contains("unsupported, by cause (1 causes):\n     1  DFT: not in Janus's op set\n        test_dft_op\n"), table);
        assertTrue(table.matches("(?s).*test_exp +fail +[0-9.e-]+ +[0-9.e-]+ +test_data_set_0: output 0: element \\d+: expected .*"), table);
        assertTrue(table.endsWith("1 passed, 1 failed, 1 unsupported, 0 errors (33.3% of 3 pass)\n"), table);
    }

    @Test
    void aFoldersDataJsonSetsItsTolerances(@TempDir Path dir) throws IOException {
        copyTest("test_exp", dir);
        copyTest("test_relu", dir);
        Files.writeString(dir.resolve("test_exp/data.json"), "{\"rtol\": 0, \"atol\": 0.0}");
        assertEquals(1, run(dir.toString()));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.startsWith("compared as ONNX's backend harness compares, |actual - expected| <= atol + rtol |expected|:"
                + " rtol 0.00, atol 0.00 (1 tests); rtol 0.00100, atol 1.00e-07 (1 tests)\n"), table);
        assertTrue(table.matches("(?s).*test_exp +fail .*"), table);
        Files.writeString(dir.resolve("test_exp/data.json"), "{\"rtol\": \"loose\"}");
        out.reset();
        run(dir.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("test_exp   unsupported                              data.json: rtol is loose"),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void sequenceInputsAreReadAsWhatTheyAreAndRefused(@TempDir Path dir) throws IOException {
        copyTest("test_identity_sequence", dir);
        copyTest("test_optional_has_element_empty_optional_input", dir);
        assertEquals(1, run(dir.toString()));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("input 'x' is a sequence of float tensors (sequence_type); Janus takes tensors only"), table);
        assertTrue(table.contains("input 'optional_input' is an optional of int32 tensors (optional_type); Janus takes tensors only"), table);
    }

    @Test
    void oneTestFolderRunsToo() {
        assertEquals(0, run(OnnxNodeTest.resource("onnx-node/test_softmax_axis_1").toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("test_softmax_axis_1"));
    }

    @Test
    void usageAndMissingFolders(@TempDir Path dir) {
        assertEquals(2, run());
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: onnx-test <folder>"));
        assertEquals(2, run(dir.toString(), "--rtol"));
        assertEquals(2, run(dir.toString(), "--bogus"));
        assertEquals(1, run(dir.resolve("nothing").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("onnx-test: no ONNX tests in " + dir.resolve("nothing")));
    }
}
