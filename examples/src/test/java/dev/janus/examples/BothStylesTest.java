package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.AdaptiveAvgPool2d;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.NNLSTM;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.RNNOptions;
import dev.janus.eager.nn.ReLU;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Weight;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same small CNN and the same small LSTM written both ways: a PyTorch-style module trained
 * eagerly and a Keras model trained compiled, from the same initial weights (the Keras model's,
 * drawn from one seed, copied into the module in PyTorch's layout), on the same batches in the same
 * order, with the same Adam. Every epoch's loss and every final weight agree within 1e-6 relative.
 */
class BothStylesTest {
    private static final double TOL = 1e-6;
    private static final int EPOCHS = 3, BATCH = 32, SAMPLES = 320;

    /** The first 320 training digits, as [N, 64] pixels and labels. */
    private static TensorDataset data() {
        TensorDataset train = DigitsData.load().train;
        int[] rows = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) rows[i] = i;
        return train.subset(rows);
    }

    /** Keras [kh, kw, in, out] as PyTorch [out, in, kh, kw]; a dense [in, out] as [out, in]. */
    private static Tensor torchLayout(Tensor keras) {
        Immediate now = Immediate.global();
        return keras.rank() == 4 ? now.transpose(keras, 3, 2, 0, 1) : keras.rank() == 2 ? now.transpose(keras, 1, 0) : keras;
    }

    /** Trains the module eagerly on the batches in order; returns each epoch's mean loss. */
    private static List<Double> trainEagerly(NNModule model, List<Tensor> trained, Tensor x, Tensor y) {
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), trained);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        List<Double> losses = new ArrayList<>();
        TensorDataset ds = new TensorDataset(x, y);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            double sum = 0;
            for (Tensor[] b : new DataLoader(ds, BATCH, false)) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(b[0]), b[1]);
                loss.backward();
                opt.step();
                sum += loss.item() * b[1].dim(0);
            }
            losses.add(sum / SAMPLES);
        }
        return losses;
    }

    private static History trainCompiled(dev.janus.layers.Sequential keras, Tensor x, Tensor y) {
        keras.compile(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), "sparse_categorical_crossentropy", List.of());
        return keras.fit(x, y, new Fit().epochs(EPOCHS).batchSize(BATCH).shuffle(false).verbose(0));
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);
    }

    private static void sameNumbers(List<Double> eager, History compiled, Map<String, Tensor> module,
                                    List<Weight> keras, List<String> names) {
        for (int e = 0; e < EPOCHS; e++) {
            double r = relative(eager.get(e), compiled.get("loss").get(e));
            assertTrue(r <= TOL, "loss of epoch " + e + ": eager " + eager.get(e) + ", compiled " + compiled.get("loss").get(e));
        }
        for (int i = 0; i < names.size(); i++) {
            Tensor k = torchLayout(keras.get(i).value()), m = module.get(names.get(i));
            for (int j = 0; j < k.numel(); j++) {
                double r = relative(m.readDouble(j), k.readDouble(j));
                assertTrue(r <= TOL, names.get(i) + " element " + j + ": eager " + m.readDouble(j) + ", compiled " + k.readDouble(j));
            }
        }
        assertTrue(eager.get(EPOCHS - 1) < eager.get(0), "it trains: " + eager);
    }

    @Test
    void aCnnGivesTheSameNumbersEagerAndCompiled() {
        TensorDataset d = data();
        Generator.manualSeed(21);
        dev.janus.layers.Sequential keras = new dev.janus.layers.Sequential(new Input(8, 8, 1),
                new Conv2D(8, 3, "relu").padding("same"), new MaxPooling2D(),
                new Conv2D(16, 3, "relu").padding("same"), new GlobalAveragePooling2D(), new Dense(10, "softmax"));
        NNSequential module = new NNSequential(new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1), new ReLU(), new AdaptiveAvgPool2d(1), new NNFlatten(), new Linear(16, 10));
        List<String> names = List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias");
        for (int i = 0; i < names.size(); i++) module.namedParameters().get(names.get(i)).copyFrom(torchLayout(keras.weights().get(i).value()));

        List<Double> eager = trainEagerly(module, module.parameters(), d.tensor(0).view(dev.janus.core.Shape.of(SAMPLES, 1, 8, 8)), d.tensor(1));
        History compiled = trainCompiled(keras, d.tensor(0).view(dev.janus.core.Shape.of(SAMPLES, 8, 8, 1)), d.tensor(1));
        sameNumbers(eager, compiled, module.namedParameters(), keras.weights(), names);
    }

    /** nn.LSTM's last hidden state into a linear layer, as Keras's LSTM(16) -> Dense(10). */
    private static final class LastState extends NNModule {
        final NNLSTM lstm = registerModule("lstm", new NNLSTM(8, 16, new RNNOptions().batchFirst(true)));
        final Linear fc = registerModule("fc", new Linear(16, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(lstm.forwardWithState(x).hN().reshape(-1, 16));
        }
    }

    @Test
    void anLstmGivesTheSameNumbersEagerAndCompiled() {
        TensorDataset d = data();
        Generator.manualSeed(22);
        dev.janus.layers.Sequential keras = new dev.janus.layers.Sequential(new Input(8, 8), new dev.janus.layers.recurrent.LSTM(16), new Dense(10, "softmax"));
        LastState module = new LastState();
        // Keras's gates i, f, c, o are PyTorch's i, f, g, o: the kernels transposed, Keras's one bias as bias_ih.
        Map<String, Tensor> p = module.namedParameters();
        List<String> names = List.of("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "fc.weight", "fc.bias");
        for (int i = 0; i < names.size(); i++) p.get(names.get(i)).copyFrom(torchLayout(keras.weights().get(i).value()));
        p.get("lstm.bias_hh_l0").copyFrom(Tensor.zeros(64));
        // Keras has one bias where PyTorch has two: bias_hh stays at zero (not trained).
        List<Tensor> trained = new ArrayList<>();
        for (String n : names) trained.add(p.get(n));

        Tensor rows = d.tensor(0).view(dev.janus.core.Shape.of(SAMPLES, 8, 8));
        List<Double> eager = trainEagerly(module, trained, rows, d.tensor(1));
        History compiled = trainCompiled(keras, rows, d.tensor(1));
        sameNumbers(eager, compiled, p, keras.weights(), names);
    }
}
