package dev.janus.examples;

import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.Split;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;

/**
 * Iris as every example here uses it: an 80/20 split with seed 42 (120 training and 30 test
 * flowers), features standardised with the training part's statistics.
 */
public final class IrisData {
    public final Tensor xTrain, yTrain, xTest, yTest;
    /** The training part's statistics, and the test features before standardising (as a person measures them). */
    public final StandardScaler scaler;
    public final Tensor rawTest;

    private IrisData(Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest, StandardScaler scaler, Tensor rawTest) {
        this.xTrain = xTrain;
        this.yTrain = yTrain;
        this.xTest = xTest;
        this.yTest = yTest;
        this.scaler = scaler;
        this.rawTest = rawTest;
    }

    public static IrisData load() {
        // README: iris-data
        Split split = Split.trainTest(Iris.load(), 0.2, 42);
        StandardScaler scaler = new StandardScaler().fit(split.train().tensor(0));
        Tensor xTrain = scaler.transform(split.train().tensor(0)), yTrain = split.train().tensor(1);
        Tensor xTest = scaler.transform(split.test().tensor(0)), yTest = split.test().tensor(1);
        // README: end
        return new IrisData(xTrain, yTrain, xTest, yTest, scaler, split.test().tensor(0));
    }

    public TensorDataset train() {
        return new TensorDataset(xTrain, yTrain);
    }

    public TensorDataset test() {
        return new TensorDataset(xTest, yTest);
    }
}
