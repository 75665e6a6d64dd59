package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.core.optim.Adam;
import dev.janus.core.optim.AdamW;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chains that run as one loop ({@link ChainLoops}) give the bits of the same ops run one by
 * one (the unfused graph through the interpreter): on one tile, over many tiles, split over one
 * and two threads, on heap and native operands, with zeros, signed zeros, infinities and NaNs.
 */
class ChainLoopsTest {
    private final int threads = CpuThreads.threads();
    private static final int[] SIZES = {7, FusedElementwise.TILE * 2 + 3, 300_001};

    @AfterEach
    void restore() {
        CpuThreads.setThreads(threads);
    }

    private static Tensor random(long seed, int size) {
        return Tensor.normal(0, 1, DType.FLOAT32, new Generator(seed), size);
    }

    /** Values every loop must carry through exactly: zeros of both signs, infinities, NaN, a denormal. */
    private static Tensor withSpecials(Tensor t) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -1e-30f};
        float[] a = t.f32();
        for (int i = 0; i < special.length && i < a.length; i++) a[i * 3 % a.length] = special[i];
        return t;
    }

    private static FusedElementwise onlyChain(Graph fused) {
        FusedElementwise chain = null;
        for (Node n : fused.nodes()) {
            if (n.op() instanceof FusedElementwise) {
                assertEquals(null, chain, "one chain: " + fused);
                chain = (FusedElementwise) n.op();
            }
        }
        assertTrue(chain != null, fused.toString());
        return chain;
    }

    private static void sameBits(Graph g, Graph fused, Tensor[] inputs, String what) {
        List<Tensor> want = Interpreter.run(g, List.of(inputs), new ExecContext(new Generator(7)));
        List<Tensor> got = Interpreter.run(fused, List.of(inputs), new ExecContext(new Generator(7)));
        for (int i = 0; i < want.size(); i++) {
            float[] a = want.get(i).toFloatArray(), b = got.get(i).toFloatArray();
            int[] ab = new int[a.length], bb = new int[b.length];
            for (int k = 0; k < a.length; k++) ab[k] = Float.floatToRawIntBits(a[k]);
            for (int k = 0; k < b.length; k++) bb[k] = Float.floatToRawIntBits(b[k]);
            assertArrayEquals(ab, bb, what + ", output " + i);
        }
    }

    private static Tensor[] native_(Tensor[] in) {
        Tensor[] r = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) r[i] = in[i].shape().rank() == 0 ? in[i] : in[i].to(StorageKind.NATIVE);
        return r;
    }

    /** Inputs x, (y when {@code yGiven}, else y = relu(x) inside), dy; output relu's gradient. */
    private static Graph reluGradient(int size, boolean yGiven) {
        Graph g = new Graph("relu-grad");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, size));
        Value y = yGiven ? g.input("y", TensorType.of(DType.FLOAT32, size)) : null;
        Value dy = g.input("dy", TensorType.of(DType.FLOAT32, size));
        if (!yGiven) y = e.one(Ops.RELU, Attrs.NONE, List.of(x));
        g.addOutput(Ops.RELU.gradient(e, Attrs.NONE, List.of(x), List.of(y), List.of(dy), new boolean[] {true}).get(0));
        return g;
    }

    private void sameBitsOnOneAndTwoThreads(Graph g, Graph fused, Tensor[] in, String what) {
        for (int t = 1; t <= 2; t++) {
            CpuThreads.setThreads(t);
            sameBits(g, fused, in, what + ", " + t + " threads");
            sameBits(g, fused, native_(in), what + ", native, " + t + " threads");
        }
    }

    @Test
    void adamsUpdateRunsAsOneLoopWithTheOpsBits() {
        for (int size : SIZES) {
            Graph g = ElementwiseFusionTest.adamUpdate(size, new Adam(0.01));
            Graph fused = new ElementwiseFusion().run(new CommonSubexpressions().run(g));
            assertTrue(onlyChain(fused).runsAsOneLoop(), fused.toString());
            Tensor v = random(13, size);
            for (int i = 0; i < size; i++) v.f32()[i] = i % 5 == 0 ? 0 : Math.abs(v.f32()[i]);
            Tensor grad = withSpecials(random(11, size));
            grad.f32()[size - 1] = 0;
            double[] s = new Adam(0.01).scalars(3);
            Tensor[] in = {random(10, size), grad, random(12, size), v,
                    Tensor.scalar((float) s[0]), Tensor.scalar((float) s[1]), Tensor.scalar((float) s[2])};
            sameBitsOnOneAndTwoThreads(g, fused, in, "adam, " + size + " elements");
        }
    }

    /** Other update rules, and Adam with an L2 weight decay, are other chains: they run op by op (and still fuse). */
    @Test
    void otherChainsRunOpByOp() {
        for (Adam other : new Adam[] {new AdamW(0.01), new Adam(0.01, 0.9, 0.999, 1e-8, 0.1)}) {
            Graph fused = new ElementwiseFusion().run(new CommonSubexpressions().run(ElementwiseFusionTest.adamUpdate(64, other)));
            assertFalse(onlyChain(fused).runsAsOneLoop(), fused.toString());
        }
    }

    @Test
    void reluGradientRunsAsOneLoopWithTheOpsBits() {
        for (int size : SIZES) {
            // As in a training step: relu's output y comes from the forward pass, its gradient reads it.
            Graph g = reluGradient(size, true);
            Graph fused = new ElementwiseFusion().run(new DeadCodeElimination().run(new CommonSubexpressions().run(g)));
            assertTrue(onlyChain(fused).runsAsOneLoop(), fused.toString());
            Tensor[] in = {random(19, size), withSpecials(random(20, size)), withSpecials(random(21, size))};
            in[2].f32()[0] = -0f;
            sameBitsOnOneAndTwoThreads(g, fused, in, "relu gradient, " + size + " elements");
        }
    }

    /** relu's gradient reads relu's output: by hand, it passes g exactly where x > 0 (not at NaN, -0 or 0). */
    @Test
    void reluGradientByHand() {
        Graph g = reluGradient(7, false);
        Tensor xs = Tensor.of(new float[] {Float.NaN, -0f, 0f, Float.MIN_VALUE, -1f, 2f, Float.POSITIVE_INFINITY});
        Tensor gs = Tensor.of(new float[] {1, 2, 3, 4, 5, -6, 7});
        float[] got = Interpreter.run(g, List.of(xs, gs), new ExecContext(new Generator(7))).get(0).toFloatArray();
        assertArrayEquals(new float[] {0, 0, 0, 4, 0, -6, 7}, got);
    }
}
