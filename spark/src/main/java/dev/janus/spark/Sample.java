package dev.janus.spark;

import java.io.Serializable;

/** One row of training data on its way to a worker: its place in the DataFrame, features and label. */
final class Sample implements Serializable {
    private static final long serialVersionUID = 1;
    final long index;
    final float[] x, y;

    Sample(long index, float[] x, float[] y) {
        this.index = index;
        this.x = x;
        this.y = y;
    }
}
