package dev.janus.cuda;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * On a machine without a usable GPU (CI): the backend is found and loads, says why CUDA cannot be
 * used, refuses CUDA devices with a clear error and leaves the CPU untouched.
 */
class NoGpuTest {
    @Test
    void theBackendRegistersAndExplainsWhyNoDeviceCanBeUsed() {
        assumeFalse(Cuda.isAvailable(), "a CUDA device is present: the no-GPU path is not the one here");
        assertTrue(StorageKind.all().stream().anyMatch(k -> k.name().equals("cuda")), "found through ServiceLoader");
        assertEquals(0, Cuda.deviceCount());
        assertNotNull(Cuda.unavailableReason());
        assertFalse(Device.cuda().isAvailable());

        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        JanusException e = assertThrows(JanusException.class, () -> x.to(Device.cuda()));
        assertTrue(e.getMessage().startsWith("no CUDA device/driver found ("), e.getMessage());
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        assertEquals(Device.CPU, x.device(), "nothing changed");
        assertThrows(JanusException.class, () -> StorageKind.forDevice(Device.cuda(1)));
        assertThrows(JanusException.class, () -> StorageKind.named("cuda").empty(DType.FLOAT32, dev.janus.core.Shape.of(2), Device.cuda()));

        // The CPU is unaffected.
        Tensor y = dev.janus.core.ops.Ops.ADD.run(new dev.janus.core.ops.ExecContext(new dev.janus.core.Generator(1)),
                dev.janus.core.ops.Attrs.NONE, x, x)[0];
        assertArrayEquals(new float[] {2, 4, 6}, y.toFloatArray());
    }

    @Test
    void theReasonNamesWhatIsMissing() {
        assumeFalse(Cuda.isAvailable(), "a CUDA device is present");
        String r = Cuda.unavailableReason();
        // Without the libraries: the load failure; with the CPU-only set-up (stub driver): error 35.
        assertTrue(r.contains("could not be loaded") || r.contains("cudaGetDeviceCount"), r);
    }
}
