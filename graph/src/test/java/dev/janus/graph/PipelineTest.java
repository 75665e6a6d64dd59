package dev.janus.graph;

import dev.janus.core.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which passes a pipeline runs for which options and device. */
class PipelineTest {
    @Test
    void softmaxOnceRunsOnlyForTheCpuWhereItsOpHasAKernel() {
        assertTrue(Pipeline.softmaxOnce(true, Device.cpu()));
        assertFalse(Pipeline.softmaxOnce(false, Device.cpu()));
        // LossWithSoftmax has no CUDA kernel: a CUDA step keeps softmax_cross_entropy and softmax apart
        assertFalse(Pipeline.softmaxOnce(true, Device.cuda(0)));
        assertFalse(Pipeline.softmaxOnce(true, Device.cuda(1)));
    }

    @Test
    void theDefaultCpuPipelineRunsSoftmaxOnce() {
        assertTrue(Pipeline.of(CompileOptions.defaults()).passes().stream().anyMatch(p -> p instanceof SoftmaxOnce));
        assertFalse(Pipeline.of(CompileOptions.none()).passes().stream().anyMatch(p -> p instanceof SoftmaxOnce));
    }
}
