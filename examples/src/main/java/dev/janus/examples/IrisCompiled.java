package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Keras iris example, nearly line for line, compiled: 4 -> Dense(64, relu) -> Dropout(0.3) ->
 * Dense(32, relu) -> Dense(3, softmax), Adam, sparse categorical cross entropy, 50 epochs of
 * batches of 16 with the last 20% held out for validation, then evaluated on the test set
 * ({@link IrisData}). One seed ({@code Generator.manualSeed}, Keras's set_random_seed) fixes the
 * weights, the shuffling and the dropout masks, so a run repeats bit for bit.
 *
 * <p>Run: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.janus.examples.IrisCompiled
 * [-Dexec.args="model.janus"]}
 */
public final class IrisCompiled {
    public static final long SEED = 0;

    /** What a run ends with. */
    public static final class Result {
        public final Sequential model;
        public final History history;
        public final Map<String, Double> test;

        Result(Sequential model, History history, Map<String, Double> test) {
            this.model = model;
            this.history = history;
            this.test = test;
        }
    }

    private IrisCompiled() {
    }

    /** The model, built (its weights drawn from {@link Generator#global()}, glorot uniform as Keras does), not compiled. */
    public static Sequential model() {
        // README: iris-compiled-model
        Sequential model = new Sequential(
                new Input(4),
                new Dense(64, "relu"),
                new Dropout(0.3),
                new Dense(32, "relu"),
                new Dense(3, "softmax"));
        // README: end
        return model;
    }

    /** Trains and evaluates; verbose as Keras's (0 silent, 1 progress bars, 2 a line per epoch). */
    public static Result train(long seed, int epochs, int verbose) {
        Generator.manualSeed(seed);   // weights, shuffling and dropout masks
        IrisData data = IrisData.load();
        Tensor xTrain = data.xTrain, yTrain = data.yTrain, xTest = data.xTest, yTest = data.yTest;
        Sequential model = model();

        // README: iris-compiled-train
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        History history = model.fit(xTrain, yTrain, new Fit().epochs(epochs).batchSize(16).validationSplit(0.2).verbose(verbose));
        Map<String, Double> test = model.evaluate(xTest, yTest, 32, verbose);   // {loss=..., accuracy=...}
        // README: end
        return new Result(model, history, test);
    }

    public static void main(String[] args) {
        Result r = train(SEED, 50, 1);
        r.model.summary();
        System.out.printf("test loss %.4f, test accuracy %.4f%n", r.test.get("loss"), r.test.get("accuracy"));
        if (args.length > 0) {
            r.model.save(Path.of(args[0]));
            System.out.println("saved the model to " + args[0]);
        }
    }
}
