package dev.janus.eager.nn;

import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.core.Tensor;

/**
 * A multi-layer long short-term memory network, as {@code nn.LSTM}: gates i, f, g, o (PyTorch's
 * order), c' = f c + i g, h' = o tanh(c'), PyTorch's parameter names, layouts and initialisation.
 * {@link #forward} gives the output sequence; {@link #forwardWithState} also the final h and c.
 *
 * <pre>{@code
 * NNLSTM lstm = new NNLSTM(8, 32, new RNNOptions().batchFirst(true));
 * RNNOutput r = lstm.forwardWithState(x);          // x [N, T, 8]
 * Tensor last = r.hN();                             // [1, N, 32]
 * }</pre>
 */
public final class NNLSTM extends RNNBase {
    /** ONNX's gates i, o, f, c taken from PyTorch's i, f, g, o. */
    private static final int[] ONNX_FROM_TORCH = dev.janus.core.ops.Functions.LSTM_ONNX_FROM_IFCO;

    public NNLSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, new RNNOptions());
    }

    public NNLSTM(int inputSize, int hiddenSize, int numLayers) {
        this(inputSize, hiddenSize, new RNNOptions().numLayers(numLayers));
    }

    public NNLSTM(int inputSize, int hiddenSize, RNNOptions options) {
        super(Ops.LSTM, 4, ONNX_FROM_TORCH, inputSize, hiddenSize, options);
    }

    /** Output and final states from zero initial states. */
    public RNNOutput forwardWithState(Tensor input) {
        return run(input, null, null);
    }

    /** From initial states h0 and c0, each [num_layers D, N, H] (both, or both null for zeros). */
    public RNNOutput forwardWithState(Tensor input, Tensor h0, Tensor c0) {
        if ((h0 == null) != (c0 == null)) throw new dev.janus.core.JanusException(this + ": give both h_0 and c_0, or neither");
        return run(input, h0, c0);
    }

    @Override
    Attrs attrs() {
        return Attrs.of("hidden_size", hiddenSize, "direction", directions == 2 ? "bidirectional" : "forward");
    }

    @Override
    int states() {
        return 2;
    }
}
