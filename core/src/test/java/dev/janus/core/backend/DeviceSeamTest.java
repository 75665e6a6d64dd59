package dev.janus.core.backend;

import dev.janus.core.DType;
import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Kernels;
import dev.janus.core.ops.Ops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices as values, and the seam a device backend plugs into, exercised with a stand-in CUDA
 * backend (device memory played by Java arrays) that is registered only inside each test.
 */
class DeviceSeamTest {
    /** A stand-in for a CUDA backend: one device, storage that the host reaches only by copies. */
    static final class FakeCuda extends StorageKind {
        FakeCuda() {
            super("fake-cuda", Device.CUDA_TYPE);
        }

        @Override
        public Storage allocate(DType dtype, int length, Device device) {
            return new FakeStorage(this, HeapStorage.allocate(dtype, length), device);
        }
    }

    static final class FakeStorage extends Storage {
        final StorageKind kind;
        final HeapStorage memory;
        final Device device;

        FakeStorage(StorageKind kind, HeapStorage memory, Device device) {
            super(memory.dtype(), memory.length());
            this.kind = kind;
            this.memory = memory;
            this.device = device;
        }

        @Override public StorageKind kind() { return kind; }
        @Override public Device device() { return device; }
        @Override public double getDouble(int i) { return memory.getDouble(i); }
        @Override public void setDouble(int i, double v) { memory.setDouble(i, v); }
        @Override public void fill(double v) { memory.fill(v); }
        @Override public void toHost(int pos, Object array, int arrayPos, int len) { memory.toHost(pos, array, arrayPos, len); }
        @Override public void fromHost(Object array, int arrayPos, int pos, int len) { memory.fromHost(array, arrayPos, pos, len); }
    }

    private interface Body {
        void run(StorageKind cuda);
    }

    private static void withFakeCuda(Body body) {
        StorageKind cuda = new FakeCuda();
        StorageKind.register(cuda);
        try {
            body.run(cuda);
        } finally {
            StorageKind.unregister(cuda);
        }
    }

    @Test
    void devicesAreValues() {
        assertSame(Device.CPU, Device.cpu());
        assertSame(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(1), Device.parse("CUDA:1"));
        assertEquals(Device.cuda(1).hashCode(), Device.parse("cuda:1").hashCode());
        assertNotEquals(Device.cuda(0), Device.cuda(1));
        assertNotEquals(Device.CPU, Device.cuda());
        assertEquals("cpu", Device.CPU.toString());
        assertEquals("cuda:2", Device.cuda(2).toString());
        assertEquals("cuda", Device.cuda(2).type());
        assertEquals(2, Device.cuda(2).index());
        assertTrue(Device.CPU.isAvailable());
    }

    @Test
    void unknownDeviceStringsAreClearErrors() {
        for (String s : new String[] {"tpu", "tpu:0", "cuda:x", "cuda:-1", "cpu:1", ""}) {
            JanusException e = assertThrows(JanusException.class, () -> Device.parse(s), s);
            assertTrue(e.getMessage().startsWith("unknown device '" + s + "'"), e.getMessage());
        }
        assertThrows(JanusException.class, () -> Device.cuda(-1));
    }

    @Test
    void withoutACudaBackendCudaIsAClearErrorAndNothingElseBreaks() {
        assertFalse(Device.cuda().isAvailable());
        Tensor x = Tensor.of(new float[] {1, 2});
        JanusException e = assertThrows(JanusException.class, () -> x.to(Device.cuda()));
        assertTrue(e.getMessage().startsWith("no CUDA backend is registered, so cuda:0 cannot be used"), e.getMessage());
        assertThrows(JanusException.class, () -> new ExecContext(Device.cuda(), new Generator(1)));
        assertThrows(JanusException.class, () -> Tensor.empty(DType.FLOAT32, Shape.of(2), Device.cuda()));
        assertSame(Device.CPU, x.device());
        assertArrayEquals(new float[] {1, 2}, x.toFloatArray());
        assertArrayEquals(new float[] {2, 4}, Ops.ADD.run(ExecContext.global(), Attrs.NONE, x, x)[0].toFloatArray());
    }

    @Test
    void aRegisteredBackendServesItsDevices() {
        withFakeCuda(cuda -> {
            assertTrue(Device.cuda().isAvailable());
            assertFalse(Device.cuda(1).isAvailable());
            assertSame(cuda, StorageKind.forDevice(Device.cuda()));
            Tensor x = Tensor.of(new float[] {1, -2, 3});
            Tensor g = x.to(Device.cuda());
            assertEquals(Device.cuda(), g.device());
            assertSame(cuda, g.storage().kind());
            assertSame(g, g.to(Device.cuda()));
            assertArrayEquals(new float[] {1, -2, 3}, g.cpu().toFloatArray());
            assertSame(StorageKind.HEAP, g.cpu().storage().kind());
            JanusException e = assertThrows(JanusException.class, () -> x.to(Device.cuda(1)));
            assertTrue(e.getMessage().contains("cuda:1 is not available"), e.getMessage());
            assertEquals(Device.cuda(), new ExecContext(Device.cuda(), new Generator(1)).allocate(DType.FLOAT32, Shape.of(2)).device());
        });
    }

    @Test
    void mixedDevicesAreAnErrorNamingBothAndChangeNothing() {
        withFakeCuda(cuda -> {
            Tensor a = Tensor.of(new float[] {1, 2}), b = a.to(Device.cuda());
            JanusException e = assertThrows(JanusException.class, () -> Ops.ADD.run(ExecContext.global(), Attrs.NONE, a, b));
            assertEquals("add: expected all tensors on one device, found cpu and cuda:0 (move them with to(device))", e.getMessage());
            Tensor[] out = {Tensor.zeros(2)};
            assertThrows(JanusException.class, () -> Ops.ADD.execute(new Tensor[] {a, a}, Attrs.NONE, new Tensor[] {b}, ExecContext.global()));
            assertArrayEquals(new float[] {1, 2}, a.toFloatArray());
            assertArrayEquals(new float[] {1, 2}, b.toFloatArray());
            assertArrayEquals(new float[] {0, 0}, out[0].toFloatArray());
        });
    }

    @Test
    void aMissingKernelIsAnErrorNamingOpAndDevice() {
        withFakeCuda(cuda -> {
            Tensor g = Tensor.of(new float[] {1, 2}).to(Device.cuda());
            JanusException e = assertThrows(JanusException.class, () -> Ops.EXP.run(ExecContext.global(), Attrs.NONE, g));
            assertEquals("exp: no kernel for cuda:0 (fake-cuda storage) is registered, and fake-cuda storage does not fall back to the host",
                    e.getMessage());
            assertArrayEquals(new float[] {1, 2}, g.toFloatArray());
        });
    }

    @Test
    void aRegisteredKernelRunsOnItsStorageAndOutputsStayOnTheDevice() {
        withFakeCuda(cuda -> {
            Kernels.register(Ops.NEG, cuda, (in, attrs, out, ctx) -> {
                for (int i = 0; i < in[0].numel(); i++) out[0].setDouble(i, -in[0].readDouble(i) * 10);
            });
            Tensor g = Tensor.of(new float[] {1, 2}).to(Device.cuda());
            Tensor y = Ops.NEG.run(ExecContext.global(), Attrs.NONE, g)[0];
            assertEquals(Device.cuda(), y.device());
            assertSame(cuda, y.storage().kind());
            assertArrayEquals(new float[] {-10, -20}, y.toFloatArray(), "the registered kernel ran, not the CPU one");
        });
    }

    @Test
    void registeringAHeapKernelIsRefused() {
        assertThrows(JanusException.class, () -> Kernels.register(Ops.NEG, StorageKind.HEAP, (in, a, out, ctx) -> { }));
    }
}
