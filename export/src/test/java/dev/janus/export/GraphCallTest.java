package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An imported model applied through an emitter: run now, or inlined into a bigger graph with its own parameters. */
class GraphCallTest {
    private static final ExecContext CTX = new ExecContext(new Generator(0));

    @Test
    void runsNowLikeTheInterpreter() {
        Graph model = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        Tensor x = Tensor.randn(new Generator(3), 6, 4);
        Tensor want = Interpreter.run(model, List.of(x), CTX).get(0);
        Tensor got = GraphCall.call(model, new Immediate(CTX), List.of(x), model::parameterValue).get(0);
        assertArrayEquals(want.f32(), got.f32());
    }

    @Test
    void inlinesIntoAnotherGraphWithTheCallersParameters() {
        Graph model = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        Graph outer = new Graph("fine_tune");
        Value x = outer.input("x", TensorType.of(DType.FLOAT32, -1, 4));
        List<Value> params = model.parameters();
        Value logp = GraphCall.call(model, new GraphEmitter(outer), List.of(x),
                p -> outer.parameter("imported." + p.name(), model.parameterValue(p).copy())).get(0);
        outer.addOutput(outer.apply1(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE, logp, outer.input("y", TensorType.of(DType.INT64, -1))));
        assertEquals(params.size(), outer.parameters().size());
        assertEquals("imported.0.weight", outer.parameters().get(0).name());
        Tensor xs = Tensor.randn(new Generator(4), 5, 4);
        Tensor ys = Tensor.of(new long[] {0, 2, 1, 1, 0});
        Tensor loss = Interpreter.run(outer, List.of(xs, ys), CTX).get(0);
        Tensor direct = Immediate.global().apply(Ops.SOFTMAX_CROSS_ENTROPY, Attrs.NONE,
                List.of(Interpreter.run(model, List.of(xs), CTX).get(0), ys)).get(0);
        assertEquals(direct.item(), loss.item(), 0);
    }

    @Test
    void theInputCountMustMatch() {
        Graph model = OnnxImporter.load(OnnxNodeTest.resource("onnx-models/torch-mlp/model.onnx"));
        JanusException e = assertThrows(JanusException.class, () -> GraphCall.call(model, Immediate.global(), List.of(), model::parameterValue));
        assertEquals("graph main_graph takes 1 inputs, got 0", e.getMessage());
    }
}
