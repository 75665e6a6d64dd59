package dev.janus.benchmarks;

import dev.janus.core.Tensor;
import dev.janus.core.data.Iris;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 8 batches of 16 standardised iris flowers every iris benchmark goes round (rows
 * (37 (16 b + k) + 11) mod 150, as the PyTorch peer scripts take them), and how often training
 * starts again: every 400 steps, the length of the 50-epoch iris run.
 */
final class IrisBatches {
    static final int BATCHES = 8, SIZE = 16, RUN = 400;

    final Tensor[] x = new Tensor[BATCHES], y = new Tensor[BATCHES];

    IrisBatches() {
        TensorDataset raw = Iris.load();
        TensorDataset iris = new TensorDataset(new StandardScaler().fitTransform(raw.tensor(0)), raw.tensor(1));
        for (int b = 0; b < BATCHES; b++) {
            int[] rows = new int[SIZE];
            for (int i = 0; i < SIZE; i++) rows[i] = (37 * (SIZE * b + i) + 11) % 150;
            Tensor[] batch = iris.batch(rows);
            x[b] = batch[0];
            y[b] = batch[1];
        }
    }

    /** Batch b's labels one-hot, [16, 3] float, for the peers that take them so. */
    INDArray oneHot(int b) {
        return oneHot(y[b], 3);
    }

    static INDArray oneHot(Tensor labels, int classes) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, labels.dim(0), classes);
        for (int i = 0; i < labels.dim(0); i++) out.putScalar(i, (int) labels.readLong(i), 1f);
        return out;
    }
}
