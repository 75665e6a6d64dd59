package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime reads the process's command line recursively when it makes its environment: a JVM
 * started with a long class path (6,000 characters here; janus's own is 4,700 since the serving
 * jars) died of SIGSEGV loading a model from a thread with the default 1 MB stack. A child JVM
 * loads one that way.
 */
@Tag("reliability")
class LongCommandLineTest {
    /** The child: loads a one-node model into ONNX Runtime on its main thread and runs it. */
    public static void main(String[] args) {
        Graph g = new Graph("relu");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 1, 2));
        g.addOutput(g.apply1(Ops.RELU, Attrs.NONE, x));
        try (OnnxRuntimeModel m = OnnxRuntimeModel.load(OnnxExporter.toBytes(g, ExportOptions.defaults()))) {
            float[] y = m.run(Tensor.of(new float[] {-1, 2}, 1, 2)).get(0).toFloatArray();
            System.out.println("ran: " + y[0] + ", " + y[1]);
        }
    }

    @Test
    void aModelLoadsOnASmallStackWhateverTheCommandLinesLength() throws Exception {
        StringBuilder padding = new StringBuilder();
        for (int i = 0; padding.length() < 6_000; i++) padding.append(File.pathSeparator).append("/nonexistent/janus-padding-").append(i).append(".jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xss1m", "-Xmx256m", "-cp", System.getProperty("java.class.path") + padding,
                LongCommandLineTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child finished");
        assertEquals(0, child.exitValue(), "exit status (139: SIGSEGV); output:\n" + out);
        assertTrue(List.of(out.split("\n")).contains("ran: 0.0, 2.0"), out);
    }
}
