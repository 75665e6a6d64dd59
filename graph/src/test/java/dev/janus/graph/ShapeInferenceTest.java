package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.ShapeException;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Node;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeInferenceTest {
    private static final List<TensorType> BATCH_16 = List.of(TensorType.of(DType.FLOAT32, 16, 4), TensorType.of(DType.INT64, 16));

    @Test
    void specialisingMakesEveryShapeStatic() {
        Graph model = Models.mlp(DType.FLOAT32, 0.3);
        assertEquals(Shape.of(-1, 8), model.nodes().get(2).output().type().shape());
        Graph spec = ShapeInference.specialize(model, BATCH_16);
        for (Node n : spec.nodes()) for (Value v : n.outputs()) assertTrue(v.type().shape().isStatic(), n.toString());
        assertEquals(Shape.of(16, 8), spec.nodes().get(2).output().type().shape());
        assertEquals(model.nodes().size(), spec.nodes().size());
    }

    @Test
    void parametersKeepTheirTensors() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        Graph spec = ShapeInference.specialize(model, BATCH_16);
        assertNotSame(model, spec);
        for (int i = 0; i < model.parameters().size(); i++) {
            assertSame(model.parameterValue(model.parameters().get(i)), spec.parameterValue(spec.parameters().get(i)));
            assertEquals(model.parameters().get(i).name(), spec.parameters().get(i).name());
        }
    }

    @Test
    void aWrongInputNamesTheInputAndBothTypes() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        ShapeException e = assertThrows(ShapeException.class, () -> ShapeInference.specialize(model,
                List.of(TensorType.of(DType.FLOAT32, 16, 5), TensorType.of(DType.INT64, 16))));
        assertEquals("graph mlp: input x expects float32[?, 4], got float32[16, 5]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> ShapeInference.specialize(model, BATCH_16.subList(0, 1)));
        assertEquals("graph mlp: expected 2 inputs, got 1", e.getMessage());
    }

    @Test
    void anErrorFoundOnlyWithTheConcreteShapeNamesTheLayer() {
        Builder b = new Builder("pairs");
        Value x = b.placeholder("x", DType.FLOAT32, 3);
        // Pairs of rows: fine for even batches only, which only the concrete batch shows.
        Value y = b.scope("pair_up", () -> b.ops().one(Ops.RESHAPE, Attrs.of("shape", new int[] {-1, 6}), List.of(x)));
        Graph g = b.build(y);
        assertEquals(Shape.of(-1, 6), y.type().shape());
        assertEquals(Shape.of(2, 6), ShapeInference.specialize(g, List.of(TensorType.of(DType.FLOAT32, 4, 3))).outputs().get(0).type().shape());
        ShapeException e = assertThrows(ShapeException.class,
                () -> ShapeInference.specialize(g, List.of(TensorType.of(DType.FLOAT32, 5, 3))));
        assertEquals("pair_up: reshape: cannot reshape [5, 3] (15 elements) into [-1, 6]", e.getMessage());
    }
}
