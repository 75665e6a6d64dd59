package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.eager.nn.AdaptiveAvgPool2d;
import dev.janus.eager.nn.AvgPool2d;
import dev.janus.eager.nn.BatchNorm1d;
import dev.janus.eager.nn.BatchNorm2d;
import dev.janus.eager.nn.Conv1d;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.ConvOptions;
import dev.janus.eager.nn.LayerNorm;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.NNEmbedding;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.NNGRU;
import dev.janus.eager.nn.NNLSTM;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.NNSequential;
import dev.janus.eager.nn.RNNOptions;
import dev.janus.eager.nn.ReLU;
import dev.janus.layers.Fit;
import dev.janus.layers.Input;
import dev.janus.layers.conv.AveragePooling2D;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.normalization.LayerNormalization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every new layer exported to ONNX, both ways, and run in ONNX Runtime at two batch sizes: the
 * eager modules traced (channels first; batch norm with its running averages after some training),
 * the Keras models through their prediction graph (channels-last input, as the user feeds it).
 */
class LayersExportTest {
    private static final double TOL = 1e-5;

    private static void agrees(Graph g, Tensor x, Tensor expected) {
        double err = DigitsCnn.onnxRuntimeError(g, x, expected, null);
        assertTrue(err <= TOL, g.name() + ": ONNX Runtime differs by " + err + " of the largest output");
    }

    @Test
    void tracedEagerModels() {
        Generator.manualSeed(31);
        NNSequential cnn = new NNSequential(new Conv2d(2, 6, 3, new ConvOptions().padding("same").groups(2)), new BatchNorm2d(6), new ReLU(),
                new MaxPool2d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, true), new Conv2d(6, 8, 3, new ConvOptions().dilation(2).bias(false)),
                new AvgPool2d(new int[] {2}, new int[] {1}, new int[] {1}, false, false), new AdaptiveAvgPool2d(1), new NNFlatten(),
                new LayerNorm(8), new Linear(8, 4), new BatchNorm1d(4));
        for (int i = 0; i < 3; i++) cnn.forward(Tensor.randn(6, 2, 11, 11));
        Graph g = DigitsCnn.traced(cnn, Tensor.randn(new Generator(1), 2, 2, 11, 11));
        for (int batch : new int[] {2, 5}) {
            Tensor x = Tensor.randn(new Generator(batch), batch, 2, 11, 11);
            agrees(g, x, EagerTrainer.predict(cnn, x));
        }

        NNSequential c1 = new NNSequential(new Conv1d(3, 4, 3, 2, 1), new ReLU(), new NNFlatten(), new Linear(20, 2));
        Tensor x1 = Tensor.randn(new Generator(2), 3, 3, 9);
        agrees(DigitsCnn.traced(c1, x1), x1, EagerTrainer.predict(c1, x1));

        NNModule rnn = new NNModule() {
            final NNEmbedding embed = registerModule("embed", new NNEmbedding(12, 5, 0));
            final NNLSTM lstm = registerModule("lstm", new NNLSTM(5, 6, new RNNOptions().numLayers(2).batchFirst(true).bidirectional(true)));
            final NNGRU gru = registerModule("gru", new NNGRU(12, 4, new RNNOptions().batchFirst(true)));

            @Override
            public Tensor forward(Tensor ids) {
                return gru.forward(lstm.forward(embed.forward(ids)));
            }
        };
        for (int batch : new int[] {3, 1}) {
            long[] ids = new long[batch * 7];
            for (int i = 0; i < ids.length; i++) ids[i] = (5L * i + batch) % 12;
            Tensor x = Tensor.of(ids, batch, 7);
            agrees(DigitsCnn.traced(rnn, x), x, EagerTrainer.predict(rnn, x));
        }
    }

    @Test
    void kerasModelsTakeChannelsLastInput() {
        Generator.manualSeed(32);
        dev.janus.layers.Sequential cnn = new dev.janus.layers.Sequential(new Input(9, 7, 2),
                new Conv2D(4, new int[] {3, 2}, null).strides(2).padding("same"), new BatchNormalization(),
                new MaxPooling2D(2).padding("same"), new AveragePooling2D(2).strides(1), new GlobalAveragePooling2D(),
                new LayerNormalization(), new Dense(3, "softmax"));
        cnn.compile("adam", "sparse_categorical_crossentropy", List.of());
        Tensor images = Tensor.randn(new Generator(3), 24, 9, 7, 2);
        cnn.fit(images, Tensor.of(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}),
                new Fit().epochs(2).batchSize(8).verbose(0));
        for (int batch : new int[] {4, 1}) {
            Tensor x = Tensor.randn(new Generator(10 + batch), batch, 9, 7, 2);
            agrees(cnn.inferenceGraph(), x, cnn.predict(x));
        }

        dev.janus.layers.Sequential rnn = new dev.janus.layers.Sequential(new Input(6), new dev.janus.layers.core.Embedding(10, 4),
                new dev.janus.layers.recurrent.GRU(5).returnSequences(true), new dev.janus.layers.recurrent.LSTM(3).returnSequences(true),
                new dev.janus.layers.recurrent.GRU(4).resetAfter(false));
        for (int batch : new int[] {3, 2}) {
            Tensor x = Tensor.empty(DType.FLOAT32, Shape.of(batch, 6));
            for (int i = 0; i < x.numel(); i++) x.setDouble(i, (3 * i + batch) % 10);
            agrees(rnn.inferenceGraph(), x, rnn.predict(x));
        }
    }
}
