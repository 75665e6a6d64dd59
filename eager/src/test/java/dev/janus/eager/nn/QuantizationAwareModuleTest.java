package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.quant.FakeQuantization;
import dev.janus.core.testing.Close;
import dev.janus.eager.EagerEmitter;
import dev.janus.eager.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantization-aware training in the PyTorch-style front end: in training mode a Linear computes with
 * its weight fake-quantized per output row and its input per tensor, in eval mode it is the float
 * layer; the weight's gradient passes straight through the rounding, and the bias's (after the
 * last rounding, so smooth) matches central finite differences.
 */
class QuantizationAwareModuleTest {
    private static final EagerEmitter E = new EagerEmitter();

    private static Tensor x() {
        return Tensor.from(dev.janus.core.Tensor.normal(0, 1, DType.FLOAT64, new Generator(5), 6, 4));
    }

    private static Linear layer() {
        Generator.manualSeed(11);
        return new Linear(4, 3, true, DType.FLOAT64);
    }

    @Test
    void trainingModeComputesWithTheQuantizedWeightAndInput() {
        Linear fc = layer();
        fc.quantizationAware(true);
        Tensor y = fc.forward(x());
        Tensor want = F.linear(FakeQuantization.activation(E, x()), FakeQuantization.weight(E, fc.weight, 0), fc.bias);
        Close.assertClose(want.value(), y.value(), 0, 0);
        double off = Close.maxRelError(y.value(), F.linear(x(), fc.weight, fc.bias).value(), 1e-3);
        assertTrue(off > 1e-4, "the quantized output is within " + off + " of the float one");
        fc.eval();
        Close.assertClose(F.linear(x(), fc.weight, fc.bias).value(), fc.forward(x()).value(), 0, 0);
    }

    @Test
    void gradientsPassStraightThroughAndMatchFiniteDifferencesWhereSmooth() {
        Linear fc = layer();
        fc.quantizationAware(true);
        Tensor g = Tensor.from(dev.janus.core.Tensor.normal(0, 1, DType.FLOAT64, new Generator(6), 6, 3));
        fc.forward(x()).mul(g).sum().backward();
        // Straight through: the weight's gradient is that of the product at the quantized weight and input.
        Tensor wq = Tensor.from(FakeQuantization.weight(E, fc.weight, 0).value()).requiresGrad(true);
        F.linear(FakeQuantization.activation(E, x()), wq, Tensor.from(fc.bias.value())).mul(g).sum().backward();
        Close.assertClose(wq.grad().value(), fc.weight.grad().value(), 1e-12, 1e-12);
        // The bias comes after every rounding: the loss is smooth in it.
        double h = 1e-6;
        double[] b = fc.bias.value().toDoubleArray(), grad = fc.bias.grad().value().toDoubleArray();
        for (int i = 0; i < b.length; i++) {
            fc.bias.value().setDouble(i, b[i] + h);
            double up = fc.forward(x()).mul(g).sum().value().readDouble(0);
            fc.bias.value().setDouble(i, b[i] - h);
            double down = fc.forward(x()).mul(g).sum().value().readDouble(0);
            fc.bias.value().setDouble(i, b[i]);
            assertTrue(Math.abs((up - down) / (2 * h) - grad[i]) <= 1e-6, "bias " + i + ": finite differences " + (up - down) / (2 * h) + ", gradient " + grad[i]);
        }
    }
}
