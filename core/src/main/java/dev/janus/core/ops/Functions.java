package dev.janus.core.ops;

import dev.janus.core.Shape;

import java.util.List;

/**
 * Computations of several ops that both front ends need, written once against an {@link Emitter}
 * so the eager {@code F}, the eager modules and the Keras layers and losses run the same ops:
 * binary cross entropy from logits, batch moments and the moving-average update of batch
 * normalisation, and the gate orders of the recurrent layers.
 */
public final class Functions {
    /** Softplus's cut-over to the identity: exp(-40) is below float64's resolution, so the cut is exact. */
    private static final Attrs SOFTPLUS_EXACT = Attrs.of("threshold", 40.0);

    /** For each ONNX LSTM gate (i, o, f, c), its block in the order PyTorch (i, f, g, o) and Keras (i, f, c, o) share. */
    public static final int[] LSTM_ONNX_FROM_IFCO = {0, 3, 1, 2};
    /** For each ONNX GRU gate (z, r, h), its block in PyTorch's order (r, z, n); Keras's (z, r, h) is ONNX's. */
    public static final int[] GRU_ONNX_FROM_RZN = {1, 0, 2};

    private Functions() {
    }

    /**
     * softplus(x) - x y per element: the binary cross entropy of logits x against targets y,
     * -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], without overflow for large |x|.
     */
    public static <V> V binaryCrossEntropyWithLogits(Emitter<V> e, V logits, V targets) {
        return e.sub(e.one(Ops.SOFTPLUS, SOFTPLUS_EXACT, List.of(logits)), e.mul(logits, targets));
    }

    /**
     * The mean and the biased variance of x over {@code axes}, as ops (gradients flow through
     * them): the mean, seen with shape {@code broadcast}, is subtracted before squaring.
     */
    public static <V> List<V> moments(Emitter<V> e, V x, int[] axes, Shape broadcast) {
        V mean = e.mean(x, axes, false);
        V centred = e.sub(x, e.reshape(mean, broadcast));
        return List.of(mean, e.mean(e.mul(centred, centred), axes, false));
    }

    /**
     * moving keep + value rate: the moving-average update of batch normalisation's statistics
     * (Keras keeps its momentum, PyTorch 1 - momentum; each passes both factors as it writes them,
     * so that 1 - (1 - m) never stands for m).
     */
    public static <V> V movingAverage(Emitter<V> e, V moving, double keep, V value, double rate) {
        return e.add(e.mul(moving, keep), e.mul(value, rate));
    }

    /**
     * Row indices that reorder {@code copies} stacked weight matrices of G gate blocks of
     * {@code units} rows each: block g of each copy comes from block {@code from[g]} of it.
     */
    public static long[] gateOrder(int[] from, int units, int copies) {
        int gh = from.length * units;
        long[] rows = new long[copies * gh];
        for (int b = 0; b < copies; b++) {
            for (int j = 0; j < gh; j++) rows[b * gh + j] = (long) b * gh + (long) from[j / units] * units + j % units;
        }
        return rows;
    }
}
