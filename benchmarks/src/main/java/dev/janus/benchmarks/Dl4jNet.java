package dev.janus.benchmarks;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Deeplearning4j peer: an MLP as a {@link MultiLayerNetwork} (dense ReLU layers, softmax output
 * with multi-class cross entropy, Adam lr 1e-3, float32), one {@code fit(DataSet)} per training
 * step. Like the Janus benchmarks it starts again from its initial weights and a fresh Adam state
 * every {@link IrisBatches#RUN} steps.
 */
final class Dl4jNet {
    private final MultiLayerNetwork net;
    private final INDArray initial;
    private int steps;

    /**
     * @param sizes   input, hidden..., output widths
     * @param dropout the drop rate before the second layer (as Dropout after the first hidden layer), 0 for none
     */
    Dl4jNet(long seed, double dropout, int... sizes) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER)
                .list();
        for (int i = 0; i + 2 < sizes.length; i++) {
            DenseLayer.Builder layer = new DenseLayer.Builder().nIn(sizes[i]).nOut(sizes[i + 1]).activation(Activation.RELU);
            // DL4J's dropOut(p) is the probability of KEEPING an input, applied to the layer's input.
            if (i == 1 && dropout > 0) layer.dropOut(1 - dropout);
            list.layer(layer.build());
        }
        int last = sizes.length - 2;
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(sizes[last]).nOut(sizes[last + 1])
                .activation(Activation.SOFTMAX).build());
        MultiLayerConfiguration conf = list.build();
        net = new MultiLayerNetwork(conf);
        net.init();
        initial = net.params().dup();
    }

    /** One training step on (x, one-hot y); returns the loss. */
    double step(DataSet batch) {
        if (steps == IrisBatches.RUN) {
            net.setParams(initial);
            net.getUpdater().getStateViewArray().assign(0);
            net.setIterationCount(0);
            steps = 0;
        }
        steps++;
        net.fit(batch);
        return net.score();
    }
}
