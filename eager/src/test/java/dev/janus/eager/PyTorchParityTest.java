package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The iris MLP trained for 100 Adam steps in float32 from fixed weights on a fixed batch sequence
 * (dropout off), against PyTorch doing the same (resources/parity/make_reference.py): every loss and
 * every final weight within 1e-5 relative (see {@link #relative} for weights near zero).
 */
class PyTorchParityTest {
    private static final double RTOL = 1e-5, FLOOR = 0.01;

    @Test
    void lossesAndFinalWeightsMatchPyTorch() throws IOException {
        List<Double> losses = new ArrayList<>();
        Map<String, double[]> weights = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/parity/reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (f[0].equals("loss")) losses.add(Double.parseDouble(f[2]));
                else weights.put(f[1], Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray());
            }
        }

        NNSequential model = new NNSequential(new Linear(4, 64), new ReLU(), new NNDropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
        model.eval();
        Linear[] linears = {(Linear) model.get(0), (Linear) model.get(3), (Linear) model.get(5)};
        for (int l = 0; l < 3; l++) {
            int out = linears[l].outFeatures(), in = linears[l].inFeatures();
            float[] w = new float[out * in], b = new float[out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) w[o * in + i] = (float) (0.5 * StrictMath.sin(0.37 * (o * in + i) + l) / Math.sqrt(in));
                b[o] = (float) (0.1 * StrictMath.cos(0.53 * o + l));
            }
            linears[l].weight.copyFrom(Tensor.of(w, out, in));
            linears[l].bias.copyFrom(Tensor.of(b));
        }

        TensorDataset iris = Iris.load();
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        double worst = 0;
        for (int t = 0; t < losses.size(); t++) {
            int[] rows = new int[16];
            for (int k = 0; k < 16; k++) rows[k] = (37 * (16 * t + k) + 11) % 150;
            Tensor[] batch = iris.batch(rows);
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(batch[0]), batch[1]);
            loss.backward();
            opt.step();
            worst = Math.max(worst, relative(loss.item(), losses.get(t)));
        }
        assertTrue(worst <= RTOL, "largest relative loss difference " + worst);

        assertEquals(weights.keySet(), model.namedParameters().keySet());
        double worstWeight = 0;
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            double[] expected = weights.get(p.getKey());
            float[] actual = p.getValue().toFloatArray();
            assertEquals(expected.length, actual.length, p.getKey());
            for (int i = 0; i < actual.length; i++) worstWeight = Math.max(worstWeight, relative(actual[i], expected[i]));
        }
        assertTrue(worstWeight <= RTOL, "largest relative weight difference " + worstWeight);
    }

    /**
     * Relative difference, measured against at least {@link #FLOOR}: a weight that ends near zero
     * still went through 100 float32 updates of values around 0.1 to 0.3, whose rounding (about
     * 1e-8 here) is not a relative error of the small result.
     */
    private static double relative(double actual, double expected) {
        return Math.abs(actual - expected) / Math.max(Math.abs(expected), FLOOR);
    }
}
