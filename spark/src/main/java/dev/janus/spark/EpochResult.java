package dev.janus.spark;

import java.io.Serializable;

/** What a worker reports after an epoch: its rows and stat sums, and (worker 0) the model's state. */
final class EpochResult implements Serializable {
    private static final long serialVersionUID = 1;
    final int worker;
    final long rows;
    final double[] sums;
    final byte[] state;

    EpochResult(int worker, long rows, double[] sums, byte[] state) {
        this.worker = worker;
        this.rows = rows;
        this.sums = sums;
        this.state = state;
    }
}
