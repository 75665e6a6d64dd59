package dev.janus.core.data;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;

import java.util.Arrays;

/**
 * A dataset shuffled with a seed and cut into a training part and a test part, as scikit-learn's
 * {@code train_test_split}: the test part has ceil(n * testFraction) examples.
 */
public final class Split {
    private final TensorDataset train, test;

    private Split(TensorDataset train, TensorDataset test) {
        this.train = train;
        this.test = test;
    }

    public static Split trainTest(TensorDataset data, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new JanusException("trainTest: the test fraction must be between 0 and 1 (exclusive), got " + testFraction);
        }
        int n = data.size(), nTest = (int) Math.ceil(n * testFraction);
        if (nTest >= n) throw new JanusException("trainTest: a test fraction of " + testFraction + " of " + n + " examples leaves none for training");
        int[] order = new Generator(seed).permutation(n);
        return new Split(data.subset(Arrays.copyOfRange(order, nTest, n)), data.subset(Arrays.copyOfRange(order, 0, nTest)));
    }

    public TensorDataset train() {
        return train;
    }

    public TensorDataset test() {
        return test;
    }
}
