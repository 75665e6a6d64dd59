package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Iris for tests: read from the shared data folder, split 80/20 with a seeded permutation and
 * standardised with the training set's mean and deviation.
 */
final class Iris {
    final Tensor xTrain, yTrain, xTest, yTest;

    private Iris(Tensor xTrain, Tensor yTrain, Tensor xTest, Tensor yTest) {
        this.xTrain = xTrain;
        this.yTrain = yTrain;
        this.xTest = xTest;
        this.yTest = yTest;
    }

    static Iris load(long seed) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/work/shared/data/iris.csv"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = lines.size() - 1;
        float[][] x = new float[n][4];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",");
            for (int j = 0; j < 4; j++) x[i][j] = Float.parseFloat(f[j]);
            y[i] = Long.parseLong(f[4].trim());
        }
        int[] perm = new Generator(seed).permutation(n);
        int nTest = n / 5, nTrain = n - nTest;
        float[] xtr = new float[nTrain * 4], xte = new float[nTest * 4];
        long[] ytr = new long[nTrain], yte = new long[nTest];
        for (int i = 0; i < n; i++) {
            int r = perm[i];
            if (i < nTrain) {
                System.arraycopy(x[r], 0, xtr, i * 4, 4);
                ytr[i] = y[r];
            } else {
                System.arraycopy(x[r], 0, xte, (i - nTrain) * 4, 4);
                yte[i - nTrain] = y[r];
            }
        }
        for (int j = 0; j < 4; j++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < nTrain; i++) mean += xtr[i * 4 + j];
            mean /= nTrain;
            for (int i = 0; i < nTrain; i++) sq += (xtr[i * 4 + j] - mean) * (xtr[i * 4 + j] - mean);
            double std = Math.sqrt(sq / nTrain);
            for (int i = 0; i < nTrain; i++) xtr[i * 4 + j] = (float) ((xtr[i * 4 + j] - mean) / std);
            for (int i = 0; i < nTest; i++) xte[i * 4 + j] = (float) ((xte[i * 4 + j] - mean) / std);
        }
        return new Iris(Tensor.of(xtr, nTrain, 4), Tensor.of(ytr), Tensor.of(xte, nTest, 4), Tensor.of(yte));
    }
}
