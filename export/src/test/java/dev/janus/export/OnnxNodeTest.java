package dev.janus.export;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's own node tests against the importer and the IR interpreter, at rtol 1e-4 / atol 1e-5.
 * Every test runs; one whose op Janus lacks must fail with UnsupportedOpException for an op of the
 * convolution work still to come (listed below), and is printed, never skipped silently.
 */
class OnnxNodeTest {
    /** Ops the convolution and normalisation work adds to the op set; until then these tests are listed as unsupported. */
    static final Set<String> NOT_YET = Set.of("Conv", "MaxPool", "AveragePool", "BatchNormalization");

    static Path resource(String name) {
        try {
            return Path.of(OnnxNodeTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> nodeTests() {
        List<OnnxTestRunner.Result> results = OnnxTestRunner.runAll(resource("onnx-node"), 1e-4, 1e-5);
        System.out.print(OnnxTestRunner.table(results));
        return results.stream().map(r -> DynamicTest.dynamicTest(r.name, () -> check(r)));
    }

    private static void check(OnnxTestRunner.Result r) {
        switch (r.status) {
            case PASS:
                return;
            case UNSUPPORTED:
                assertTrue(NOT_YET.stream().anyMatch(op -> r.detail.equals("op " + op + " is not supported")),
                        r.name + " is unsupported for an op not expected to be missing: " + r.detail);
                return;
            default:
                fail(r.name + " " + r.status + ": " + r.detail);
        }
    }

    @Test
    void everyFolderIsATestThatRuns() throws IOException {
        long folders;
        try (Stream<Path> s = Files.list(resource("onnx-node"))) {
            folders = s.filter(Files::isDirectory).count();
        }
        assertEquals(58, folders);
        assertEquals(folders, OnnxTestRunner.runAll(resource("onnx-node"), 1e-4, 1e-5).size());
    }
}
