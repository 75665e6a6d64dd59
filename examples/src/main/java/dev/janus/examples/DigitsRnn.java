package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNLSTM;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.RNNOptions;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.core.Dense;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * An LSTM reading each 8x8 digit row by row (8 steps of 8 pixels) and classifying it from its last
 * hidden state: LSTM(8 -> 32) -> dense 10; Adam (lr 3e-3), batches of 32, cross entropy; trained
 * both ways and exported to ONNX (an LSTM node), where ONNX Runtime is compared with Janus.
 * 20 epochs reach about 0.97 test accuracy either way.
 *
 * <p>Run: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.janus.examples.DigitsRnn}
 */
public final class DigitsRnn {
    public static final long SEED = 0;
    public static final int EPOCHS = 30, BATCH = 32, HIDDEN = 32;
    public static final double LR = 5e-3;

    private DigitsRnn() {
    }

    /** The PyTorch-style model: rows [N, 8, 8] batch first, the last hidden state to the classes. */
    public static final class RowReader extends NNModule {
        public final NNLSTM lstm = registerModule("lstm", new NNLSTM(8, HIDDEN, new RNNOptions().batchFirst(true)));
        public final Linear fc = registerModule("fc", new Linear(HIDDEN, 10));

        @Override
        public Tensor forward(Tensor rows) {
            return fc.forward(lstm.forwardWithState(rows).hN().reshape(-1, HIDDEN));
        }
    }

    public static dev.janus.layers.Sequential kerasModel() {
        return new dev.janus.layers.Sequential(new Input(8, 8), new dev.janus.layers.recurrent.LSTM(HIDDEN), new Dense(10, "softmax"));
    }

    public static DigitsCnn.Result<RowReader> trainEager(long seed, int epochs, PrintStream log) {
        Generator.manualSeed(seed);
        DigitsData data = DigitsData.load();
        TensorDataset train = new TensorDataset(DigitsData.shaped(data.train, 8, 8), data.train.tensor(1));
        RowReader model = new RowReader();
        log.println(model);
        // Shuffled with the global generator, as DataLoader's default: the same batches as a hand loop.
        List<Double> losses = new EagerTrainer(model, new CrossEntropyLoss(), new Adam(LR))
                .fit(train, null, epochs, BATCH, Generator.global(), null,
                        (epoch, logs) -> log.printf("epoch %2d  loss %.4f%n", epoch + 1, logs.get("loss")))
                .get("loss");
        double epochLoss = losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
        double accuracy = DigitsData.accuracy(EagerTrainer.predict(model, DigitsData.shaped(data.test, 8, 8)), data.test.tensor(1));
        return new DigitsCnn.Result<>(model, accuracy, epochLoss);
    }

    public static DigitsCnn.Result<dev.janus.layers.Sequential> trainCompiled(long seed, int epochs, PrintStream log) {
        Generator.manualSeed(seed);
        DigitsData data = DigitsData.load();
        dev.janus.layers.Sequential model = kerasModel();
        model.output(log);
        model.compile(new dev.janus.core.optim.Adam(LR, 0.9, 0.999, 1e-7, 0), "sparse_categorical_crossentropy", List.of("accuracy"));
        model.summary();
        var history = model.fit(DigitsData.shaped(data.train, 8, 8), data.train.tensor(1), new Fit().epochs(epochs).batchSize(BATCH).verbose(2));
        double accuracy = DigitsData.accuracy(model.predict(DigitsData.shaped(data.test, 8, 8)), data.test.tensor(1));
        List<Double> losses = history.get("loss");
        return new DigitsCnn.Result<>(model, accuracy, losses.get(losses.size() - 1));
    }

    public static void main(String[] args) {
        DigitsData data = DigitsData.load();
        Tensor rows = DigitsData.shaped(data.test, 8, 8);
        DigitsCnn.Result<RowReader> eager = trainEager(SEED, EPOCHS, System.out);
        double eagerOrt = DigitsCnn.onnxRuntimeError(DigitsCnn.traced(eager.model, rows), rows, EagerTrainer.predict(eager.model, rows),
                Path.of("digits_rnn_eager.onnx"));
        DigitsCnn.Result<dev.janus.layers.Sequential> compiled = trainCompiled(SEED, EPOCHS, System.out);
        double compiledOrt = DigitsCnn.onnxRuntimeError(compiled.model.inferenceGraph(), rows, compiled.model.predict(rows),
                Path.of("digits_rnn_keras.onnx"));
        System.out.printf("eager (PyTorch style): test accuracy %.4f; ONNX Runtime vs Janus, largest difference %.2e of the largest output"
                + " (digits_rnn_eager.onnx)%n", eager.testAccuracy, eagerOrt);
        System.out.printf("compiled (Keras style): test accuracy %.4f; ONNX Runtime vs Janus, largest difference %.2e of the largest output"
                + " (digits_rnn_keras.onnx)%n", compiled.testAccuracy, compiledOrt);
    }
}
