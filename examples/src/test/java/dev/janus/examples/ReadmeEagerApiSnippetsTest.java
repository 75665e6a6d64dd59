package dev.janus.examples;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.TensorType;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Emitter;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Op;
import dev.janus.core.optim.Adam;
import dev.janus.core.Slice;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.F;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.janus.eager.Transforms.grad;
import static dev.janus.eager.Transforms.jit;
import static dev.janus.eager.Transforms.vmap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's PyTorch-style blocks: a module of one's own, an op of one's own, tensor indexing, function transforms. */
class ReadmeEagerApiSnippetsTest {
    // README: custom-module
    class Net extends NNModule {
        final Linear fc1 = new Linear(4, 16);               // registers itself as "fc1", as PyTorch's self.fc1 = ...
        final Parameter gain = new Parameter(Tensor.ones(16));
        final Linear fc2 = new Linear(16, 3);

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)).mul(gain));
        }
    }
    // README: end

    @Test
    void aModuleRegistersItsFields() {
        Generator.manualSeed(0);
        Net[] made = new Net[1];
        Adam[] adam = new Adam[1];
        String printed = ReadmeSnippetsTest.captured(() -> {
            // README: custom-module-use
            Net net = new Net();
            System.out.println(net.namedParameters().keySet());   // [gain, fc1.weight, fc1.bias, fc2.weight, fc2.bias]: its own first, as PyTorch
            Adam opt = new Adam(net.parameters(), 1e-3);
            // README: end
            made[0] = net;
            adam[0] = opt;
        });
        assertEquals("[gain, fc1.weight, fc1.bias, fc2.weight, fc2.bias]", printed.strip());
        assertEquals(List.of("gain", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(made[0].namedParameters().keySet()));
        assertEquals(5, adam[0].parameters().size());
    }

    // README: custom-op
    /** softsign(x) = x / (1 + |x|): shape rule, kernel and gradient in one class, used by both styles. */
    static final class Softsign extends Op {
        Softsign() {
            super("softsign", 1, 1, "Softsign");                        // the ONNX op it is, both ways
        }

        @Override
        public boolean isElementwise() {                              // the compiler may fuse it and run it in place
            return true;
        }

        @Override
        protected TensorType[] inferTypes(TensorType[] in, Attrs attrs) {
            return new TensorType[] {in[0]};
        }

        @Override
        public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
            for (int i = 0, n = in[0].numel(); i < n; i++) {
                double x = in[0].readDouble(i);
                out[0].setDouble(i, x / (1 + Math.abs(x)));
            }
        }

        @Override
        public <V> List<V> gradient(Emitter<V> e, Attrs attrs, List<V> in, List<V> out, List<V> gradOut, boolean[] wanted) {
            V denom = e.add(e.one(dev.janus.core.ops.Ops.ABS, Attrs.NONE, List.of(in.get(0))), 1);   // d/dx = 1 / (1 + |x|)^2
            return List.of(e.div(gradOut.get(0), e.mul(denom, denom)));
        }
    }
    // README: end

    @Test
    void anOpOfOnesOwnRunsEagerlyWithItsGradient() {
        // README: custom-op-use
        Op softsign = new Softsign();
        Tensor x = Tensor.of(new double[] {-2, 0.5}).requiresGrad(true);
        Tensor y = Tensor.apply(softsign, Attrs.NONE, x);              // eagerly; a Keras layer calls e.one(softsign, ...)
        y.sum().backward();                                            // x.grad() = 1 / (1 + |x|)^2
        // README: end
        assertEquals(-2.0 / 3, y.getDouble(0), 1e-12);
        assertEquals(1.0 / 9, x.grad().getDouble(0), 1e-12);
        assertEquals(1.0 / 2.25, x.grad().getDouble(1), 1e-12);
    }

    @Test
    void indexingAndTransforms() {
        Tensor batch = Tensor.randn(8, 3);
        // README: tensor-surface
        Tensor x = Tensor.randn(4, 3);
        Tensor firstRows = x.index(Slice.to(2));                  // x[:2]
        Tensor lastColumn = x.index(Slice.all(), -1);              // x[:, -1], shape [4]
        Tensor positive = x.gt(0).logicalAnd(x.lt(1));             // bool [4, 3]
        Tensor clipped = x.clamp(-1, 1).unsqueeze(0);              // [1, 4, 3]
        int rank = x.dim(), rows = x.size(0);                      // 2, 4
        Tensor best = x.topk(2, 1, true).indices();                // int64 [4, 2], as x.topk(2, dim=1)
        Tensor picked = x.gather(1, best);                          // the values there, [4, 2]
        // README: end
        // README: transforms
        Function<Tensor, Tensor> f = v -> v.tanh().mul(v).sum();
        Tensor perRow = vmap(grad(f)).apply(batch);                 // df/dv for each row of the batch
        Function<Tensor, Tensor> fast = jit(v -> v.tanh().mul(2));  // traced once per shape, then compiled
        // README: end
        assertEquals(Shape.of(2, 3), firstRows.shape());
        assertEquals(Shape.of(4), lastColumn.shape());
        assertEquals(DType.BOOL, positive.dtype());
        assertEquals(Shape.of(1, 4, 3), clipped.shape());
        assertEquals(List.of(2, 4), List.of(rank, rows));
        assertArrayEquals(x.topk(2, 1, true).values().toFloatArray(), picked.toFloatArray());
        assertEquals(DType.INT64, best.dtype());
        assertEquals(batch.shape(), perRow.shape());
        assertEquals(Math.tanh(0.5) * 2, fast.apply(Tensor.scalar(0.5, DType.FLOAT64)).item(), 1e-12);
    }
}
