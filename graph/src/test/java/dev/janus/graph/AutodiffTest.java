package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.GraphEmitter;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Ops;
import dev.janus.core.testing.Close;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutodiffTest {
    private static final ExecContext CTX = new ExecContext(new Generator(1));

    @Test
    void mlpGradientsMatchFiniteDifferences() {
        Graph model = Models.mlp(DType.FLOAT64, 0);
        Tensor x = Models.features(DType.FLOAT64, 5, 6), y = Models.labels(6, 6);
        Graph spec = ShapeInference.specialize(model, List.of(x.type(), y.type()));
        Graph lossOnly = ShapeInference.specialize(model, List.of(x.type(), y.type()));
        GraphEmitter e = new GraphEmitter(spec);
        List<Value> params = spec.parameters();
        List<Value> grads = Autodiff.gradients(e, spec.outputs().get(0), params);
        for (Value g : grads) spec.addOutput(g);
        List<Tensor> out = Interpreter.run(spec, List.of(x, y), CTX);

        double h = 1e-6;
        for (int k = 0; k < params.size(); k++) {
            Tensor p = spec.parameterValue(params.get(k));
            Tensor analytic = out.get(2 + k);
            assertEquals(p.shape(), analytic.shape());
            double[] a = p.f64();
            for (int j = 0; j < a.length; j++) {
                double keep = a[j];
                a[j] = keep + h;
                double plus = Interpreter.run(lossOnly, List.of(x, y), CTX).get(0).item();
                a[j] = keep - h;
                double minus = Interpreter.run(lossOnly, List.of(x, y), CTX).get(0).item();
                a[j] = keep;
                Close.check((plus - minus) / (2 * h), analytic.readDouble(j), 1e-6, 1e-8, params.get(k) + "[" + j + "]");
            }
        }
    }

    @Test
    void gradientsOfAValueUsedTwiceAddUp() {
        Graph g = new Graph("twice");
        GraphEmitter e = new GraphEmitter(g);
        Value w = g.parameter("w", Tensor.of(new double[] {1, -2, 0.5}));
        Value loss = e.one(Ops.SUM, Attrs.NONE, List.of(e.add(e.mul(w, w), w)));
        Value grad = Autodiff.gradients(e, loss, List.of(w)).get(0);
        g.addOutput(grad);
        // d/dw sum(w^2 + w) = 2w + 1
        Close.assertClose(new double[] {3, -3, 2}, Interpreter.run(g, List.of(), CTX).get(0), 0, 0);
    }

    @Test
    void backwardNodesAreLabelledAfterTheirForwardNode() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        Graph spec = ShapeInference.specialize(model, List.of(TensorType.of(DType.FLOAT32, 2, 4), TensorType.of(DType.INT64, 2)));
        int before = spec.nodes().size();
        Autodiff.gradients(new GraphEmitter(spec), spec.outputs().get(0), spec.parameters());
        assertTrue(spec.nodes().size() > before);
        for (int i = before; i < spec.nodes().size(); i++) {
            String label = spec.nodes().get(i).label();
            assertTrue(label.startsWith("backward of "), label);
        }
    }

    @Test
    void aParameterTheLossDoesNotReachHasNoGradient() {
        Graph g = new Graph("unused");
        GraphEmitter e = new GraphEmitter(g);
        Value w = g.parameter("w", Tensor.ones(DType.FLOAT64, 2));
        Value unused = g.parameter("u", Tensor.ones(DType.FLOAT64, 2));
        Value loss = e.one(Ops.SUM, Attrs.NONE, List.of(e.exp(w)));
        List<Value> grads = Autodiff.gradients(e, loss, List.of(w, unused));
        assertNull(grads.get(1));
    }

    @Test
    void dynamicShapesAreRefused() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        ShapeException e = assertThrows(ShapeException.class,
                () -> Autodiff.gradients(new GraphEmitter(model), model.outputs().get(0), model.parameters()));
        assertEquals("autodiff: input x has shape [?, 4]; specialise the graph to static shapes first (gradient rules read shapes)",
                e.getMessage());
    }
}
