package dev.janus.layers;

import dev.janus.core.Generator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class IrisTest {
    @Test
    void theKerasExampleReachesTheAccuracy() {
        Iris data = Iris.load(42);
        Generator.manualSeed(42);
        Sequential model = new Sequential(
                new Input(4),
                new Dense(64, "relu"),
                new Dropout(0.3),
                new Dense(32, "relu"),
                new Dense(3, "softmax"));
        model.summary();
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        long t0 = System.nanoTime();
        History h = model.fit(data.xTrain, data.yTrain, new Fit().epochs(50).batchSize(16).validationSplit(0.2).verbose(2));
        System.out.println("fit took " + (System.nanoTime() - t0) / 1e6 + " ms");
        Map<String, Double> result = model.evaluate(data.xTest, data.yTest);
        System.out.println(result);
        assertTrue(result.get("accuracy") >= 0.93, result.toString());
    }
}
