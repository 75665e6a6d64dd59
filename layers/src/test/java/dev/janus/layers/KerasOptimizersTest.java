package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adagrad;
import dev.janus.core.optim.Adamax;
import dev.janus.core.optim.NAdam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.testing.Close;
import dev.janus.core.testing.OptimizerSteps;
import dev.janus.core.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras's Nadam, Adamax and Adagrad by name, with Keras's defaults and update rules, against Keras 3
 * itself after every one of five steps (resources/reference/make_keras_optimizers.py, Keras on its
 * torch backend), in float64 and float32; and through fit, compiled and eagerly alike.
 */
class KerasOptimizersTest {
    private static final Reference KERAS = Reference.load("/reference/keras_optimizers.txt");
    private static final Map<String, Supplier<Optimizer>> CONFIGS = Map.of(
            "nadam", () -> Optimizers.get("nadam"),
            "nadam_lr", () -> new NAdam(0.05, 0.8, 0.99, 1e-6, 0, 1),
            "adamax", () -> Optimizers.get("Adamax"),
            "adamax_lr", () -> new Adamax(0.05, 0.8, 0.99, 1e-6, 0, true),
            "adagrad", () -> Optimizers.get("ADAGRAD"),
            "adagrad_lr", () -> new Adagrad(0.05, 0, 0, 0.5, 1e-6, true));

    @ParameterizedTest
    @ValueSource(strings = {"nadam", "nadam_lr", "adamax", "adamax_lr", "adagrad", "adagrad_lr"})
    void stepByStepAsKeras(String config) {
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            List<Tensor> steps = OptimizerSteps.run(CONFIGS.get(config).get(), dt, 5);
            for (int t = 1; t <= 5; t++) {
                Tensor p = steps.get(t - 1);
                Tensor expected = KERAS.get(config + "/" + dt.toString().toLowerCase(), "step" + t);
                // The step moves a parameter by about lr; the tolerance is far below that.
                double tol = dt == DType.FLOAT64 ? 1e-13 : 3e-7;
                for (int i = 0; i < 6; i++) {
                    Close.check(expected.readDouble(i), p.readDouble(i), 0, tol, config + " " + dt + " step " + t + " element " + i);
                }
            }
        }
    }

    @Test
    void kerasDefaults() {
        assertEquals("nadam(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-7, weight_decay=0.0, momentum_decay=1.0)",
                Optimizers.get("Nadam").toString());
        assertEquals("adamax(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-7, weight_decay=0.0, eps_after_max=1.0)",
                Optimizers.get("adamax").toString());
        assertEquals("adagrad(lr=0.001, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.1, eps=1.0E-7, eps_inside_sqrt=1.0)",
                Optimizers.get("adagrad").toString());
        JanusException bad = assertThrows(JanusException.class, () -> Optimizers.get("adadelta"));
        assertTrue(bad.getMessage().contains("nadam, adamax, adagrad"), bad.getMessage());
        assertThrows(JanusException.class, () -> new Adagrad(0.1, 0, 0, -0.1, 1e-7, true));
        assertThrows(JanusException.class, () -> new NAdam(0.1, 1.0, 0.999, 1e-7, 0, 1));
    }

    /** Both front ends, from the same seed: the same losses and weights, bit for bit; saved and loaded by name. */
    @ParameterizedTest
    @ValueSource(strings = {"nadam", "adamax", "adagrad"})
    void fitsCompiledAndEagerlyAlikeAndSaves(String name) throws Exception {
        Iris data = Iris.load(42);
        List<List<Tensor>> weights = new ArrayList<>();
        List<History> histories = new ArrayList<>();
        for (boolean eager : new boolean[] {false, true}) {
            Generator.manualSeed(7);
            Sequential m = SequentialTest.iris().runEagerly(eager);
            m.compile(name, "sparse_categorical_crossentropy", List.of("accuracy"));
            histories.add(m.fit(data.xTrain, data.yTrain, new Fit().epochs(4).batchSize(16).verbose(0)));
            weights.add(m.getWeights());
            java.nio.file.Path file = java.nio.file.Files.createTempFile("keras-opt", ".janus");
            try {
                m.save(file);
                Sequential back = Sequential.load(file);
                assertEquals(m.optimizer().toString(), back.optimizer().toString());
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        assertEquals(histories.get(0).get("loss"), histories.get(1).get("loss"));
        for (int i = 0; i < weights.get(0).size(); i++) Close.assertClose(weights.get(0).get(i), weights.get(1).get(i), 0, 0);
        assertTrue(histories.get(0).get("loss").get(3) < histories.get(0).get("loss").get(0), name + " lowers the loss");
    }
}
