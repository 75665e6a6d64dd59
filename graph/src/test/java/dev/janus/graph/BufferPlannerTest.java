package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.backend.StoragePolicy;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.janus.graph.PassTesting.lines;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferPlannerTest {
    private static Graph chain() {
        Graph g = new Graph("chain");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 4, 3));
        Value a = e.exp(x);
        Value b = e.sum(a, new int[] {1}, true);
        Value c = e.div(a, b);
        Value d = e.matmul(c, e.constant(Tensor.ones(3, 2)), false, false);
        g.addOutput(e.tanh(d));
        return g;
    }

    private static void sameAsInterpreter(Graph g, Plan plan, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) plan.input(i).copyFrom(inputs[i]);
        List<Tensor> got = plan.run(new ExecContext(new Generator(3)));
        List<Tensor> want = Interpreter.run(g, List.of(inputs), new ExecContext(new Generator(3)));
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).toDoubleArray(), got.get(i).toDoubleArray(), 0.0);
    }

    @Test
    void valuesShareBuffersWhenTheirLifetimesDoNotOverlap() {
        Graph g = chain();
        Plan plan = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults());
        assertEquals(lines(
                "plan chain {",
                "  %1: float32[4, 3] = exp(x)",
                "    -> b1",
                "  %2: float32[4, 1] = sum(%1) {axes=[1], keepdims=true}",
                "    -> b2",
                "  %3: float32[4, 3] = div(%1, %2)",
                "    -> b1 (in place of %1)",
                "  %5: float32[4, 2] = matmul(%3, %4) {transA=false, transB=false}",
                "    -> b3",
                "  %6: float32[4, 2] = tanh(%5)",
                "    -> b3 (in place of %5)",
                "}"), plan.layout());
        assertEquals(3, plan.bufferCount());
        assertEquals(4 * (12 + 4 + 8), plan.bufferBytes());
        assertEquals(5, BufferPlanner.plan(g, Map.of(), CompileOptions.defaults().bufferReuse(false).inPlace(false)).bufferCount());
        sameAsInterpreter(g, plan, Tensor.randn(new Generator(1), 4, 3));
    }

    @Test
    void aFreedBufferIsReusedForAValueOfTheSameSize() {
        Graph g = new Graph("reuse");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 6));
        Value a = e.exp(x);
        Value s = e.sum(a, new int[] {0}, true);
        Value r = e.reshape(e.expand(s, dev.janus.core.Shape.of(6)), dev.janus.core.Shape.of(2, 3));
        g.addOutput(r);
        Plan plan = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults());
        assertTrue(plan.layout().contains("%3: float32[6] = expand(%2) {shape=[6]}\n    -> b1"), plan.layout());
        assertTrue(plan.layout().contains("%4: float32[2, 3] = reshape(%3) {shape=[2, 3]}\n    -> b3"), plan.layout());
        sameAsInterpreter(g, plan, Tensor.randn(new Generator(2), 6));
    }

    @Test
    void updatesLandInTheParameterUnlessItIsStillRead() {
        Graph g = new Graph("update");
        GraphEmitter e = new GraphEmitter(g);
        Value w = g.parameter("w", Tensor.of(new float[] {1, 2, 3}));
        Value v = g.parameter("v", Tensor.of(new float[] {4, 5, 6}));
        Value w2 = e.mul(w, 2);            // last reader of w: lands in w
        Value v2 = e.add(v, 1);            // v is read again below: copied after the run
        Value sum = e.add(v, w2);
        g.addOutput(sum);
        g.addOutput(w2);
        g.addOutput(v2);
        Plan plan = BufferPlanner.plan(g, Map.of(1, 0, 2, 1), CompileOptions.defaults());
        assertTrue(plan.layout().contains("= mul(w, %2)\n    -> param w"), plan.layout());
        assertEquals(1, plan.copiedUpdates());
        List<Tensor> out = plan.run(new ExecContext(new Generator(0)));
        assertArrayEquals(new float[] {6, 9, 12}, out.get(0).f32());
        assertArrayEquals(new float[] {2, 4, 6}, g.parameterValue(w).f32());
        assertArrayEquals(new float[] {5, 6, 7}, g.parameterValue(v).f32());
    }

    @Test
    void withoutInPlaceEveryUpdateIsCopied() {
        Graph g = new Graph("copied");
        GraphEmitter e = new GraphEmitter(g);
        Value w = g.parameter("w", Tensor.of(new float[] {1, 2}));
        g.addOutput(e.mul(w, 3));
        Plan plan = BufferPlanner.plan(g, Map.of(0, 0), CompileOptions.defaults().inPlace(false));
        assertEquals(1, plan.copiedUpdates());
        plan.run(new ExecContext(new Generator(0)));
        plan.run(new ExecContext(new Generator(0)));
        assertArrayEquals(new float[] {9, 18}, g.parameterValue(w).f32());
    }

    /** A chain whose values are large (256 x 512) but for one small sum. */
    private static Graph large() {
        Graph g = new Graph("large");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 256, 512));
        Value h = e.one(Ops.RELU, Attrs.NONE,
                List.of(e.matmul(x, e.constant(Tensor.randn(new Generator(4), 512, 512)), false, false)));
        g.addOutput(e.sum(e.exp(e.mul(h, 0.01)), new int[] {0}, false));
        g.addOutput(h);
        return g;
    }

    @Test
    void largeBuffersGoToNativeMemoryAndClosingThePlanReleasesThem() {
        Graph g = large();
        Tensor x = Tensor.randn(new Generator(5), 256, 512);
        long before = Pointer.totalBytes();
        Plan auto = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults().storage(StoragePolicy.auto()));
        Plan heap = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults().storage(StorageKind.HEAP));
        assertTrue(Pointer.totalBytes() > before, "the auto plan holds native memory");
        assertTrue(auto.layout().contains(" native"), auto.layout());
        assertEquals(StorageKind.NATIVE, auto.input(0).storage().kind(), "a 131,072-element input");
        sameAsInterpreter(g, auto, x);
        sameAsInterpreter(g, heap, x);
        assertEquals(StorageKind.HEAP, auto.outputs().get(0).storage().kind(), "the 512-element sum stays on the heap");
        assertEquals(StorageKind.NATIVE, auto.outputs().get(1).storage().kind());
        assertArrayEquals(heap.outputs().get(0).toFloatArray(), auto.outputs().get(0).toFloatArray(), "bit for bit");

        long held = Pointer.totalBytes();
        auto.close();
        assertTrue(held - Pointer.totalBytes() >= 2 * 4 * 256 * 512,
                "closing the plan released its buffers at once (the input and the product's at least)");
        JanusException e = assertThrows(JanusException.class,
                () -> auto.run(new ExecContext(new Generator(3))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        auto.close();
    }

    @Test
    void byDefaultLargeBuffersOfProductsGoNativeAndTheResultsKeepTheirBits() {
        Graph g = large();
        Tensor x = Tensor.randn(new Generator(5), 256, 512);
        Plan plan = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults());
        Plan heap = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults().storage(StorageKind.HEAP));
        assertEquals(StorageKind.NATIVE, plan.input(0).storage().kind(), "the product reads the 131,072-element input");
        assertTrue(plan.layout().contains(" native"), plan.layout());
        assertEquals(StorageKind.HEAP, plan.outputs().get(1).storage().kind(), "outputs stay where the caller reads them");
        assertTrue(heap.layout().indexOf(" native") < 0, "an explicit heap choice keeps every buffer on the heap: " + heap.layout());
        assertTrue(BufferPlanner.plan(g, Map.of(), CompileOptions.defaults().nativeProducts(false)).layout().indexOf(" native") < 0);
        sameAsInterpreter(g, plan, x);
        sameAsInterpreter(g, heap, x);
        for (int i = 0; i < 2; i++) assertArrayEquals(heap.outputs().get(i).toFloatArray(), plan.outputs().get(i).toFloatArray(), "bit for bit");
        plan.close();
    }

    /** exp on native storage is ND4J's (other bits): a buffer it touches stays on the heap even when a product reads it. */
    @Test
    void buffersOfOpsThatRoundDifferentlyNativeStayOnTheHeap() {
        Graph g = new Graph("exp-product");
        GraphEmitter e = new GraphEmitter(g);
        Value x = g.input("x", TensorType.of(DType.FLOAT32, 256, 512));
        Value y = e.exp(e.mul(x, 0.01));
        g.addOutput(e.sum(e.matmul(y, e.constant(Tensor.randn(new Generator(4), 512, 8)), false, false), new int[] {0}, false));
        Plan plan = BufferPlanner.plan(g, Map.of(), CompileOptions.defaults());
        assertTrue(plan.layout().indexOf(" native") < 0, plan.layout());
        sameAsInterpreter(g, plan, Tensor.randn(new Generator(5), 256, 512));
    }
}
