package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad input to the layers: each error names the layer as it prints, what it expected and what it got. */
class LayerChecksTest {
    private static String message(Executable e) {
        return assertThrows(ShapeException.class, e).getMessage();
    }

    @Test
    void convolutionNamesChannelsAndSizes() {
        Conv2d conv = new Conv2d(3, 8, 3);
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1)): expected input [N, 3, H, W], got [16, 1, 8, 8]",
                message(() -> conv.forward(Tensor.zeros(16, 1, 8, 8))));
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1)): expected input [N, 3, H, W] with H >= 3 and W >= 3, got [16, 3, 8, 2]",
                message(() -> conv.forward(Tensor.zeros(16, 3, 8, 2))));
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1)): expected input [N, 3, H, W], got [3, 8, 8]",
                message(() -> conv.forward(Tensor.zeros(3, 8, 8))));
        Conv1d c1 = new Conv1d(2, 4, 5, 1, 1);
        assertEquals("Conv1d(2, 4, kernel_size=(5,), stride=(1,), padding=(1,)): expected input [N, 2, L] with L >= 3, got [4, 2, 2]",
                message(() -> c1.forward(Tensor.zeros(4, 2, 2))));
        assertEquals("Conv1d(2, 4, kernel_size=(5,), stride=(1,), padding=(1,)): the input is float64 but the weights are float32",
                message(() -> c1.forward(Tensor.zeros(DType.FLOAT64, 4, 2, 9))));
        // "same" padding takes any size.
        assertArrayEquals(new int[] {1, 8, 1, 1}, new Conv2d(3, 8, 3, new ConvOptions().padding("same")).forward(Tensor.zeros(1, 3, 1, 1)).shape().dims());
    }

    @Test
    void convolutionSettingsAreChecked() {
        assertEquals("Conv2d: groups 2 must be positive and divide in_channels 3 and out_channels 8",
                assertThrows(JanusException.class, () -> new Conv2d(3, 8, 3, new ConvOptions().groups(2))).getMessage());
        assertEquals("Conv2d: padding \"same\" needs stride 1, got stride (2, 2)",
                assertThrows(JanusException.class, () -> new Conv2d(3, 8, 3, new ConvOptions().padding("same").stride(2))).getMessage());
        assertEquals("Conv2d: kernel_size needs 1 or 2 values, got (1, 2, 3)",
                assertThrows(JanusException.class, () -> new Conv2d(3, 8, new int[] {1, 2, 3}, new ConvOptions())).getMessage());
        assertEquals("ConvOptions: padding must be \"same\", \"valid\" or numbers, got \"full\"",
                assertThrows(JanusException.class, () -> new ConvOptions().padding("full")).getMessage());
        assertEquals("MaxPool2d: padding (2, 2) must be at most half of the dilated kernel (3, 3) (dilation (1, 1))",
                assertThrows(JanusException.class, () -> new MaxPool2d(3, 1, 2)).getMessage());
    }

    @Test
    void poolingNamesTheWindow() {
        assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): expected input [N, C, H, W] with H >= 2 and W >= 2,"
                + " got [1, 1, 1, 5]", message(() -> new MaxPool2d(2).forward(Tensor.zeros(1, 1, 1, 5))));
        assertEquals("AvgPool2d(kernel_size=3, stride=1, padding=1): expected input [N, C, H, W], got [4, 9]",
                message(() -> new AvgPool2d(3, 1, 1).forward(Tensor.zeros(4, 9))));
        assertEquals("AdaptiveAvgPool2d(output_size=(3, 2)): expected input [N, C, H, W] with H >= 3 and W >= 2, got [1, 1, 2, 2]",
                message(() -> new AdaptiveAvgPool2d(3, 2).forward(Tensor.zeros(1, 1, 2, 2))));
    }

    @Test
    void batchNormRefusesWrongChannelsAndChangesNothing() {
        BatchNorm2d bn = new BatchNorm2d(3);
        assertEquals("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True): expected input [N, 3, H, W],"
                + " got [4, 2, 5, 5]", message(() -> bn.forward(Tensor.zeros(4, 2, 5, 5))));
        BatchNorm1d b1 = new BatchNorm1d(4);
        assertEquals("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True): expected input [N, 4] or"
                + " [N, 4, L], got [2, 4, 3, 3]", message(() -> b1.forward(Tensor.zeros(2, 4, 3, 3))));
        assertEquals("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True): expected more than 1 value"
                + " per channel when training, got input [1, 4]", message(() -> b1.forward(Tensor.ones(1, 4))));
        assertEquals(0L, b1.numBatchesTracked.i64()[0]);
        assertArrayEquals(new float[4], b1.runningMean.toFloatArray());
        b1.eval();
        assertArrayEquals(new float[] {1, 1, 1, 1}, b1.forward(Tensor.ones(1, 4)).toFloatArray(), 1e-5f, "eval takes a single sample");
    }

    @Test
    void recurrentLayersNameTheSequenceLayout() {
        NNLSTM lstm = new NNLSTM(8, 16);
        assertEquals("LSTM(8, 16): expected input [T, N, 8] (seq_len, batch, input_size), got [16, 8]",
                message(() -> lstm.forward(Tensor.zeros(16, 8))));
        NNGRU gru = new NNGRU(8, 16, new RNNOptions().batchFirst(true).numLayers(2));
        assertEquals("GRU(8, 16, num_layers=2, batch_first=True): expected input [N, T, 8] (batch, seq_len, input_size), got [4, 8, 7]",
                message(() -> gru.forward(Tensor.zeros(4, 8, 7))));
        assertEquals("GRU(8, 16, num_layers=2, batch_first=True): expected h_0 [2, 4, 16] (num_layers * num_directions, batch, hidden_size),"
                + " got [1, 4, 16]", message(() -> gru.forwardWithState(Tensor.zeros(4, 5, 8), Tensor.zeros(1, 4, 16))));
        assertEquals("LSTM(8, 16): give both h_0 and c_0, or neither",
                assertThrows(JanusException.class, () -> lstm.forwardWithState(Tensor.zeros(3, 2, 8), Tensor.zeros(1, 2, 16), null)).getMessage());
    }

    @Test
    void lookupAndLayerNorm() {
        NNEmbedding e = new NNEmbedding(10, 3);
        assertEquals("Embedding(10, 3): expected int64 indices, got float32[2, 4]", message(() -> e.forward(Tensor.zeros(2, 4))));
        assertEquals("Embedding(10, 3): index 10 at position 1 of input [3] is outside [0, 10)",
                message(() -> e.forward(Tensor.of(new long[] {0, 10, 2}, 3))));
        LayerNorm ln = new LayerNorm(3, 4);
        assertEquals("LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=True): expected input [*, 3, 4], got [2, 4, 3]",
                message(() -> ln.forward(Tensor.zeros(2, 4, 3))));
    }
}
