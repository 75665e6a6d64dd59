package dev.janus.export;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's own node tests against the importer and the IR interpreter, compared as ONNX's backend
 * harness compares (rtol 1e-3, atol 1e-7): the whole v1.22.0 node suite (onnx-node, 1,765 tests);
 * the layer tests that ONNX's scripts generate (onnx-node-layers); and PyTorch's own opset-6 test
 * models that ONNX ships (onnx-pytorch). Every test passes or is refused cleanly (no crash), no
 * test that ran fails, and the pass counts may not fall. The tables of results are printed.
 */
class OnnxNodeTest {
    /** Node tests that pass today: the count may only grow (raise it when it does). */
    static final int NODE_PASSES = 1411;
    static final int PYTORCH_PASSES = 117;
    static final int NODE_PASSES_THAT_APPLY = NODE_PASSES;

    /** Layer tests that Janus does not support, with what the importer says. */
    static final Map<String, String> UNSUPPORTED = Map.of(
            "test_lstm_with_peepholes", "peephole weights (input P) are not supported",
            "test_maxpool_with_argmax_2d_precomputed_strides", "storage_order 1 (column-major Indices) is not supported");

    /** Layer tests whose expected values ONNX wrote to 4 decimals (ONNX Runtime is as far off), with the absolute tolerance that needs. */
    static final Map<String, Double> ROUNDED = Map.of("test_averagepool_2d_ceil_last_window_starts_on_pad", 1e-4);

    private static List<OnnxTestRunner.Result> node;

    static Path resource(String name) {
        try {
            return Path.of(OnnxNodeTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void runTheNodeSuite() {
        node = OnnxTestRunner.runAll(resource("onnx-node"));
    }

    @Test
    void theNodeSuitePassesAtLeastAsOftenAsBefore() {
        long passed = node.stream().filter(r -> r.status == OnnxTestRunner.Status.PASS).count();
        assertTrue(passed >= NODE_PASSES, () -> passed + " of " + node.size() + " node tests pass, fewer than " + NODE_PASSES + ":\n"
                + OnnxTestRunner.table(node));
    }

    /** The tests that apply (OnnxSupport.outOfScope): their count is fixed, their passes may only grow. */
    @Test
    void theTestsThatApplyPassAtLeastAsOftenAsBefore() {
        long applies = node.stream().filter(r -> r.outOfScope == null).count();
        long passed = node.stream().filter(r -> r.outOfScope == null && r.status == OnnxTestRunner.Status.PASS).count();
        assertEquals(1506, applies, "node tests that apply");
        assertTrue(passed >= NODE_PASSES_THAT_APPLY, passed + " of " + applies + " node tests that apply pass, fewer than " + NODE_PASSES_THAT_APPLY);
        assertEquals(0, node.stream().filter(r -> r.outOfScope != null && r.status == OnnxTestRunner.Status.PASS).count(),
                "a test out of scope passes: the rule is wrong");
    }

    @Test
    void noNodeTestCrashesOrFails() {
        String bad = node.stream().filter(r -> r.status == OnnxTestRunner.Status.ERROR || r.status == OnnxTestRunner.Status.FAIL)
                .map(r -> r.name + " " + r.status + ": " + r.detail).collect(Collectors.joining("\n"));
        assertEquals("", bad);
    }

    @Test
    void everyRefusalNamesItsOpOrCause() {
        for (OnnxTestRunner.Result r : node) {
            if (r.status != OnnxTestRunner.Status.UNSUPPORTED) continue;
            assertTrue(!r.detail.isBlank(), r.name);
            // A refusal never prints bytes of a name as numbers, as reading a sequence as a tensor once did.
            assertTrue(!r.detail.matches(".*\\[\\d{2,}(, \\d{2,}){3,}.*"), r.name + ": " + r.detail);
        }
    }

    @Test
    void everyFolderIsATestThatRuns() throws IOException {
        long folders;
        try (Stream<Path> s = Files.list(resource("onnx-node"))) {
            folders = s.filter(Files::isDirectory).count();
        }
        assertEquals(1765, folders);
        assertEquals(folders, node.size());
        try (Stream<Path> s = Files.list(resource("onnx-node-layers"))) {
            assertEquals(72, s.filter(Files::isDirectory).count());
        }
        for (String name : UNSUPPORTED.keySet()) assertTrue(Files.isDirectory(resource("onnx-node-layers/" + name)), name);
        for (String name : ROUNDED.keySet()) assertTrue(Files.isDirectory(resource("onnx-node-layers/" + name)), name);
    }

    @TestFactory
    Stream<DynamicTest> layerTests() {
        List<OnnxTestRunner.Result> results = new ArrayList<>();
        for (OnnxTestRunner.Result r : OnnxTestRunner.runAll(resource("onnx-node-layers"))) {
            results.add(ROUNDED.containsKey(r.name) ? OnnxTestRunner.run(resource("onnx-node-layers/" + r.name), OnnxTestRunner.RTOL, ROUNDED.get(r.name)) : r);
        }
        return results.stream().map(r -> DynamicTest.dynamicTest(r.name, () -> {
            if (!UNSUPPORTED.containsKey(r.name)) {
                if (r.status != OnnxTestRunner.Status.PASS) fail(r.name + " " + r.status + ": " + r.detail);
            } else {
                assertTrue(r.status == OnnxTestRunner.Status.UNSUPPORTED && r.detail.contains(UNSUPPORTED.get(r.name)), r.name + ": " + r.status + " " + r.detail);
            }
        }));
    }

    /** PyTorch's test models in ONNX's suite, most of opset 6: read through the opset-7 upgrade. */
    @Test
    void pytorchsOwnTestModels() {
        List<OnnxTestRunner.Result> results = new ArrayList<>(OnnxTestRunner.runAll(resource("onnx-pytorch/converted")));
        results.addAll(OnnxTestRunner.runAll(resource("onnx-pytorch/operator")));
        assertEquals(117, results.size());
        long passed = results.stream().filter(r -> r.status == OnnxTestRunner.Status.PASS).count();
        assertTrue(passed >= PYTORCH_PASSES, () -> passed + " of " + results.size() + " PyTorch test models pass, fewer than " + PYTORCH_PASSES
                + ":\n" + OnnxTestRunner.table(results));
        for (OnnxTestRunner.Result r : results) {
            assertTrue(r.status == OnnxTestRunner.Status.PASS || r.status == OnnxTestRunner.Status.UNSUPPORTED, r.name + " " + r.status + ": " + r.detail);
        }
    }
}
