package dev.janus.examples;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.data.Digits;
import dev.janus.core.data.Split;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ops.Immediate;

/**
 * The digits as the examples use them: pixels scaled from 0..16 to [0, 1], an 80/20 train/test
 * split with seed 42. One image is 64 values row by row, so the same memory is an image
 * [1, 8, 8] channels first (PyTorch), [8, 8, 1] channels last (Keras) or a sequence of 8 rows of
 * 8 pixels.
 */
public final class DigitsData {
    public final TensorDataset train, test;

    private DigitsData(TensorDataset train, TensorDataset test) {
        this.train = train;
        this.test = test;
    }

    public static DigitsData load() {
        TensorDataset all = Digits.load();
        Tensor pixels = Immediate.global().mul(all.tensor(0), 1.0 / 16);
        Split split = Split.trainTest(new TensorDataset(pixels, all.tensor(1)), 0.2, 42);
        return new DigitsData(split.train(), split.test());
    }

    /** The samples of {@code data} as [N, *sample] (a view, no copy): {1, 8, 8}, {8, 8, 1} or {8, 8}. */
    public static Tensor shaped(TensorDataset data, int... sample) {
        Tensor x = data.tensor(0);
        return x.view(Shape.of(x.dim(0)).concat(Shape.of(sample)));
    }

    /** The share of predictions [N, classes] whose largest value is at the label. */
    public static double accuracy(Tensor scores, Tensor labels) {
        long[] y = labels.toLongArray();
        int classes = scores.dim(1), right = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (scores.readDouble(i * classes + c) > scores.readDouble(i * classes + best)) best = c;
            if (best == y[i]) right++;
        }
        return (double) right / y.length;
    }
}
