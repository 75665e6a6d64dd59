package dev.janus.layers;

import dev.janus.core.Tensor;
import dev.janus.core.data.Split;
import dev.janus.core.data.StandardScaler;

/** Iris for tests: core's copy, split 80/20 with a seed, standardised with the training split's statistics. */
final class Iris {
    final Tensor xTrain, yTrain, xTest, yTest;

    private Iris(Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest) {
        this.xTrain = xTrain;
        this.yTrain = yTrain;
        this.xTest = xTest;
        this.yTest = yTest;
    }

    static Iris load(long seed) {
        Split split = Split.trainTest(dev.janus.core.data.Iris.load(), 0.2, seed);
        StandardScaler scaler = new StandardScaler().fit(split.train().tensor(0));
        return new Iris(scaler.transform(split.train().tensor(0)), split.train().tensor(1),
                scaler.transform(split.test().tensor(0)), split.test().tensor(1));
    }
}
