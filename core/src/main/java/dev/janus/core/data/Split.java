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
        int n = data.size(), nTest = testSize(n, testFraction);
        int[] order = order(n, testFraction, seed);
        return new Split(data.subset(Arrays.copyOfRange(order, nTest, n)), data.subset(Arrays.copyOfRange(order, 0, nTest)));
    }

    /** How many of {@code n} examples the test part takes: ceil(n * testFraction), leaving at least one for training. */
    public static int testSize(int n, double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new JanusException("trainTest: the test fraction must be between 0 and 1 (exclusive), got " + testFraction);
        }
        int nTest = (int) Math.ceil(n * testFraction);
        if (nTest >= n) throw new JanusException("trainTest: a test fraction of " + testFraction + " of " + n + " examples leaves none for training");
        return nTest;
    }

    /**
     * The shuffled order {@link #trainTest} takes examples in: the first {@link #testSize} are the
     * test part's, in order, the rest the training part's. A reader that streams a large file can
     * put each example straight into its part with it, never holding the whole set twice.
     */
    public static int[] order(int n, double testFraction, long seed) {
        testSize(n, testFraction);
        return new Generator(seed).permutation(n);
    }

    public TensorDataset train() {
        return train;
    }

    public TensorDataset test() {
        return test;
    }
}
