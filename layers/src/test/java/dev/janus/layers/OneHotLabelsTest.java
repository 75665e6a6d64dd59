package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static dev.janus.core.testing.Close.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fit} with one-hot labels and categorical_crossentropy trains as the same labels given as
 * class indices with sparse_categorical_crossentropy (float64, so the two ways of computing the
 * loss agree to rounding): the same losses, accuracies and weights, eagerly and compiled.
 */
class OneHotLabelsTest {
    private static final int N = 40, CLASSES = 3;

    private static Sequential model(boolean eager, String loss) {
        Sequential m = new Sequential().generator(new Generator(13));
        m.add(new Input(DType.FLOAT64, 4));
        m.add(new Dense(8, "relu"));
        m.add(new Dense(CLASSES, "softmax"));
        m.runEagerly(eager);
        m.compile("adam", loss, List.of("accuracy"));
        return m;
    }

    @ParameterizedTest(name = "runEagerly {0}")
    @ValueSource(booleans = {false, true})
    void oneHotLabelsTrainAsClassIndices(boolean eager) {
        Tensor x = Tensor.normal(0, 1, DType.FLOAT64, new Generator(3), N, 4);
        long[] classes = new long[N];
        double[] oneHot = new double[N * CLASSES];
        for (int i = 0; i < N; i++) {
            // A learnable rule: the class is decided by the sign pattern of the first two features.
            classes[i] = (x.getDouble(i, 0) > 0 ? 1 : 0) + (x.getDouble(i, 1) > 0.5 ? 1 : 0);
            oneHot[i * CLASSES + (int) classes[i]] = 1;
        }
        Sequential sparse = model(eager, "sparse_categorical_crossentropy"), dense = model(eager, "categorical_crossentropy");
        Fit fit = new Fit().epochs(5).batchSize(8).verbose(0);
        History hs = sparse.fit(x, Tensor.of(classes), fit);
        History hd = dense.fit(x, Tensor.of(oneHot, N, CLASSES), fit);

        List<Double> ls = hs.get("loss"), ld = hd.get("loss");
        assertEquals(5, ls.size());
        for (int e = 0; e < ls.size(); e++) check(ls.get(e), ld.get(e), 1e-12, 1e-12, "loss of epoch " + e);
        assertEquals(5, hs.get("accuracy").size());
        assertEquals(hs.get("accuracy"), hd.get("accuracy"));
        assertTrue(ls.get(4) < ls.get(0), "it trains: " + ls);

        List<Tensor> ws = sparse.getWeights(), wd = dense.getWeights();
        for (int i = 0; i < ws.size(); i++) {
            double[] a = ws.get(i).toDoubleArray(), b = wd.get(i).toDoubleArray();
            for (int j = 0; j < a.length; j++) check(a[j], b[j], 1e-10, 1e-12, "weight " + i + " element " + j);
        }
        Map<String, Double> es = sparse.evaluate(x, Tensor.of(classes), 8, 0), ed = dense.evaluate(x, Tensor.of(oneHot, N, CLASSES), 8, 0);
        check(es.get("loss"), ed.get("loss"), 1e-12, 1e-12, "evaluate's loss");
        assertEquals(es.get("accuracy"), ed.get("accuracy"));
    }
}
