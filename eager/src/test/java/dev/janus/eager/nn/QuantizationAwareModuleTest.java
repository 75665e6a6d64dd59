package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.quant.FakeQuantization;
import dev.janus.core.testing.Close;
import dev.janus.eager.EagerEmitter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
        return Tensor.normal(0, 1, DType.FLOAT64, new Generator(5), 6, 4);
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
        Close.assertClose(want, y, 0, 0);
        double off = Close.maxRelError(y, F.linear(x(), fc.weight, fc.bias), 1e-3);
        assertTrue(off > 1e-4, "the quantized output is within " + off + " of the float one");
        fc.eval();
        Close.assertClose(F.linear(x(), fc.weight, fc.bias), fc.forward(x()), 0, 0);
    }

    /** The setting reaches every descendant, and reads back (off by default). */
    @Test
    void theSettingReachesDescendants() {
        Linear fc = layer();
        NNSequential net = new NNSequential(fc, new ReLU());
        assertFalse(net.quantizationAware() || fc.quantizationAware());
        net.quantizationAware(true);
        assertTrue(net.quantizationAware() && fc.quantizationAware());
        net.quantizationAware(false);
        assertFalse(net.quantizationAware() || fc.quantizationAware());
    }

    @Test
    void gradientsPassStraightThroughAndMatchFiniteDifferencesWhereSmooth() {
        Linear fc = layer();
        fc.quantizationAware(true);
        Tensor g = Tensor.normal(0, 1, DType.FLOAT64, new Generator(6), 6, 3);
        fc.forward(x()).mul(g).sum().backward();
        // Straight through: the weight's gradient is that of the product at the quantized weight and input.
        Tensor wq = FakeQuantization.weight(E, fc.weight, 0).detach().requiresGrad(true);
        F.linear(FakeQuantization.activation(E, x()), wq, fc.bias.detach()).mul(g).sum().backward();
        Close.assertClose(wq.grad(), fc.weight.grad(), 1e-12, 1e-12);
        // The bias comes after every rounding: the loss is smooth in it.
        double h = 1e-6;
        double[] b = fc.bias.f64(), grad = fc.bias.grad().toDoubleArray();
        for (int i = 0; i < b.length; i++) {
            double keep = b[i];
            b[i] = keep + h;
            double up = fc.forward(x()).mul(g).sum().readDouble(0);
            b[i] = keep - h;
            double down = fc.forward(x()).mul(g).sum().readDouble(0);
            b[i] = keep;
            assertTrue(Math.abs((up - down) / (2 * h) - grad[i]) <= 1e-6, "bias " + i + ": finite differences " + (up - down) / (2 * h) + ", gradient " + grad[i]);
        }
    }
}
