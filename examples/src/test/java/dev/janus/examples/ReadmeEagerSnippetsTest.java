package dev.janus.examples;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.AdaptiveAvgPool2d;
import dev.janus.eager.nn.BatchNorm2d;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.ConvOptions;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.NNLSTM;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.RNNOptions;
import dev.janus.eager.nn.RNNOutput;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's blocks that use the eager nn layers (whose names clash with the Keras ones of ReadmeSnippetsTest). */
class ReadmeEagerSnippetsTest {
    @Test
    void eagerConvolutionalAndRecurrentLayersRun() {
        Tensor x = Tensor.randn(4, 5, 8);
        // README: eager-layers
        NNSequential cnn = new NNSequential(
                new Conv2d(1, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, new ConvOptions().padding("same").groups(2)), new ReLU(),
                new AdaptiveAvgPool2d(1), new NNFlatten(), new Linear(32, 10));
        NNLSTM lstm = new NNLSTM(8, 32, new RNNOptions().numLayers(2).batchFirst(true));
        RNNOutput r = lstm.forwardWithState(x);      // r.output() [N, T, 32], r.hN() and r.cN() [2, N, 32]
        // README: end
        assertEquals(Shape.of(4, 5, 32), r.output().shape());
        assertEquals(Shape.of(2, 4, 32), r.hN().shape());
        assertEquals(Shape.of(2, 10), cnn.forward(Tensor.randn(2, 1, 8, 8)).shape());
    }
}
