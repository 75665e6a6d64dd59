package dev.janus.layers.normalization;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.Functions;
import dev.janus.core.ops.Ops;
import dev.janus.layers.LayerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Batch normalisation over the last axis (the channels of channels-last data), as Keras's
 * BatchNormalization: weights gamma (ones, if scale), beta (zeros, if center), and the frozen
 * moving_mean (zeros) and moving_variance (ones). In training it normalises with the batch's mean
 * and biased variance and moves the averages, moving = momentum moving + (1 - momentum) batch
 * (momentum 0.99; the biased variance, as Keras); at inference it uses the moving averages;
 * epsilon 1e-3. The data is seen as rows [everything else, channels] so that the channels-first
 * batch_norm op normalises per channel without a transpose.
 */
public final class BatchNormalization extends Normalization<BatchNormalization> {
    private double momentum = 0.99;

    public BatchNormalization momentum(double m) {
        unbuilt();
        if (!(m >= 0 && m <= 1)) throw new JanusException("BatchNormalization: momentum must be in [0, 1], got " + m);
        momentum = m;
        return this;
    }

    @Override
    protected Shape create(Shape input, DType dtype, Generator rng) {
        int c = createScaleAndOffset(input, dtype, "channels");
        addWeight("moving_mean", dtype, Shape.of(c), () -> Tensor.zeros(dtype, c), false);
        addWeight("moving_variance", dtype, Shape.of(c), () -> Tensor.full(1, dtype, c), false);
        return input;
    }

    /** gamma, beta, moving_mean, moving_variance as handles, constants standing in for what the layer lacks. */
    private <V> List<V> parts(Emitter<V> e, List<V> weights, int channels, DType dtype) {
        int k = weights.size() - 2;
        return List.of(gamma(e, weights, channels, dtype), beta(e, weights, channels, dtype), weights.get(k), weights.get(k + 1));
    }

    /** x as rows [-1, channels]. */
    private static <V> V rows(Emitter<V> e, V x) {
        Shape s = e.shape(x);
        return s.rank() == 2 ? x : e.reshape(x, Shape.of(-1, s.dim(-1)));
    }

    /** The batch's mean and biased variance per channel, of rows [-1, channels]. */
    private static <V> List<V> moments(Emitter<V> e, V rows) {
        return Functions.moments(e, rows, new int[] {0}, Shape.of(e.shape(rows).dim(1)));
    }

    @Override
    public <V> V call(Emitter<V> e, V x, List<V> weights, boolean training) {
        Shape s = e.shape(x);
        List<V> p = parts(e, weights, s.dim(-1), e.dtype(x));
        V r = rows(e, x);
        List<V> stats = training ? moments(e, r) : p.subList(2, 4);
        V y = e.one(Ops.BATCH_NORM, Attrs.of("epsilon", epsilon), List.of(r, p.get(0), p.get(1), stats.get(0), stats.get(1)));
        return s.rank() == 2 ? y : e.reshape(y, s);
    }

    @Override
    public <V> List<V> updates(Emitter<V> e, V x, List<V> weights) {
        List<V> stats = moments(e, rows(e, x));
        int k = weights.size() - 2;
        List<V> out = new ArrayList<>();
        for (int i = 0; i < k; i++) out.add(null);
        for (int i = 0; i < 2; i++) {
            V moving = weights.get(k + i);
            out.add(Functions.movingAverage(e, moving, momentum, stats.get(i), 1 - momentum));
        }
        return out;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = super.config();
        c.put("momentum", momentum);
        return c;
    }

    /** Rebuilds the layer from its {@link #config()}, as a saved model holds it. */
    public static BatchNormalization fromConfig(LayerConfig c) {
        return new BatchNormalization().momentum(c.number("momentum")).withSettingsOf(c);
    }
}
