package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.optim.Adam;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.KerasTensor;
import dev.janus.layers.Model;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.merge.Concatenate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Functional model of two inputs and two outputs, trained, exported with its names, and run in ONNX Runtime. */
class FunctionalExportTest {
    @TempDir
    Path dir;

    @Test
    void twoNamedInputsAndOutputsRunInOnnxRuntimeAsInJanus() {
        Generator.manualSeed(5);
        Input a = new Input(4).named("features"), b = new Input(3).named("extra");
        Sequential trunk = new Sequential(new Input(12), new Dense(8, "relu"), new Dropout(0.2)).named("trunk");
        KerasTensor h = trunk.apply(new Concatenate().apply(new Dense(8, "tanh").apply(a), b, new Dense(1).apply(b)));
        Model m = new Model(List.of(a, b), List.of(new Dense(3, "softmax").named("label").apply(h), new Dense(2).named("score").apply(h)));
        m.compile(new Adam(0.01), List.of(Losses.get("sparse_categorical_crossentropy"), Losses.get("mse")), List.of(1.0, 0.3),
                List.of(List.of("accuracy"), List.of()));
        Generator g = new Generator(9);
        Tensor xa = Tensor.randn(g, 40, 4), xb = Tensor.randn(g, 40, 3), score = Tensor.randn(g, 40, 2);
        long[] labels = new long[40];
        for (int i = 0; i < 40; i++) labels[i] = i % 3;
        m.fit(List.of(xa, xb), List.of(Tensor.of(labels), score), new Fit().epochs(2).batchSize(8).verbose(0));

        Path file = ModelExport.toOnnx(m, dir.resolve("two_way.onnx"), ExportOptions.defaults());
        for (int batch : new int[] {1, 7}) {
            Tensor pa = Tensor.randn(new Generator(batch), batch, 4), pb = Tensor.randn(new Generator(batch + 50), batch, 3);
            List<Tensor> janus = m.predict(List.of(pa, pb), 32);
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(file)) {
                assertEquals(List.of("features", "extra"), List.copyOf(ort.inputs().keySet()));
                assertEquals(new TensorType(dev.janus.core.DType.FLOAT32, dev.janus.core.Shape.of(-1, 4)), ort.inputs().get("features"));
                Map<String, Tensor> out = ort.run(Map.of("features", pa, "extra", pb));
                assertEquals(List.of("label", "score"), List.copyOf(ort.outputs().keySet()));
                for (int k = 0; k < 2; k++) {
                    Tensor expected = janus.get(k), got = out.get(k == 0 ? "label" : "score");
                    assertEquals(expected.shape(), got.shape());
                    for (int i = 0; i < expected.numel(); i++) {
                        assertTrue(Math.abs(expected.readDouble(i) - got.readDouble(i)) <= 1e-5 * Math.max(1, Math.abs(expected.readDouble(i))),
                                "output " + k + " element " + i + ": Janus " + expected.readDouble(i) + ", ONNX Runtime " + got.readDouble(i));
                    }
                }
            }
        }
    }
}
