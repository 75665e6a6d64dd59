package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GradientStepTest {
    /** With SGD at learning rate 1 a training step subtracts exactly the gradient: both halves must agree bit for bit. */
    @Test
    void gradientsAreWhatTheTrainingStepSubtracts() {
        Graph forGrads = Models.mlp(DType.FLOAT64, 0), forStep = Models.mlp(DType.FLOAT64, 0);
        Tensor x = Tensor.empty(DType.FLOAT64, Shape.of(6, 4));
        long[] labels = new long[6];
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 4; c++) x.setDouble(r * 4 + c, Math.cos(0.9 * r + 1.3 * c));
            labels[r] = r % 3;
        }
        Tensor y = Tensor.of(labels);
        GradientStep grads = new GradientStep(forGrads, CompileOptions.defaults());
        Plan p = grads.plan(List.of(x.shape(), y.shape()));
        p.input(0).copyFrom(x);
        p.input(1).copyFrom(y);
        List<Tensor> out = grads.run(p, new ExecContext(new Generator(0)));
        List<Tensor> before = new ArrayList<>();
        for (Value v : forGrads.parameters()) before.add(forGrads.parameterValue(v).copy());

        TrainingStep step = new TrainingStep(forStep, new SGD(1.0), CompileOptions.defaults());
        double loss = step.run(new ExecContext(new Generator(0)), x, y).get(0).item();
        assertEquals(loss, out.get(0).item(), 0.0);
        int outputs = forGrads.outputs().size();
        assertEquals(outputs + grads.trainable().size(), out.size());
        for (int k = 0; k < grads.trainable().size(); k++) {
            int i = grads.trainable().get(k);
            Value v = forStep.parameters().get(i);
            double[] b = before.get(i).toDoubleArray(), g = out.get(outputs + k).toDoubleArray(), after = forStep.parameterValue(v).toDoubleArray();
            double[] expected = new double[b.length];
            for (int j = 0; j < b.length; j++) expected[j] = b[j] - g[j];
            assertArrayEquals(expected, after, 0.0, v.name());
            // The gradient step changes nothing.
            assertArrayEquals(b, forGrads.parameterValue(forGrads.parameters().get(i)).toDoubleArray(), 0.0);
        }
    }
}
