package dev.janus.core.data;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches of a dataset, like {@code torch.utils.data.DataLoader}: each pass ({@code for (Tensor[] b : loader)})
 * is one epoch. With shuffling, every epoch draws a fresh permutation from the generator, so a seeded
 * generator repeats the whole sequence of epochs. Without drop-last the last batch may be smaller.
 */
public final class DataLoader implements Iterable<Tensor[]> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle, dropLast;
    private final Generator generator;

    /** In order, keeping a smaller last batch. */
    public DataLoader(Dataset dataset, int batchSize) {
        this(dataset, batchSize, false, false, Generator.global());
    }

    /** Shuffled (when asked) with the global generator, as PyTorch's default does. */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle) {
        this(dataset, batchSize, shuffle, false, Generator.global());
    }

    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, Generator generator) {
        if (batchSize <= 0) throw new JanusException("DataLoader: batch size must be positive, got " + batchSize);
        if (dataset.size() == 0) throw new JanusException("DataLoader: the dataset is empty");
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.generator = generator;
    }

    /** Batches per epoch. */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    public Dataset dataset() {
        return dataset;
    }

    @Override
    public Iterator<Tensor[]> iterator() {
        int n = dataset.size();
        int[] order = shuffle ? generator.permutation(n) : identity(n);
        int batches = size();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Tensor[] next() {
                if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
                int from = next * batchSize, to = Math.min(n, from + batchSize);
                next++;
                return dataset.batch(Arrays.copyOfRange(order, from, to));
            }
        };
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    @Override
    public String toString() {
        return "DataLoader(batch_size=" + batchSize + ", shuffle=" + shuffle + ", drop_last=" + dropLast + ", "
                + size() + " batches of " + dataset.size() + " examples)";
    }
}
