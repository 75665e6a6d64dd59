package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.Optimizer;
import dev.janus.core.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step large enough for the fast paths of big models (buffers of products in native
 * memory, relu's gradient on raw bits, Adam's loop over the parameters where they lie, updates
 * written in place) gives the bits of the same step with every buffer on the heap and of the step
 * run op by op with no pass: after one step and after several, on one and two threads.
 */
class LargeStepTest {
    private final int threads = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
    }

    /** x [?, 96] -> dense 512, relu -> dense 256, relu -> dense 10 -> softmax cross entropy (mean). */
    static Graph mlp() {
        Builder b = new Builder("large-mlp");
        Value x = b.placeholder("x", DType.FLOAT32, 96);
        Value y = b.input("y", TensorType.of(DType.INT64, -1));
        GraphEmitter e = b.ops();
        Value h = x;
        int[] widths = {96, 512, 256, 10};
        for (int l = 1; l < widths.length; l++) {
            Value in = h;
            int layer = l;
            Value z = b.scope("dense" + l, () -> e.add(e.matmul(in, b.variable("dense" + layer + "/kernel",
                    Models.weights(DType.FLOAT32, 2 * layer, widths[layer - 1], widths[layer])), false, false),
                    b.variable("dense" + layer + "/bias", Models.weights(DType.FLOAT32, 2 * layer + 1, widths[layer]))));
            h = l == widths.length - 1 ? z : e.one(Ops.RELU, Attrs.NONE, List.of(z));
        }
        Value logits = h;
        return b.build(b.scope("loss", () -> e.one(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, List.of(logits, y))));
    }

    /** Losses of each step, then every parameter and state tensor after the last, as raw bits. */
    static List<int[]> train(CompileOptions options, Optimizer opt, int steps) {
        Graph model = mlp();
        TrainingStep step = new TrainingStep(model, opt, options);
        ExecContext ctx = new ExecContext(new Generator(1));
        List<int[]> out = new ArrayList<>();
        int[] losses = new int[steps];
        for (int t = 0; t < steps; t++) {
            int rows = 384;
            Tensor x = Tensor.normal(0, 1, DType.FLOAT32, new Generator(t), rows, 96);
            long[] labels = new long[rows];
            for (int i = 0; i < rows; i++) labels[i] = (i * 7 + t) % 10;
            losses[t] = Float.floatToRawIntBits((float) step.run(ctx, x, Tensor.of(labels)).get(0).item());
        }
        out.add(losses);
        for (Value p : model.parameters()) out.add(bits(model.parameterValue(p)));
        step.state().values().forEach(s -> out.add(bits(s)));
        step.close();
        return out;
    }

    static int[] bits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    static void assertSameBits(List<int[]> want, List<int[]> got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), what + ", tensor " + i);
    }

    @Test
    void theDefaultStepHasTheBitsOfTheHeapStepAndOfTheStepRunOpByOp() {
        // The default plan does put the products' buffers in native memory (else this proves nothing).
        Plan plan = new TrainingStep(mlp(), new Adam(1e-3), CompileOptions.defaults())
                .plan(List.of(dev.janus.core.Shape.of(384, 96), dev.janus.core.Shape.of(384)));
        assertTrue(plan.layout().contains(" native"), plan.layout());
        plan.close();
        for (Optimizer opt : new Optimizer[] {new Adam(1e-3), new SGD(0.05, 0.9)}) {
            for (int steps : new int[] {1, 3}) {
                // OpenBLAS may round a product differently on two threads: each count is compared with itself.
                for (int t = 1; t <= 2; t++) {
                    CpuThreads.setThreads(t);
                    String what = opt.name() + ", " + steps + " steps, " + t + " threads";
                    List<int[]> opByOp = train(CompileOptions.none(), opt, steps);
                    assertSameBits(opByOp, train(CompileOptions.defaults().storage(StorageKind.HEAP), opt, steps), what + ", heap");
                    assertSameBits(opByOp, train(CompileOptions.defaults(), opt, steps), what + ", default");
                }
            }
        }
    }
}
