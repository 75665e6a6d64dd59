package dev.janus.eager.nn;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.core.Tensor;

/**
 * A multi-layer gated recurrent unit network, as {@code nn.GRU}: gates r, z, n (PyTorch's order),
 * n = tanh(x W_in + b_in + r (h W_hn + b_hn)), h' = (1 - z) n + z h; that is ONNX's GRU with
 * linear_before_reset 1. PyTorch's parameter names, layouts and initialisation.
 * {@link #forward} gives the output sequence; {@link #forwardWithState} also the final h.
 */
public final class NNGRU extends RNNBase {
    /** ONNX's gates z, r, h taken from PyTorch's r, z, n. */
    private static final int[] ONNX_FROM_TORCH = dev.janus.core.ops.Functions.GRU_ONNX_FROM_RZN;

    public NNGRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, new RNNOptions());
    }

    public NNGRU(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, new RNNOptions().numLayers(numLayers));
    }

    public NNGRU(int inputSize, int hiddenSize, RNNOptions options) {
        super(Ops.GRU, 3, ONNX_FROM_TORCH, inputSize, hiddenSize, options);
    }

    /** Output and final state from a zero initial state; {@link RNNOutput#cN()} is null. */
    public RNNOutput forwardWithState(Tensor input) {
        return run(input, null, null);
    }

    /** From initial state h0 [num_layers D, N, H] (null: zeros). */
    public RNNOutput forwardWithState(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }

    @Override
    Attrs attrs() {
        return Attrs.of("hidden_size", hiddenSize, "direction", directions == 2 ? "bidirectional" : "forward", "linear_before_reset", 1);
    }

    @Override
    int states() {
        return 1;
    }
}
