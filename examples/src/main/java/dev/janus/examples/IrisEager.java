package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Adam;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Trains the iris MLP eagerly, the PyTorch way: 4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3,
 * Adam (lr 1e-3), batches of 16, 50 epochs, on {@link IrisData}. One seed
 * ({@code Generator.manualSeed}) fixes the initial weights, the shuffling and the dropout masks, so
 * a run repeats bit for bit.
 *
 * <p>Run: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.janus.examples.IrisEager [-Dexec.args="model.safetensors"]}
 */
public final class IrisEager {
    public static final long SEED = 0;

    /** What a run ends with. */
    public static final class Result {
        public final NNSequential model;
        /** The loss on the training data at the end (eval mode). */
        public final double finalLoss;
        public final double testAccuracy;

        Result(NNSequential model, double finalLoss, double testAccuracy) {
            this.model = model;
            this.finalLoss = finalLoss;
            this.testAccuracy = testAccuracy;
        }
    }

    private IrisEager() {
    }

    /** The model, its weights drawn from {@link Generator#global()} as PyTorch initialises them. */
    public static NNSequential model() {
        // README: iris-eager-model
        NNSequential model = new NNSequential(
                new Linear(4, 64), new ReLU(), new NNDropout(0.3),
                new Linear(64, 32), new ReLU(),
                new Linear(32, 3));
        // README: end
        return model;
    }

    public static Result train(long seed, int epochs, PrintStream log) {
        Generator.manualSeed(seed);   // weights, shuffling and dropout masks
        IrisData data = IrisData.load();
        Tensor xTrain = data.xTrain, yTrain = data.yTrain;
        NNSequential model = model();
        log.println(model);

        // README: iris-eager-train
        Adam opt = new Adam(model.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        DataLoader loader = new DataLoader(new TensorDataset(xTrain, yTrain), 16, true);   // shuffled anew each epoch

        for (int epoch = 0; epoch < epochs; epoch++) {
            model.train();
            for (Tensor[] batch : loader) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(batch[0]), batch[1]);
                loss.backward();
                opt.step();
            }
        }
        // README: end

        double finalLoss = loss(model, lossFn, data.train()), testAccuracy = accuracy(model, data.test());
        log.printf("loss on the training data %.4f, test accuracy %.4f%n", finalLoss, testAccuracy);
        return new Result(model, finalLoss, testAccuracy);
    }

    /** The loss over the whole dataset, in eval mode. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    static double loss(NNSequential model, CrossEntropyLoss lossFn, TensorDataset data) {
        model.eval();
        try (Grad.Scope ignored = Grad.noGrad()) {
            return lossFn.forward(model.forward(data.tensor(0)), data.tensor(1)).item();
        }
    }

    /** The share of examples whose largest logit is at their label, in eval mode. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public static double accuracy(NNSequential model, TensorDataset data) {
        model.eval();
        try (Grad.Scope ignored = Grad.noGrad()) {
            long[] predicted = model.forward(data.tensor(0)).argmax(1).toLongArray();
            long[] labels = data.tensor(1).toLongArray();
            int right = 0;
            for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) right++;
            return (double) right / labels.length;
        }
    }

    public static void main(String[] args) {
        Result r = train(SEED, 50, System.out);
        if (args.length > 0) {
            SafeTensors.save(Path.of(args[0]), r.model.stateDict());
            System.out.println("saved the weights to " + args[0]);
        }
    }
}
