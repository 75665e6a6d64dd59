package dev.janus.layers;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.testing.Reference;
import dev.janus.eager.EagerEmitter;
import dev.janus.core.Tensor;
import dev.janus.layers.conv.AveragePooling2D;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.core.Embedding;
import dev.janus.layers.normalization.BatchNormalization;
import dev.janus.layers.normalization.LayerNormalization;
import dev.janus.layers.recurrent.GRU;
import dev.janus.layers.recurrent.LSTM;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.janus.core.testing.Close.assertClose;
import static dev.janus.core.testing.Reference.pattern;

/**
 * The convolutional, normalisation and recurrent layers against Keras's formulas written in
 * PyTorch (resources/reference/make_layers_reference.py), in float64: the forward values and the
 * gradient of every trainable weight and of the input, run eagerly through the layer's own call;
 * and the compiled prediction of a model holding the layer, which must give the same values.
 */
class LayersReferenceTest {
    private static final Reference REF = Reference.load("/reference/layers_reference.txt");
    private static final DType F64 = DType.FLOAT64;
    private static final double TOL = 1e-10, SMALL = 1.0 / 64;

    /** Builds the layer for samples of this shape, weight k = pattern(20 + k, scale). */
    private static Layer built(Layer layer, double scale, int... sample) {
        layer.name("layer");
        layer.build(Shape.of(-1).concat(Shape.of(sample)), F64, new Generator(0));
        int k = 0;
        for (Weight w : layer.weights()) w.value().copyFrom(pattern(20 + k++, scale, F64, w.value().shape().dims()));
        return layer;
    }

    /** The eager forward and backward of sum(y * pattern(100)) against the reference. */
    private static void check(String name, Layer layer, Tensor input, boolean training) {
        EagerEmitter e = new EagerEmitter(new Generator(0));
        Tensor x = input;
        boolean gradInput = name.equals("embedding") ? false : x.requiresGrad(true).requiresGrad();
        List<Tensor> ws = new ArrayList<>();
        for (Weight w : layer.weights()) ws.add(w.value().detach().requiresGrad(w.trainable()));
        Tensor y = layer.call(e, x, ws, training);
        assertClose(REF.get(name, "out"), y, TOL, TOL);
        y.mul(pattern(100, F64, y.shape().dims())).sum().backward();
        if (gradInput) assertClose(REF.get(name, "grad.input"), x.grad(), TOL, TOL);
        for (int k = 0; k < ws.size(); k++) {
            if (layer.weights().get(k).trainable()) assertClose(REF.get(name, "grad." + k), ws.get(k).grad(), TOL, TOL);
        }
        if (!training) {
            Sequential model = new Sequential(new Input(F64, input.shape().sub(1, input.rank()).dims()));
            layer.name(null);
            model.add(layer);
            assertClose(REF.get(name, "out"), model.predict(input), TOL, TOL);
        }
    }

    private static void check(String name, Layer layer, double scale, int... shape) {
        check(name, built(layer, scale, java.util.Arrays.copyOfRange(shape, 1, shape.length)), pattern(1, F64, shape), false);
    }

    @Test
    void convolutionAndPooling() {
        check("conv2d_same", new Conv2D(4, new int[] {3, 2}, Activations.TANH).strides(2).padding("same"), SMALL, 2, 5, 6, 3);
        check("conv2d_dilated_groups", new Conv2D(4, new int[] {3}, Activations.RELU).dilationRate(2).groups(2), SMALL, 1, 7, 7, 2);
        check("max_pool_same", new MaxPooling2D(3).strides(2).padding("same"), SMALL, 2, 5, 5, 3);
        check("max_pool_valid", new MaxPooling2D(), SMALL, 1, 5, 4, 2);
        check("avg_pool_same", new AveragePooling2D(3).strides(2).padding("same"), SMALL, 1, 6, 5, 2);
        check("global_avg_pool", new GlobalAveragePooling2D(), SMALL, 2, 3, 4, 5);
    }

    private static void batchNorm(String name, int... shape) {
        int[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        BatchNormalization bn = (BatchNormalization) built(new BatchNormalization(), 1.0 / 32, sample);
        Tensor x = pattern(1, F64, shape);
        check(name, bn, x, true);
        EagerEmitter e = new EagerEmitter(new Generator(0));
        List<Tensor> ws = new ArrayList<>();
        for (Weight w : bn.weights()) ws.add(w.value());
        List<Tensor> next = bn.updates(e, x, ws);
        assertClose(REF.get(name, "moving_mean"), next.get(2), TOL, TOL);
        assertClose(REF.get(name, "moving_variance"), next.get(3), TOL, TOL);
        Tensor var = bn.weights().get(3).value();
        for (int i = 0; i < var.numel(); i++) var.setDouble(i, Math.abs(var.readDouble(i)) + 0.5);
        assertClose(REF.get(name, "inference"), bn.call(e, x, ws, false), TOL, TOL);
    }

    @Test
    void normalisationAndLookup() {
        batchNorm("batch_norm_images", 4, 3, 2, 5);
        batchNorm("batch_norm_features", 6, 4);
        check("layer_norm", new LayerNormalization(), 1.0 / 32, 2, 3, 6);
        Layer embedding = built(new Embedding(5, 3), 1.0 / 32, 3);
        check("embedding", embedding, Tensor.of(new double[] {1, 2, 0, 4, 4, 3}, 2, 3), false);
    }

    @Test
    void recurrent() {
        check("lstm_sequences", new LSTM(5).returnSequences(true), SMALL, 2, 4, 3);
        check("lstm_last", new LSTM(4), SMALL, 3, 5, 2);
        check("gru_sequences", new GRU(4).returnSequences(true), SMALL, 2, 3, 3);
        check("gru_last", new GRU(3), SMALL, 2, 4, 2);
        check("gru_reset_before", new GRU(4).resetAfter(false).returnSequences(true), SMALL, 2, 3, 3);
    }
}
