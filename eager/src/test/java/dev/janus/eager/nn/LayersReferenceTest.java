package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.testing.Reference;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The eager layers against PyTorch's (resources/layers/make_reference.py), in float64 with the same
 * parameters: forward values, the gradient of every parameter, of the input and of the initial
 * states, and batch norm's running statistics after two training batches and its eval output.
 */
class LayersReferenceTest {
    private static final Reference REF = Reference.load("/layers/reference.txt");
    private static final DType F64 = DType.FLOAT64;
    private static final double TOL = 1e-10, SMALL = 1.0 / 64;

    /** The script's check(): parameters k = pattern(20 + k), objective sum_j sum(out_j * pattern(100 + j)). */
    private static void check(String name, NNModule m, Tensor x, double scale, Function<Tensor[], List<Tensor>> forward, Tensor... states) {
        int k = 0;
        for (Tensor p : m.parameters()) p.copyFrom(pattern(20 + k++, scale, F64, p.shape().dims()));
        if (x.dtype().isFloating()) x.requiresGrad(true);
        for (Tensor s : states) s.requiresGrad(true);
        Tensor[] in = new Tensor[1 + states.length];
        in[0] = x;
        System.arraycopy(states, 0, in, 1, states.length);
        List<Tensor> outs = forward.apply(in);
        Tensor objective = null;
        for (int j = 0; j < outs.size(); j++) {
            Tensor o = outs.get(j);
            assertClose(REF.get(name, "out" + j), o, TOL, TOL);
            Tensor term = o.mul(pattern(100 + j, F64, o.shape().dims())).sum();
            objective = objective == null ? term : objective.add(term);
        }
        objective.backward();
        if (x.dtype().isFloating()) assertClose(REF.get(name, "grad.input"), x.grad(), TOL, TOL);
        for (int s = 0; s < states.length; s++) assertClose(REF.get(name, "grad.state" + s), states[s].grad(), TOL, TOL);
        for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
            assertClose(REF.get(name, "grad." + p.getKey()), p.getValue().grad(), TOL, TOL);
        }
    }

    private static void check(String name, NNModule m, int... shape) {
        check(name, m, input(shape), 1.0 / 32, x -> List.of(m.forward(x[0])));
    }

    private static Tensor input(int... shape) {
        return pattern(1, F64, shape);
    }

    private static ConvOptions f64() {
        return new ConvOptions().dtype(F64);
    }

    @Test
    void convolution() {
        check("conv1d", new Conv1d(3, 4, 3, f64().stride(2).padding(1).dilation(2)), 2, 3, 9);
        check("conv2d_groups", new Conv2d(4, 6, new int[] {3, 2}, f64().stride(2, 1).padding(1, 0).dilation(1, 2).groups(2)), 2, 4, 7, 6);
        check("conv2d_same", new Conv2d(2, 3, new int[] {4, 3}, f64().padding("same").dilation(1, 2).bias(false)), 1, 2, 5, 6);
    }

    @Test
    void pooling() {
        check("max_pool", new MaxPool2d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, true), 2, 3, 7, 7);
        check("max_pool_dilated", new MaxPool2d(new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2}, false), 1, 2, 5, 5);
        check("avg_pool", new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true, false), 2, 2, 6, 6);
        check("avg_pool_default", new AvgPool2d(2), 1, 2, 5, 4);
        check("adaptive_1", new AdaptiveAvgPool2d(1), 2, 3, 5, 4);
        check("adaptive_3x2", new AdaptiveAvgPool2d(3, 2), 1, 2, 7, 5);
        check("adaptive_2", new AdaptiveAvgPool2d(2), 1, 2, 6, 4);
    }

    /** The script's batch_norm(): a training step with gradients, a second training batch, then eval. */
    private static void batchNorm(String name, BatchNormNd bn, int... shape) {
        check(name, bn, shape);
        bn.forward(pattern(2, F64, shape));
        assertClose(REF.get(name, "running_mean"), bn.runningMean, TOL, TOL);
        assertClose(REF.get(name, "running_var"), bn.runningVar, TOL, TOL);
        assertEquals(2L, bn.numBatchesTracked.i64()[0]);
        bn.eval();
        assertClose(REF.get(name, "eval"), bn.forward(pattern(3, F64, shape)), TOL, TOL);
    }

    @Test
    void normalisation() {
        batchNorm("batch_norm2d", new BatchNorm2d(3, 1e-5, 0.1, true, true, F64), 4, 3, 3, 2);
        batchNorm("batch_norm1d_cumulative", new BatchNorm1d(5, 1e-5, null, true, true, F64), 6, 5);
        batchNorm("batch_norm1d_sequence", new BatchNorm1d(3, 1e-3, 0.3, false, true, F64), 4, 3, 5);
        check("layer_norm", new LayerNorm(new int[] {3, 4}, 1e-5, true, true, F64), 2, 3, 4);
        check("layer_norm_plain", new LayerNorm(new int[] {4}, 1e-5, false, true, F64), 2, 5, 4);
    }

    @Test
    void embeddingKeepsThePaddingRowOutOfTheGradient() {
        NNEmbedding e = new NNEmbedding(7, 3, 2, F64);
        check("embedding", e, Tensor.of(new long[] {1, 2, 0, 6, 2, 5, 1, 1}, 2, 4), 1.0 / 32, x -> List.of(e.forward(x[0])));
        for (int j = 0; j < 3; j++) assertEquals(0.0, e.weight.grad().getDouble(2, j));
    }

    private static RNNOptions rnn() {
        return new RNNOptions().dtype(F64);
    }

    private static List<Tensor> all(RNNOutput r) {
        List<Tensor> out = new ArrayList<>(List.of(r.output(), r.hN()));
        if (r.cN() != null) out.add(r.cN());
        return out;
    }

    @Test
    void recurrent() {
        NNLSTM deep = new NNLSTM(3, 4, rnn().numLayers(2).bidirectional(true).batchFirst(true));
        check("lstm_deep", deep, input(2, 5, 3), SMALL, x -> all(deep.forwardWithState(x[0], x[1], x[2])),
                pattern(2, F64, 4, 2, 4), pattern(3, F64, 4, 2, 4));
        NNLSTM lstm = new NNLSTM(3, 5, rnn());
        check("lstm", lstm, input(4, 2, 3), SMALL, x -> all(lstm.forwardWithState(x[0])));
        NNGRU gru = new NNGRU(3, 4, rnn().numLayers(2).bidirectional(true));
        check("gru_deep", gru, input(5, 2, 3), SMALL, x -> all(gru.forwardWithState(x[0], x[1])), pattern(2, F64, 4, 2, 4));
        NNGRU plain = new NNGRU(2, 3, rnn().batchFirst(true).bias(false));
        check("gru_plain", plain, input(2, 4, 2), SMALL, x -> all(plain.forwardWithState(x[0])));
    }
}
