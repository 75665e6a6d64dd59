package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Grad;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Printing, initialisation, buffers and modes of the convolutional, normalisation and recurrent layers. */
class LayerBehaviourTest {
    @Test
    void printsAsPyTorchDoes() {
        NNSequential cnn = new NNSequential(new Conv2d(1, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new AdaptiveAvgPool2d(1), new NNFlatten(), new Linear(16, 10));
        assertEquals("Sequential(\n"
                + "  (0): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
                + "  (1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n"
                + "  (2): ReLU()\n"
                + "  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
                + "  (4): AdaptiveAvgPool2d(output_size=1)\n"
                + "  (5): Flatten(start_dim=1, end_dim=-1)\n"
                + "  (6): Linear(in_features=16, out_features=10, bias=True)\n"
                + ")", cnn.toString());
        assertEquals("Conv1d(2, 4, kernel_size=(5,), stride=(2,), padding=(1,), dilation=(3,), groups=2, bias=False)",
                new Conv1d(2, 4, 5, new ConvOptions().stride(2).padding(1).dilation(3).groups(2).bias(false)).toString());
        assertEquals("Conv2d(2, 4, kernel_size=(4, 3), stride=(1, 1), padding=same)",
                new Conv2d(2, 4, new int[] {4, 3}, new ConvOptions().padding("same")).toString());
        assertEquals("LSTM(8, 32, num_layers=2, batch_first=True, dropout=0.25, bidirectional=True)",
                new NNLSTM(8, 32, new RNNOptions().numLayers(2).batchFirst(true).dropout(0.25).bidirectional(true)).toString());
        assertEquals("GRU(8, 32, bias=False)", new NNGRU(8, 32, new RNNOptions().bias(false)).toString());
        assertEquals("Embedding(10, 3, padding_idx=0)", new NNEmbedding(10, 3, 0).toString());
        assertEquals("LayerNorm((64,), eps=1e-05, elementwise_affine=True, bias=True)", new LayerNorm(64).toString());
        assertEquals("LayerNorm((3, 4), eps=0.001, elementwise_affine=False, bias=False)",
                new LayerNorm(new int[] {3, 4}, 1e-3, false, true, DType.FLOAT32).toString());
        assertEquals("BatchNorm1d(5, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)",
                new BatchNorm1d(5, 1e-5, null, false, true).toString());
        assertEquals("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)",
                new MaxPool2d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, true).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=1, padding=1)", new AvgPool2d(3, 1, 1).toString());
        assertEquals("AdaptiveAvgPool2d(output_size=(3, 2))", new AdaptiveAvgPool2d(3, 2).toString());
    }

    private static void withinBound(Tensor t, double bound) {
        double sumSq = 0;
        for (float w : t.toFloatArray()) {
            assertTrue(Math.abs(w) <= bound, w + " outside +-" + bound);
            sumSq += w * w;
        }
        // U(-b, b) has variance b^2 / 3 (checked where there are enough draws).
        if (t.numel() >= 1000) assertEquals(bound * bound / 3, sumSq / t.numel(), 0.1 * bound * bound / 3);
    }

    @Test
    void initialisesAsPyTorch() {
        Generator.manualSeed(0);
        Conv2d conv = new Conv2d(8, 64, 3, new ConvOptions().groups(2));
        withinBound(conv.weight, 1 / Math.sqrt(4 * 9));
        withinBound(conv.bias, 1 / Math.sqrt(4 * 9));
        NNLSTM lstm = new NNLSTM(10, 25, new RNNOptions().numLayers(2).bidirectional(true));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"), List.copyOf(lstm.namedParameters().keySet()));
        assertArrayEquals(new int[] {100, 50}, lstm.namedParameters().get("weight_ih_l1").shape().dims());
        for (Tensor p : lstm.parameters()) withinBound(p, 1 / Math.sqrt(25));
        assertArrayEquals(new int[] {75, 25}, new NNGRU(3, 25).namedParameters().get("weight_hh_l0").shape().dims());

        NNEmbedding e = new NNEmbedding(200, 50, 3);
        double sum = 0, sumSq = 0;
        for (float v : e.weight.toFloatArray()) {
            sum += v;
            sumSq += v * v;
        }
        assertEquals(0, sum / 10000, 0.05);
        assertEquals(1, sumSq / 10000, 0.05);
        for (int j = 0; j < 50; j++) assertEquals(0.0, e.weight.getDouble(3, j));

        BatchNorm2d bn = new BatchNorm2d(3);
        assertArrayEquals(new float[] {1, 1, 1}, bn.weight.toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.bias.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar.toFloatArray());

        Generator.manualSeed(0);
        assertArrayEquals(conv.weight.toFloatArray(), new Conv2d(8, 64, 3, new ConvOptions().groups(2)).weight.toFloatArray(), "seeded");
    }

    @Test
    void batchNormBuffersAreStateButNotParameters() {
        NNSequential model = new NNSequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(model.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), List.copyOf(model.namedBuffers().keySet()));
        Map<String, Tensor> state = model.stateDict();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(state.keySet()));
        assertEquals(DType.INT64, state.get("1.num_batches_tracked").dtype());
        assertEquals(0, state.get("1.num_batches_tracked").rank());

        model.forward(Tensor.randn(4, 1, 5, 5));
        Map<String, Tensor> trained = model.stateDict();
        assertEquals(1L, trained.get("1.num_batches_tracked").i64()[0]);
        assertNotEquals(0f, trained.get("1.running_mean").toFloatArray()[0]);

        NNSequential fresh = new NNSequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        fresh.loadStateDict(trained);
        BatchNorm2d bn = (BatchNorm2d) fresh.get(1);
        assertArrayEquals(trained.get("1.running_var").toFloatArray(), bn.runningVar.toFloatArray());
        assertEquals(1L, bn.numBatchesTracked.i64()[0]);
        state.remove("1.running_var");
        ShapeException e = assertThrows(ShapeException.class, () -> fresh.loadStateDict(state));
        assertTrue(e.getMessage().contains("missing keys: 1.running_var"), e.getMessage());
    }

    @Test
    @SuppressWarnings("try") // the no-grad scope is only opened and closed
    void batchNormUsesBatchStatisticsInTrainingAndRunningOnesInEval() {
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = Tensor.of(new float[][] {{1, 10}, {3, 30}});
        // Batch mean (2, 20), biased variance (1, 100): y = +-1 / sqrt(var + eps).
        assertArrayEquals(new float[] {-1, -1, 1, 1}, bn.forward(x).toFloatArray(), 1e-4f);
        // running = 0.9 initial + 0.1 batch, with the unbiased variance (2, 200).
        assertArrayEquals(new float[] {0.2f, 2f}, bn.runningMean.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1.1f, 20.9f}, bn.runningVar.toFloatArray(), 1e-5f);
        try (Grad.Scope ignored = Grad.noGrad()) {
            bn.forward(x);
        }
        assertEquals(2L, bn.numBatchesTracked.i64()[0], "training mode updates the statistics under no_grad too, as PyTorch");
        bn.eval();
        float[] y = bn.forward(x).toFloatArray();
        assertEquals((1 - bn.runningMean.getDouble(0)) / Math.sqrt(bn.runningVar.getDouble(0) + 1e-5), y[0], 1e-5);
        assertEquals(2L, bn.numBatchesTracked.i64()[0], "eval leaves the statistics alone");

        BatchNorm1d untracked = new BatchNorm1d(2, 1e-5, 0.1, true, false);
        untracked.eval();
        assertArrayEquals(new float[] {-1, -1, 1, 1}, untracked.forward(x).toFloatArray(), 1e-4f, "no running statistics: batch statistics");
        assertEquals(List.of(), List.copyOf(untracked.namedBuffers().keySet()));
    }

    @Test
    void recurrentLayersRunManyLayersBatchFirstAndDropout() {
        Generator.manualSeed(2);
        NNLSTM lstm = new NNLSTM(3, 4, new RNNOptions().numLayers(3).batchFirst(true).bidirectional(true).dropout(0.5));
        Tensor x = Tensor.randn(2, 5, 3);
        RNNOutput r = lstm.forwardWithState(x);
        assertArrayEquals(new int[] {2, 5, 8}, r.output().shape().dims());
        assertArrayEquals(new int[] {6, 2, 4}, r.hN().shape().dims());
        assertArrayEquals(new int[] {6, 2, 4}, r.cN().shape().dims());
        // The last layer's final forward state is its output at the last step; the reverse one's at the first.
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(r.output().getDouble(n, 4, j), r.hN().getDouble(4, n, j));
                assertEquals(r.output().getDouble(n, 0, 4 + j), r.hN().getDouble(5, n, j));
            }
        }
        lstm.eval();
        float[] a = lstm.forward(x).toFloatArray(), b = lstm.forward(x).toFloatArray();
        assertArrayEquals(a, b, "no dropout in eval");
        lstm.train();
        assertTrue(!java.util.Arrays.equals(a, lstm.forward(x).toFloatArray()), "dropout between layers in training");

        NNGRU gru = new NNGRU(3, 4);
        RNNOutput g = gru.forwardWithState(Tensor.randn(6, 2, 3));
        assertEquals(null, g.cN());
        assertArrayEquals(new int[] {1, 2, 4}, g.hN().shape().dims());
    }
}
