package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.SGD;
import dev.janus.eager.nn.NNModule;
import dev.janus.export.ExportOptions;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxLayer;
import dev.janus.export.OnnxModule;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.IrListener;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.recurrent.GRU;
import dev.janus.layers.recurrent.LSTM;
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
    static String captured(Runnable body) {
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
        dev.janus.eager.nn.NNSequential model = IrisEager.train(0, 5, QUIET).model;
        Sequential kerasModel = IrisCompiled.train(0, 5, 0).model;
        Tensor janusProbabilities = kerasModel.predict(xTest), probabilities;
        // README: export
        ModelExport.toOnnx(model, xTest, dir.resolve("iris_eager.onnx"), ExportOptions.defaults());   // traced, in eval mode
        ModelExport.toOnnx(kerasModel, dir.resolve("iris_keras.onnx"), ExportOptions.defaults());
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("iris_keras.onnx"))) {
            probabilities = ort.run(xTest).get(0);                                                    // [30, 3]
        }
        // README: end
        assertClose(janusProbabilities, probabilities, 1e-5, 1e-6);
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("iris_eager.onnx"))) {
            assertClose(new EagerTrainer(model, new dev.janus.eager.nn.CrossEntropyLoss(), new SGD(0.1)).predict(xTest),
                    ort.run(xTest).get(0), 1e-5, 1e-6);
        }
    }

    @Test
    void modelsGoOutToOnnxAndComeBackIn(@TempDir Path dir) {
        IrisData data = IrisData.load();
        Tensor x = data.xTrain, y = data.yTrain;
        NNModule module = IrisEager.train(0, 5, QUIET).model;
        Sequential sequential = IrisCompiled.train(0, 5, 0).model;
        Tensor expected = sequential.predict(x);
        String printed = captured(() -> {
            // README: model-export
            // Out of either front end: input "input", output "output", a dynamic batch; opset 17, IR 8.
            ModelExport.toOnnx(module, Tensor.zeros(1, 4), dir.resolve("eager.onnx"), ExportOptions.defaults());    // an eager nn Module
            ModelExport.toOnnx(sequential, dir.resolve("keras.onnx"), ExportOptions.defaults());                 // a Keras-style Sequential
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("keras.onnx"))) {
                Tensor probabilities = ort.run(x).get(0);
            }
            // Back in, to run or fine-tune: as a Keras-style layer, or as an eager Module.
            Sequential tuned = new Sequential(new Input(4), OnnxLayer.load(dir.resolve("eager.onnx")));
            tuned.compile(new Adam(1e-3), Losses.sparseCategoricalCrossentropy(true), List.of("accuracy"));
            tuned.fit(x, y, new Fit().epochs(5));
            OnnxModule net = OnnxModule.load(dir.resolve("keras.onnx"));   // parameters "dense/kernel", ...; backward() reaches them
            // README: end
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(dir.resolve("keras.onnx"))) {
                assertClose(expected, ort.run(x).get(0), 1e-5, 1e-6);
            }
            assertTrue(net.namedParameters().containsKey("dense/kernel"), net.namedParameters().keySet().toString());
            assertTrue(tuned.evaluate(x, y, 32, 0).get("accuracy") > 0.8);
        });
        assertTrue(printed.contains("Epoch 5/5"), printed);
    }

    @Test
    void kerasConvolutionalAndRecurrentModelsBuild() {
        // README: keras-layers
        Sequential model = new Sequential(new Input(8, 8, 1),           // (height, width, channels)
                new Conv2D(16, 3, "relu").padding("same"), new BatchNormalization(), new MaxPooling2D(),
                new Conv2D(32, 3, "relu").padding("same"), new GlobalAveragePooling2D(),
                new Dense(10, "softmax"));
        Sequential rnn = new Sequential(new Input(8, 8),                 // (timesteps, features)
                new LSTM(32).returnSequences(true), new GRU(16), new Dense(10, "softmax"));
        // README: end
        Tensor images = Tensor.randn(new Generator(1), 3, 8, 8, 1), sequences = Tensor.randn(new Generator(2), 3, 8, 8);
        assertEquals(Shape.of(3, 10), model.predict(images).shape());
        assertEquals(Shape.of(3, 10), rnn.predict(sequences).shape());
    }
}
