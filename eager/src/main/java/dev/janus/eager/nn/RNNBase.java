package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.init.Initializers;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Op;
import dev.janus.core.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link NNLSTM} and {@link NNGRU} share, as PyTorch's {@code RNNBase}: the parameters under
 * PyTorch's names and layouts (weight_ih_l{k}[_reverse] [G H, in], weight_hh_l{k} [G H, H],
 * bias_ih_l{k} and bias_hh_l{k} [G H], gates in PyTorch's order), all initialised U(-1/sqrt(H),
 * 1/sqrt(H)), and a forward that runs one whole-sequence op of the core set (ONNX's LSTM or GRU)
 * per layer.
 *
 * <p>The op takes ONNX's layout: W [D, G H, in], R [D, G H, H], B [D, 2 G H] with the gates in
 * ONNX's order. Each forward gathers the PyTorch-shaped parameters into that layout (a gather per
 * weight, whose gradient scatters back), so the parameters, the state dict and the gradients stay
 * PyTorch's while the op, its gradient and its ONNX export stay one.
 */
public abstract class RNNBase extends NNModule {
    final int inputSize, hiddenSize, numLayers, gates, directions;
    final boolean batchFirst;
    final double dropout;
    private final Op op;
    /** Per layer: each direction's {weight_ih, weight_hh, bias_ih, bias_hh} (biases null without bias). */
    private final List<Tensor[][]> layers = new ArrayList<>();
    /** Row permutations from PyTorch's stacked gates to ONNX's, for 1, D and 2 D stacked blocks. */
    private final Tensor weightOrder, biasOrder;
    private final boolean bias;

    /**
     * @param onnxFromTorch for each gate in ONNX's order, its position in PyTorch's order
     */
    RNNBase(Op op, int gates, int[] onnxFromTorch, int inputSize, int hiddenSize, RNNOptions o) {
        String kind = kind();
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new JanusException(kind + ": input_size and hidden_size must be positive, got " + inputSize + " and " + hiddenSize);
        }
        if (o.numLayers <= 0) throw new JanusException(kind + ": num_layers must be positive, got " + o.numLayers);
        if (!(o.dropout >= 0 && o.dropout <= 1)) throw new JanusException(kind + ": dropout must be in [0, 1], got " + o.dropout);
        if (!o.dtype.isFloating()) throw new JanusException(kind + ": dtype must be float32 or float64, got " + o.dtype);
        this.op = op;
        this.gates = gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = o.numLayers;
        this.directions = o.bidirectional ? 2 : 1;
        this.batchFirst = o.batchFirst;
        this.dropout = o.dropout;
        this.bias = o.bias;
        int gh = gates * hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        Generator g = Generator.global();
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : directions * hiddenSize;
            Tensor[][] layer = new Tensor[directions][];
            for (int d = 0; d < directions; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                Shape[] shapes = {Shape.of(gh, in), Shape.of(gh, hiddenSize), Shape.of(gh), Shape.of(gh)};
                String[] names = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
                layer[d] = new Tensor[4];
                for (int k = 0; k < (bias ? 4 : 2); k++) {
                    layer[d][k] = registerParameter(names[k] + suffix,
                            Initializers.uniform(-bound, bound).create(shapes[k], null, o.dtype, g));
                }
            }
            layers.add(layer);
        }
        weightOrder = order(directions, onnxFromTorch, hiddenSize);
        biasOrder = order(2 * directions, onnxFromTorch, hiddenSize);
    }

    /** Rows of {@code blocks} stacked [G H] blocks, each reordered from PyTorch's gates to ONNX's. */
    private static Tensor order(int blocks, int[] onnxFromTorch, int h) {
        long[] rows = Functions.gateOrder(onnxFromTorch, h, blocks);
        return Tensor.of(rows, rows.length);
    }

    /** The attributes of this layer's op. */
    abstract Attrs attrs();

    /** The number of state tensors: 2 for an LSTM (h, c), 1 for a GRU. */
    abstract int states();

    /** The output sequence only (what {@code nn.Sequential} passes on); see {@link #run}. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null, null).output();
    }

    /** Runs every layer over the sequence from the given initial states (null: zeros). */
    RNNOutput run(Tensor input, Tensor h0, Tensor c0) {
        checkInput(input);
        int n = input.dim(batchFirst ? 0 : 1);
        Tensor[] initial = {h0, c0};
        for (int k = 0; k < states(); k++) {
            Tensor s = initial[k];
            if (s == null) continue;
            Shape want = Shape.of(numLayers * directions, n, hiddenSize);
            if (!s.shape().equals(want)) {
                throw new ShapeException(this + ": expected " + (k == 0 ? "h_0" : "c_0") + " " + want + " (num_layers * num_directions, batch, hidden_size), got "
                        + s.shape());
            }
            InputChecks.sameDType(this, s, layers.get(0)[0][0]);
        }
        Tensor x = batchFirst ? input.transpose(0, 1) : input;
        List<List<Tensor>> finals = new ArrayList<>();
        for (int k = 0; k < states(); k++) finals.add(new ArrayList<>());
        for (int l = 0; l < numLayers; l++) {
            List<Tensor> in = new ArrayList<>(List.of(x, stacked(l, 0, weightOrder), stacked(l, 1, weightOrder), biases(l, x.dtype())));
            for (int k = 0; k < states() && initial[0] != null; k++) in.add(initial[k].narrow(0, l * directions, directions));
            Tensor[] out = Tensor.applyAll(op, attrs(), in.toArray(new Tensor[0]));
            // Y [T, D, N, H] -> [T, N, D H], the next layer's input.
            x = out[0].transpose(1, 2).reshape(0, 0, directions * hiddenSize);
            if (l < numLayers - 1) x = F.dropout(x, dropout, isTraining());
            for (int k = 0; k < states(); k++) finals.get(k).add(out[1 + k]);
        }
        Tensor hN = Tensor.cat(0, finals.get(0).toArray(new Tensor[0]));
        Tensor cN = states() == 2 ? Tensor.cat(0, finals.get(1).toArray(new Tensor[0])) : null;
        return new RNNOutput(batchFirst ? x.transpose(0, 1) : x, hN, cN);
    }

    private void checkInput(Tensor input) {
        String layout = batchFirst ? "[N, T, " + inputSize + "] (batch, seq_len, input_size)" : "[T, N, " + inputSize + "] (seq_len, batch, input_size)";
        if (input.rank() != 3 || input.dim(2) != inputSize) throw InputChecks.wrong(this, layout, input);
        if (input.dim(batchFirst ? 1 : 0) == 0) throw InputChecks.wrong(this, layout + " with at least one step", input);
        InputChecks.sameDType(this, input, layers.get(0)[0][0]);
    }

    /** Parameter k (0: weight_ih, 1: weight_hh) of layer l, both directions, as the op's [D, G H, in]. */
    private Tensor stacked(int l, int k, Tensor order) {
        Tensor[][] layer = layers.get(l);
        Tensor[] parts = new Tensor[directions];
        for (int d = 0; d < directions; d++) parts[d] = layer[d][k];
        Tensor w = Tensor.cat(0, parts).indexSelect(0, order);
        return w.reshape(directions, gates * hiddenSize, w.dim(1));
    }

    /** The op's B [D, 2 G H]: each direction's input bias then recurrent bias, gates reordered; zeros without bias. */
    private Tensor biases(int l, DType dtype) {
        if (!bias) return Tensor.zeros(dtype, directions, 2 * gates * hiddenSize);
        Tensor[][] layer = layers.get(l);
        Tensor[] parts = new Tensor[2 * directions];
        for (int d = 0; d < directions; d++) {
            parts[2 * d] = layer[d][2];
            parts[2 * d + 1] = layer[d][3];
        }
        return Tensor.cat(0, parts).indexSelect(0, biasOrder).reshape(directions, 2 * gates * hiddenSize);
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder(inputSize + ", " + hiddenSize);
        if (numLayers != 1) s.append(", num_layers=").append(numLayers);
        if (!bias) s.append(", bias=False");
        if (batchFirst) s.append(", batch_first=True");
        if (dropout != 0) s.append(", dropout=").append(Repr.number(dropout));
        if (directions == 2) s.append(", bidirectional=True");
        return s.toString();
    }
}
