package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Generator;
import dev.janus.core.optim.Adam;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long training keeps memory flat: backward frees what each step recorded (about 20 kB of saved
 * activations here), even when the program keeps every loss tensor, as a loop that logs its losses
 * does; what stays is the loss value and a small empty record of the op that made it.
 */
class MemoryTest {
    @Test
    void retainedHeapStaysFlatOverManySteps() {
        Generator.manualSeed(3);
        NNSequential model = new NNSequential(new Linear(4, 64), new ReLU(), new NNDropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Tensor x = Tensor.randn(16, 4), y = Tensor.of(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        List<Tensor> losses = new ArrayList<>();
        Runnable step = () -> {
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            opt.step();
            losses.add(loss);
        };
        for (int i = 0; i < 300; i++) step.run();
        long before = retainedHeap();
        int steps = 2000;
        for (int i = 0; i < steps; i++) step.run();
        long perStep = (retainedHeap() - before) / steps;
        assertTrue(perStep < 2000, "retained heap grew by " + perStep + " bytes per step");
    }

    private static long retainedHeap() {
        Runtime rt = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, rt.totalMemory() - rt.freeMemory());
        }
        return least;
    }
}
