package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Optimizer;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.NNLoss;
import dev.janus.eager.nn.NNModule;
import dev.janus.tensorboard.TrainingRuns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The PyTorch training loop (zero the gradients, forward, loss, backward, step, batch after batch),
 * with the bookkeeping Keras's fit does: per epoch the mean training loss and accuracy (of the
 * training-mode outputs, as the steps saw them), then the validation loss and accuracy in eval mode.
 * Accuracy is kept when the targets are class labels (int64) and the outputs [N, classes].
 */
public final class EagerTrainer {
    /** Told each epoch's logs as they are done: "loss", "accuracy", "val_loss", "val_accuracy". */
    public interface EpochListener {
        void onEpochEnd(int epoch, Map<String, Double> logs);
    }

    private final NNModule model;
    private final NNLoss loss;
    private final EagerOptimizer optimizer;

    public EagerTrainer(NNModule model, NNLoss loss, Optimizer rule) {
        this.model = model;
        this.loss = loss;
        this.optimizer = new EagerOptimizer(rule, model.parameters());
    }

    public EagerOptimizer optimizer() {
        return optimizer;
    }

    /**
     * Trains for {@code epochs} epochs of shuffled batches drawn with {@code generator} (dropout
     * draws from {@link Generator#global()}); {@code validation}, {@code clock} and {@code listener}
     * may be null. Returns each log's values per epoch.
     */
    public Map<String, List<Double>> fit(TensorDataset train, TensorDataset validation, int epochs, int batchSize, Generator generator,
                                         StepClock clock, EpochListener listener) {
        boolean classes = isClassification(train);
        DataLoader loader = new DataLoader(train, batchSize, true, false, generator);
        Map<String, List<Double>> history = new LinkedHashMap<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            model.train();
            double lossSum = 0, right = 0;
            int steps = 0;
            if (clock != null) clock.begin();
            for (Tensor[] batch : loader) {
                optimizer.zeroGrad();
                Tensor out = model.forward(batch[0]);
                Tensor l = loss.forward(out, batch[1]);
                l.backward();
                optimizer.step();
                lossSum += l.item() * batch[0].dim(0);
                if (classes) right += correct(out, batch[1]);
                steps++;
                if (clock != null) clock.mark();
            }
            if (clock != null) clock.close(steps);
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / train.size());
            if (classes) logs.put("accuracy", right / train.size());
            if (validation != null) {
                for (Map.Entry<String, Double> e : evaluate(validation).entrySet()) logs.put("val_" + e.getKey(), e.getValue());
            }
            logs.forEach((k, v) -> history.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            if (listener != null) listener.onEpochEnd(epoch, logs);
        }
        return history;
    }

    /**
     * Logs this training for TensorBoard as Keras's callback does ({@link TrainingRuns}): the
     * model's graph now, traced in eval mode (which draws no random numbers, so the training that
     * follows is unchanged), then after each epoch of {@code fit(train, ..., batchSize, ...)} its
     * logs, the learning rate and a histogram of every parameter. Pass the listener to fit.
     */
    public EpochListener tensorBoard(TrainingRuns runs, TensorDataset train, int batchSize) {
        Tensor x = train.tensor(0);
        model.eval();
        runs.train().addGraph(model, Tensor.zeros(x.dtype(), x.shape().with(0, 1).dims()));
        int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
        return (epoch, logs) -> {
            runs.epoch(epoch, (long) (epoch + 1) * stepsPerEpoch, logs);
            runs.train().addScalar("epoch_learning_rate", optimizer.rule().lr(), epoch);
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) runs.train().addHistogram(p.getKey() + "/histogram", p.getValue(), epoch);
        };
    }

    /**
     * Keras's validation_split: the last {@code fraction} of the samples (before any shuffling) held
     * out; returns {training part, validation part or null when the fraction is 0}.
     */
    public static TensorDataset[] holdOut(TensorDataset data, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new JanusException("validation split must be in [0, 1), got " + fraction);
        int n = data.size(), at = (int) Math.floor(n * (1 - fraction));
        if (at == 0) throw new JanusException("validation split " + fraction + " of " + n + " samples leaves none to train on");
        if (at == n) return new TensorDataset[] {data, null};
        return new TensorDataset[] {data.subset(IntStream.range(0, at).toArray()), data.subset(IntStream.range(at, n).toArray())};
    }

    /** Loss (and accuracy) on the data, in eval mode, without recording gradients. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public Map<String, Double> evaluate(TensorDataset data) {
        Tensor out = predict(data.tensor(0));
        Map<String, Double> logs = new LinkedHashMap<>();
        try (Grad.Scope ignored = Grad.noGrad()) {
            logs.put("loss", loss.forward(out, data.tensor(1)).item());
        }
        if (isClassification(data)) logs.put("accuracy", (double) correct(out, data.tensor(1)) / data.size());
        return logs;
    }

    /** The model's outputs for x, in eval mode, without recording gradients. */
    public Tensor predict(Tensor x) {
        return predict(model, x);
    }

    /** Any module's outputs for x, in eval mode, without recording gradients. */
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    public static Tensor predict(NNModule model, Tensor x) {
        model.eval();
        try (Grad.Scope ignored = Grad.noGrad()) {
            return model.forward(x);
        }
    }

    private static boolean isClassification(TensorDataset data) {
        return data.fields() == 2 && data.tensor(1).dtype() == DType.INT64;
    }

    /** How many rows of {@code outputs} [N, classes] have their largest value at the label. */
    static int correct(Tensor outputs, Tensor labels) {
        int n = outputs.dim(0), k = outputs.dim(1), right = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (outputs.readDouble(i * k + j) > outputs.readDouble(i * k + best)) best = j;
            if (best == labels.readDouble(i)) right++;
        }
        return right;
    }
}
