package dev.janus.eager.nn;

import dev.janus.core.Tensor;

/**
 * What {@link NNLSTM} and {@link NNGRU} return, as PyTorch's {@code output, (h_n, c_n)}: the last
 * layer's hidden state at every step, [T, N, D H] ([N, T, D H] batch first), and every layer's
 * final states [layers D, N, H].
 */
public final class RNNOutput {
    private final Tensor output, hN, cN;

    RNNOutput(Tensor output, Tensor hN, Tensor cN) {
        this.output = output;
        this.hN = hN;
        this.cN = cN;
    }

    public Tensor output() {
        return output;
    }

    /** The final hidden state of each layer and direction, [layers D, N, H]. */
    public Tensor hN() {
        return hN;
    }

    /** The final cell state of an LSTM, [layers D, N, H]; null for a GRU. */
    public Tensor cN() {
        return cN;
    }
}
