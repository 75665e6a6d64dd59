package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ops.Immediate;
import dev.janus.eager.Tracer;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.IrListener;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.janus.core.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's code blocks that are not part of an example program, each run here; ReadmeTest
 * checks that every java block in README.md is one of the regions marked "README: name" in the
 * examples' sources (main or test), so the README shows only code that compiles and runs.
 */
class ReadmeSnippetsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** Runs {@code body} with System.out captured; returns what it printed. */
    private static String captured(Runnable body) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tensorsPrintAsPyTorchPrintsThem() {
        String printed = captured(() -> {
            // README: tensor
            Tensor x = Tensor.randn(new Generator(42), 2, 3);
            System.out.println(x);   // tensor([[...], [...]]), formatted as PyTorch prints
            // README: end
        });
        assertTrue(printed.startsWith("tensor([["), printed);
    }

    @Test
    void opsRunNowThroughImmediate() {
        Tensor x = Tensor.randn(new Generator(42), 2, 3);
        // README: immediate
        Immediate now = Immediate.global();
        Tensor y = now.matmul(x, Tensor.ones(3, 4), false, false);   // [2, 4]
        // README: end
        assertEquals(Shape.of(2, 4), y.shape());
        for (int i = 0; i < 2; i++) {
            double rowSum = x.getDouble(i, 0) + x.getDouble(i, 1) + x.getDouble(i, 2);
            for (int j = 0; j < 4; j++) assertEquals(rowSum, y.getDouble(i, j), 1e-6);
        }
    }

    @Test
    void theCompilerShowsItsIrAndBufferLayout() {
        Sequential model = IrisCompiled.train(0, 1, 0).model;
        String printed = captured(() -> {
            // README: compile-options
            model.compileOptions(CompileOptions.defaults().fusion(false).listener(IrListener.printingTo(System.out)));
            System.out.println(model.compiledTrainingStep().plan(List.of(Shape.of(16, 4), Shape.of(16))).layout());
            // README: end
        });
        assertTrue(printed.contains("shape-inference"), printed.substring(0, Math.min(2000, printed.length())));
        assertTrue(printed.contains("matmul"), "the IR names its ops");
    }

    @Test
    void bothStylesExportToOnnxAndRunInOnnxRuntime(@TempDir Path dir) {
        IrisData data = IrisData.load();
        Tensor xTest = data.xTest;
        dev.janus.eager.nn.Sequential model = IrisEager.train(0, 5, QUIET).model;
        Sequential kerasModel = IrisCompiled.train(0, 5, 0).model;
        Tensor janusProbabilities = kerasModel.predict(xTest), probabilities;
        // README: export
        model.eval();
        Graph graph = Tracer.trace(model, dev.janus.eager.Tensor.from(xTest));                  // the eager model as IR
        OnnxExporter.save(graph, dir.resolve("iris.onnx"), ExportOptions.defaults());           // opset 17
        OnnxExporter.save(kerasModel.compiledPredictor().graph(), dir.resolve("iris_keras.onnx"), ExportOptions.defaults());
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("iris_keras.onnx"))) {
            probabilities = ort.run(xTest).get(0);                                                // [30, 3]
        }
        // README: end
        assertClose(janusProbabilities, probabilities, 1e-5, 1e-6);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("iris.onnx"))) {
            assertClose(new EagerTrainer(model, new dev.janus.eager.nn.CrossEntropyLoss(), new dev.janus.core.optim.SGD(0.1)).predict(xTest),
                    ort.run(xTest).get(0), 1e-5, 1e-6);
        }
    }
}
