package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.LossWithSoftmax;
import dev.janus.core.ops.Op;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The loss and a later softmax of the same logits become one node, with both results' bits unchanged. */
class SoftmaxOnceTest {
    /** loss = softmax_cross_entropy(z, y) (attrs), then p = softmax(z, axis) * 2 (op): outputs loss, p. */
    private static Graph lossThenSoftmax(DType dt, Attrs lossAttrs, Op softmax, int axis) {
        Graph g = new Graph("loss-softmax");
        GraphEmitter e = new GraphEmitter(g);
        Value z = g.input("z", TensorType.of(dt, 37, 11));
        Value y = g.input("y", TensorType.of(DType.INT64, 37));
        g.addOutput(e.one(Ops.SOFTMAX_CROSS_ENTROPY, lossAttrs, List.of(z, y)));
        g.addOutput(e.mul(e.one(softmax, Attrs.of("axis", axis), List.of(z)), 2.0));
        return g;
    }

    private static long count(Graph g, Op op) {
        return g.nodes().stream().map(Node::op).filter(o -> o == op).count();
    }

    private static int[] bits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private static Tensor[] inputs(DType dt) {
        Tensor z = Tensor.normal(0, 3, dt, new Generator(5), 37, 11);
        z.setDouble(0, 80);     // a row whose largest logit dominates: exp of large negatives
        long[] y = new long[37];
        for (int i = 0; i < y.length; i++) y[i] = (i * 5) % 11;
        return new Tensor[] {z, Tensor.of(y)};
    }

    @Test
    void theLossAndTheSoftmaxBecomeOneNodeWithTheirBits() {
        for (String red : new String[] {"mean", "sum", "none"}) {
            for (double eps : new double[] {0, 0.1}) {
                Attrs attrs = Attrs.of("reduction", red, "label_smoothing", eps);
                for (int axis : new int[] {1, -1}) {
                    Graph g = lossThenSoftmax(DType.FLOAT32, attrs, Ops.SOFTMAX, axis);
                    Graph once = new SoftmaxOnce().run(g);
                    assertEquals(1, count(once, LossWithSoftmax.OP), once.toString());
                    assertEquals(0, count(once, Ops.SOFTMAX) + count(once, Ops.SOFTMAX_CROSS_ENTROPY), once.toString());
                    Tensor[] in = inputs(DType.FLOAT32);
                    List<Tensor> want = Interpreter.run(g, List.of(in), new ExecContext(new Generator(1)));
                    List<Tensor> got = Interpreter.run(once, List.of(in), new ExecContext(new Generator(1)));
                    for (int i = 0; i < 2; i++) assertArrayEquals(bits(want.get(i)), bits(got.get(i)), red + ", eps " + eps + ", output " + i);
                }
            }
        }
    }

    @Test
    void otherSoftmaxesAndFloat64AreLeftAlone() {
        Attrs mean = Attrs.NONE;
        Graph logSoftmax = lossThenSoftmax(DType.FLOAT32, mean, Ops.LOG_SOFTMAX, 1);
        Graph overRows = lossThenSoftmax(DType.FLOAT32, mean, Ops.SOFTMAX, 0);
        Graph doubles = lossThenSoftmax(DType.FLOAT64, mean, Ops.SOFTMAX, 1);
        for (Graph g : new Graph[] {logSoftmax, overRows, doubles}) assertSame(g, new SoftmaxOnce().run(g));
    }

    /** In a compiled training step the loss's gradient reads the shared softmax: the pass finds it. */
    @Test
    void aTrainingStepComputesTheSoftmaxOnce() {
        TrainingStep step = new TrainingStep(Models.mlp(DType.FLOAT32, 0), new dev.janus.core.optim.Adam(0.01), CompileOptions.defaults());
        Plan plan = step.plan(List.of(dev.janus.core.Shape.of(16, 4), dev.janus.core.Shape.of(16)));
        assertEquals(1, count(plan.graph(), LossWithSoftmax.OP), plan.layout());
        assertEquals(0, count(plan.graph(), Ops.SOFTMAX), plan.layout());
    }
}
