package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;

import java.util.List;

/** Small graphs the compiler tests share. */
final class Models {
    private Models() {
    }

    /** Deterministic weights, 0.5 sin(1.7 seed + 0.37 i): a PyTorch script makes the same ones. */
    static Tensor weights(DType dt, int seed, int... shape) {
        Tensor t = Tensor.empty(dt, Shape.of(shape));
        for (int i = 0; i < t.numel(); i++) t.setDouble(i, 0.5 * Math.sin(seed * 1.7 + i * 0.37));
        return t;
    }

    /**
     * x [?, 4] -> dense 8, relu -> dropout p (when p > 0) -> dense 3 -> softmax cross entropy with
     * labels y [?]; outputs the mean loss and the number of correct predictions. Dense is
     * x @ kernel + bias, kernels [in, out] as Keras stores them.
     */
    static Graph mlp(DType dt, double dropout) {
        Builder b = new Builder("mlp");
        Value x = b.placeholder("x", dt, 4);
        Value y = b.input("y", TensorType.of(DType.INT64, -1));
        GraphEmitter e = b.ops();
        Value h = b.scope("dense", () -> e.one(Ops.RELU, Attrs.NONE, List.of(
                e.add(e.matmul(x, b.variable("dense/kernel", weights(dt, 1, 4, 8)), false, false),
                        b.variable("dense/bias", weights(dt, 2, 8))))));
        Value kept = dropout == 0 ? h : b.scope("dropout", () -> e.apply(Ops.DROPOUT, Attrs.of("p", dropout), List.of(h)).get(0));
        Value z = b.scope("dense_1", () -> e.add(e.matmul(kept, b.variable("dense_1/kernel", weights(dt, 3, 8, 3)), false, false),
                b.variable("dense_1/bias", weights(dt, 4, 3))));
        Value loss = b.scope("loss", () -> e.one(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, List.of(z, y)));
        Value correct = b.scope("accuracy", () -> e.one(Ops.SUM, Attrs.NONE, List.of(e.cast(e.equal(
                e.one(Ops.ARGMAX, Attrs.of("axis", 1), List.of(z)), y), dt))));
        return b.build(loss, correct);
    }

    static Tensor features(DType dt, long seed, int rows) {
        return Tensor.normal(0, 1, dt, new Generator(seed), rows, 4);
    }

    static Tensor labels(long seed, int rows) {
        Generator g = new Generator(seed);
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) y[i] = g.nextInt(3);
        return Tensor.of(y);
    }
}
