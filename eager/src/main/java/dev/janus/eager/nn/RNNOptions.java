package dev.janus.eager.nn;

import dev.janus.core.DType;

/**
 * The keyword arguments of {@link NNLSTM} and {@link NNGRU}, with PyTorch's defaults: one layer, biases,
 * sequence-first input [T, N, I], no dropout between layers, one direction, float32.
 *
 * <pre>{@code
 * new NNLSTM(8, 32, new RNNOptions().numLayers(2).batchFirst(true))
 * }</pre>
 */
public final class RNNOptions {
    int numLayers = 1;
    boolean bias = true, batchFirst, bidirectional;
    double dropout;
    DType dtype = DType.FLOAT32;

    public RNNOptions numLayers(int numLayers) {
        this.numLayers = numLayers;
        return this;
    }

    public RNNOptions bias(boolean bias) {
        this.bias = bias;
        return this;
    }

    /** Input and output [N, T, features] instead of [T, N, features]; the final states stay [layers, N, H]. */
    public RNNOptions batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return this;
    }

    /** Dropout on the outputs of every layer but the last, in training mode. */
    public RNNOptions dropout(double dropout) {
        this.dropout = dropout;
        return this;
    }

    public RNNOptions bidirectional(boolean bidirectional) {
        this.bidirectional = bidirectional;
        return this;
    }

    public RNNOptions dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }
}
