package dev.janus.cuda;

import dev.janus.core.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's arguments in order, as the generated signature declares them: device addresses
 * ({@code T*}), {@code int}, {@code long long}, {@code float}, {@code double} and by-value int
 * arrays (a {@code struct { int v[N]; }}).
 */
final class KernelArgs {
    private final List<byte[]> values = new ArrayList<>();
    /** The tensors whose addresses were passed: kept reachable until the launch, so that their blocks are not freed and reused before it. */
    private final List<Tensor> tensors = new ArrayList<>();
    private BytePointer memory;
    private PointerPointer<?> params;

    KernelArgs pointer(long address) {
        return i64(address);
    }

    /** The device address of a tensor's first element; the tensor stays reachable as long as these arguments. */
    KernelArgs pointer(Tensor t) {
        tensors.add(t);
        return i64(CudaKernels.address(t));
    }

    KernelArgs i32(int v) {
        return add(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    KernelArgs i64(long v) {
        return add(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    KernelArgs f32(float v) {
        return add(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    KernelArgs f64(double v) {
        return add(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
    }

    /** A {@code struct { int v[values.length]; }} passed by value. */
    KernelArgs ints(int[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * Math.max(1, v.length)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return add(b.array());
    }

    private KernelArgs add(byte[] v) {
        values.add(v);
        return this;
    }

    /** The driver's kernelParams: one pointer per argument to its bytes (each at an 8-byte aligned offset). */
    PointerPointer<?> pack() {
        long total = 0;
        for (byte[] v : values) total += (v.length + 7) / 8 * 8;
        memory = new BytePointer(Math.max(8, total));
        params = new PointerPointer<>(values.size());
        long off = 0;
        for (int i = 0; i < values.size(); i++) {
            byte[] v = values.get(i);
            memory.position(off).put(v, 0, v.length);
            params.put(i, new DevicePointer(memory.address() + off));
            off += (v.length + 7) / 8 * 8;
        }
        memory.position(0);
        return params;
    }
}
