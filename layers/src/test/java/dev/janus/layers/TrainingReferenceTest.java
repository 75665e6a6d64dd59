package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.RMSprop;
import dev.janus.core.optim.SGD;
import dev.janus.core.testing.Close;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Compiled Keras-style training against PyTorch (resources/reference/make_training_reference.py):
 * three losses (sparse categorical cross entropy through the softmax's logits, binary cross entropy
 * through the sigmoid's, mean squared error), three optimizers, a last partial batch.
 */
class TrainingReferenceTest {
    private static final double TOL = 3e-6;

    private static Map<String, double[]> reference(String model) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                TrainingReferenceTest.class.getResourceAsStream("/reference/training_reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                if (f[0].equals(model)) m.put(f[1], Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray());
            }
        }
        return m;
    }

    static Tensor weights(int seed, int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, Shape.of(shape));
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, 0.5 * Math.sin(seed * 1.7 + i * 0.37));
        return t;
    }

    private static Tensor table(int rows, int cols, BiFunction<Integer, Integer, Double> f) {
        Tensor t = Tensor.empty(DType.FLOAT32, Shape.of(rows, cols));
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t.setDouble(r * cols + c, f.apply(r, c));
        return t;
    }

    private static void check(String name, Sequential model, Optimizer opt, String loss, Tensor x, Tensor y, int batch, int epochs)
            throws IOException {
        Map<String, double[]> ref = reference(name);
        int in = x.dim(1);
        Dense hidden = (Dense) model.layers().get(0), out = (Dense) model.layers().get(1);
        model.setWeights(List.of(weights(1, in, hidden.units()), weights(2, hidden.units()),
                weights(3, hidden.units(), out.units()), weights(4, out.units())));
        model.compile(opt, loss, List.of());
        History h = model.fit(x, y, new Fit().epochs(epochs).batchSize(batch).shuffle(false).verbose(0));
        for (int e = 0; e < epochs; e++) Close.check(ref.get("losses")[e], h.get("loss").get(e), TOL, TOL, name + " loss of epoch " + e);
        for (Weight w : model.weights()) Close.assertClose(ref.get(w.name()), w.value(), TOL, TOL);
    }

    @Test
    void softmaxCrossEntropyWithAdam() throws IOException {
        Sequential model = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3, "softmax"));
        long[] y = new long[12];
        for (int r = 0; r < 12; r++) y[r] = r % 3;
        check("softmax_adam", model, new Adam(0.01), "sparse_categorical_crossentropy",
                table(12, 4, (r, c) -> Math.cos(0.9 * r + 1.3 * c)), Tensor.of(y), 4, 3);
    }

    @Test
    void binaryCrossEntropyWithSgdMomentumAndAPartialBatch() throws IOException {
        Sequential model = new Sequential(new Input(3), new Dense(5, "tanh"), new Dense(1, "sigmoid"));
        float[] y = new float[12];
        for (int r = 0; r < 12; r++) y[r] = r % 2;
        check("sigmoid_sgd", model, new SGD(0.1, 0.9), "binary_crossentropy",
                table(12, 3, (r, c) -> Math.sin(0.7 * r - 0.4 * c)), Tensor.of(y), 5, 2);
    }

    @Test
    void meanSquaredErrorWithRmsprop() throws IOException {
        Sequential model = new Sequential(new Input(2), new Dense(4, "elu"), new Dense(2));
        check("mse_rmsprop", model, new RMSprop(0.01), "mse",
                table(12, 2, (r, c) -> Math.cos(0.5 * r + c)),
                table(12, 2, (r, c) -> c == 0 ? Math.sin(0.3 * r) : Math.cos(0.2 * r)), 6, 2);
    }
}
