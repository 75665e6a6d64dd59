package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensors and modules on devices, PyTorch's names: to(device), device(), cpu(), module.to(device). */
class DeviceTest {
    @Test
    void tensorsKnowTheirDevice() {
        Tensor x = Tensor.of(new float[] {1, 2});
        assertEquals(Device.CPU, x.device());
        assertSame(x, x.to(Device.CPU));
        assertSame(x, x.cpu());
        JanusException e = assertThrows(JanusException.class, () -> x.to(Device.cuda()));
        assertTrue(e.getMessage().contains("no CUDA backend"), e.getMessage());
    }

    @Test
    void moduleToAnUnavailableDeviceMovesNothing() {
        NNSequential m = new NNSequential(new Linear(3, 2));
        List<Tensor> before = m.parameters();
        assertThrows(JanusException.class, () -> m.to(Device.parse("cuda:0")));
        assertSame(m, m.to(Device.CPU));
        assertEquals(before, m.parameters());
        for (Tensor p : m.parameters()) assertEquals(Device.CPU, p.device());
    }

    /** A step on native-storage inputs gives the heap step's loss and weights bit for bit. */
    @Test
    void trainingOnNativeStorageMatchesTheHeap() {
        float[][] losses = new float[2][];
        float[][] weights = new float[2][];
        for (int run = 0; run < 2; run++) {
            Generator.manualSeed(3);
            NNSequential m = new NNSequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
            EagerOptimizer opt = new EagerOptimizer(new Adam(1e-2), m.parameters());
            Tensor xs = Tensor.randn(new Generator(1), 6, 4);
            Tensor ys = Tensor.of(new long[] {0, 1, 2, 0, 1, 2});
            if (run == 1) {
                xs = xs.to(StorageKind.NATIVE);
                ys = ys.to(StorageKind.NATIVE);
            }
            losses[run] = new float[3];
            for (int step = 0; step < 3; step++) {
                opt.zeroGrad();
                Tensor loss = new CrossEntropyLoss().forward(m.forward(xs), ys);
                if (run == 1) assertEquals(StorageKind.NATIVE, loss.storage().kind());
                loss.backward();
                opt.step();
                losses[run][step] = (float) loss.item();
            }
            weights[run] = m.parameters().get(0).toFloatArray();
        }
        assertArrayEquals(losses[0], losses[1]);
        assertArrayEquals(weights[0], weights[1]);
    }
}
