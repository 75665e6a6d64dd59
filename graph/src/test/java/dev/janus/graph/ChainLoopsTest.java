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

    /**
     * Runs {@code fused} node by node with the chain's outputs in {@code outs} (null: a new heap
     * tensor) and its graph inputs {@code in}; returns the graph's outputs.
     */
    private static List<Tensor> runWithChainOutputs(Graph fused, Tensor[] in, java.util.function.Function<Node, Tensor[]> outs) {
        java.util.Map<Value, Tensor> vals = new java.util.HashMap<>();
        for (int i = 0; i < in.length; i++) vals.put(fused.inputs().get(i), in[i]);
        for (Value c : fused.constants()) vals.put(c, fused.constantValue(c));
        ExecContext ctx = new ExecContext(new Generator(7));
        for (Node n : fused.nodes()) {
            Tensor[] a = new Tensor[n.inputs().size()];
            for (int i = 0; i < a.length; i++) a[i] = vals.get(n.inputs().get(i));
            Tensor[] o = n.op() instanceof FusedElementwise ? outs.apply(n) : new Tensor[n.outputs().size()];
            for (int k = 0; k < o.length; k++) {
                if (o[k] == null) o[k] = Tensor.empty(n.outputs().get(k).type().dtype(), n.outputs().get(k).type().shape());
                vals.put(n.outputs().get(k), o[k]);
            }
            n.op().compute(a, n.attrs(), o, ctx);
        }
        List<Tensor> r = new java.util.ArrayList<>();
        for (Value v : fused.outputs()) r.add(vals.get(v));
        return r;
    }

    private static int[] bitsOf(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    /** Adam's inputs p, g (with specials), m, v (some zeros), and its three step scalars. */
    private static Tensor[] adamInputs(int size) {
        double[] s = new Adam(0.01).scalars(3);
        Tensor v = random(13, size);
        for (int i = 0; i < size; i++) v.f32()[i] = i % 5 == 0 ? 0 : Math.abs(v.f32()[i]);
        return new Tensor[] {random(10, size), withSpecials(random(11, size)), random(12, size), v,
                Tensor.scalar((float) s[0]), Tensor.scalar((float) s[1]), Tensor.scalar((float) s[2])};
    }

    /**
     * Each output of a loop chain written over each full input (as a plan writes an update over
     * its parameter, or a result over an input that dies there), in heap and native storage, on
     * one and two threads: the ops' bits. Outputs the loop may not write over an input it still
     * reads (Adam's m' over g) go through registers.
     */
    @Test
    void outputsWrittenOverInputsKeepTheOpsBits() {
        int size = FusedElementwise.TILE * 2 + 3;
        Tensor[] adamIn = adamInputs(size);
        Tensor[] reluIn = {random(19, size), withSpecials(random(20, size)), withSpecials(random(21, size))};
        Graph adam = ElementwiseFusionTest.adamUpdate(size, new Adam(0.01));
        Graph relu = reluGradient(size, true);
        int checked = 0;
        for (Graph g : new Graph[] {adam, relu}) {
            Tensor[] in = g == adam ? adamIn : reluIn;
            Graph fused = new ElementwiseFusion().run(new DeadCodeElimination().run(new CommonSubexpressions().run(g)));
            FusedElementwise chain = onlyChain(fused);
            assertTrue(chain.runsAsOneLoop(), fused.toString());
            List<Tensor> want = Interpreter.run(g, List.of(in), new ExecContext(new Generator(7)));
            Node node = null;
            for (Node n : fused.nodes()) if (n.op() == chain) node = n;
            for (StorageKind kind : new StorageKind[] {StorageKind.HEAP, StorageKind.NATIVE}) {
                for (int t = 1; t <= 2; t++) {
                    CpuThreads.setThreads(t);
                    for (int k = 0; k < node.outputs().size(); k++) {
                        for (int j = 0; j < node.inputs().size(); j++) {
                            int graphInput = fused.inputs().indexOf(node.inputs().get(j));
                            if (graphInput < 0 || in[graphInput].numel() != size) continue;
                            // Fresh copies in this kind; output k of the chain is input j's tensor itself.
                            Tensor[] copies = new Tensor[in.length];
                            for (int i = 0; i < in.length; i++) copies[i] = in[i].numel() == size ? in[i].copy().to(kind) : in[i];
                            Tensor over = copies[graphInput];
                            int kk = k;
                            List<Tensor> got = runWithChainOutputs(fused, copies, n -> {
                                Tensor[] o = new Tensor[n.outputs().size()];
                                for (int q = 0; q < o.length; q++) o[q] = kind.empty(DType.FLOAT32, n.outputs().get(q).type().shape(), dev.janus.core.Device.CPU);
                                o[kk] = over;
                                return o;
                            });
                            for (int i = 0; i < want.size(); i++) {
                                assertArrayEquals(bitsOf(want.get(i)), bitsOf(got.get(i)), g.name() + ": output " + k + " over input " + j + ", "
                                        + kind + ", " + t + " threads, graph output " + i);
                            }
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked >= 2 * 2 * (3 * 4 + 2), "every pairing ran: " + checked);
    }

    /**
     * An output over an input's Java array through a second heap tensor ({@link Tensor#wrap} of the
     * same array, another storage object): still seen as written over that input, so Adam's m' does
     * not land in g's array while a later loop reads g. Every pairing keeps the ops' bits.
     */
    @Test
    void anOutputWrappingAnInputsArrayCountsAsWrittenOverIt() {
        int size = FusedElementwise.TILE * 2 + 3;
        Tensor[] in = adamInputs(size);
        Graph g = ElementwiseFusionTest.adamUpdate(size, new Adam(0.01));
        Graph fused = new ElementwiseFusion().run(new CommonSubexpressions().run(g));
        FusedElementwise chain = onlyChain(fused);
        assertTrue(chain.runsAsOneLoop(), fused.toString());
        List<Tensor> want = Interpreter.run(g, List.of(in), new ExecContext(new Generator(7)));
        Node node = null;
        for (Node n : fused.nodes()) if (n.op() == chain) node = n;
        int checked = 0;
        for (int k = 0; k < node.outputs().size(); k++) {
            for (int j = 0; j < node.inputs().size(); j++) {
                int graphInput = fused.inputs().indexOf(node.inputs().get(j));
                if (graphInput < 0 || in[graphInput].numel() != size) continue;
                Tensor[] copies = new Tensor[in.length];
                for (int i = 0; i < in.length; i++) copies[i] = in[i].numel() == size ? in[i].copy() : in[i];
                Tensor over = Tensor.wrap(copies[graphInput].heapArray(), DType.FLOAT32, copies[graphInput].shape());
                assertTrue(over.storage() != copies[graphInput].storage(), "another storage over the same array");
                int kk = k;
                List<Tensor> got = runWithChainOutputs(fused, copies, n -> {
                    Tensor[] o = new Tensor[n.outputs().size()];
                    o[kk] = over;
                    return o;
                });
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(bitsOf(want.get(i)), bitsOf(got.get(i)), "output " + k + " over input " + j + "'s array, graph output " + i);
                }
                checked++;
            }
        }
        assertTrue(checked >= 3 * 4, "every pairing ran: " + checked);
    }

    /** The bits loop selects exactly what where(a > 0, c, d) selects, for every class of float a, signed zeros and NaNs of d included. */
    @Test
    void reluGradientOnBitsSelectsAsTheFloatCompare() {
        java.util.Random r = new java.util.Random(3);
        int n = 100_000;
        int[] a = new int[n], c = new int[n], y = new int[n];
        int[] specials = {0, 0x80000000, 1, 0x80000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
                0x7F800001, 0x7FC00000, 0x7FFFFFFF, 0xFFC00000, 0xFFFFFFFF, 0x3F800000, 0xBF800000};
        for (int i = 0; i < n; i++) {
            a[i] = i < specials.length ? specials[i] : r.nextInt();
            c[i] = r.nextInt();
        }
        for (int d : new int[] {0, 0x80000000, 0x7FC00001, 0x3F800000}) {
            ChainLoops.reluGradientBits(a, c, d, y, n);
            for (int i = 0; i < n; i++) {
                int want = Float.intBitsToFloat(a[i]) > 0f ? c[i] : d;
                if (y[i] != want) throw new AssertionError("a bits " + Integer.toHexString(a[i]) + ", d " + Integer.toHexString(d));
            }
        }
    }
}
