package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.Iris;
import dev.janus.core.data.Split;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.Grad;
import dev.janus.eager.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Dropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.Sequential;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Trains the iris MLP eagerly, the PyTorch way: 4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3,
 * Adam (lr 1e-3), batches of 16, 50 epochs, features standardised with the training split's
 * statistics, an 80/20 split with seed 42. One seed ({@code Generator.manualSeed}) fixes the
 * initial weights, the shuffling and the dropout masks, so a run repeats bit for bit.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java [-Dexec.args="model.safetensors"]}
 */
public final class IrisEager {
    public static final long SEED = 0;

    /** What a run ends with. */
    public static final class Result {
        public final Sequential model;
        public final double finalLoss, testAccuracy;

        Result(Sequential model, double finalLoss, double testAccuracy) {
            this.model = model;
            this.finalLoss = finalLoss;
            this.testAccuracy = testAccuracy;
        }
    }

    private IrisEager() {
    }

    public static Sequential model() {
        return new Sequential(
                new Linear(4, 64), new ReLU(), new Dropout(0.3),
                new Linear(64, 32), new ReLU(),
                new Linear(32, 3));
    }

    public static Result train(long seed, int epochs, PrintStream log) {
        Generator.manualSeed(seed);
        Split split = Split.trainTest(Iris.load(), 0.2, 42);
        StandardScaler scaler = new StandardScaler().fit(split.train().tensor(0));
        TensorDataset train = new TensorDataset(scaler.transform(split.train().tensor(0)), split.train().tensor(1));
        TensorDataset test = new TensorDataset(scaler.transform(split.test().tensor(0)), split.test().tensor(1));

        Sequential model = model();
        log.println(model);
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        DataLoader loader = new DataLoader(train, 16, true);

        double epochLoss = Double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            double sum = 0;
            for (dev.janus.core.Tensor[] batch : loader) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(Tensor.from(batch[0])), Tensor.from(batch[1]));
                loss.backward();
                opt.step();
                sum += loss.item() * batch[1].numel();
            }
            epochLoss = sum / train.size();
            if (epoch % 10 == 0 || epoch == 1) {
                log.printf("epoch %2d  loss %.4f  test accuracy %.4f%n", epoch, epochLoss, accuracy(model, test));
            }
        }
        return new Result(model, epochLoss, accuracy(model, test));
    }

    /** The share of examples whose largest logit is at their label, in eval mode. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public static double accuracy(Sequential model, TensorDataset data) {
        model.eval();
        try (Grad.Scope ignored = Grad.noGrad()) {
            long[] predicted = model.forward(Tensor.from(data.tensor(0))).argmax(1).value().i64();
            long[] labels = data.tensor(1).i64();
            int right = 0;
            for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) right++;
            return (double) right / labels.length;
        }
    }

    public static void main(String[] args) {
        Result r = train(SEED, 50, System.out);
        System.out.printf("final: loss %.4f, test accuracy %.4f%n", r.finalLoss, r.testAccuracy);
        if (args.length > 0) {
            SafeTensors.save(Path.of(args[0]), r.model.stateDict());
            System.out.println("saved the weights to " + args[0]);
        }
    }
}
