package dev.janus.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The host side of a launch, without a GPU: the arguments are packed as cuLaunchKernel reads them
 * (one pointer per argument, each to its little-endian bytes at an 8-byte aligned offset, int
 * arrays as a by-value struct), and index_add's work list keeps the CPU kernel's order of sums.
 */
class KernelArgsTest {
    private static byte[] bytes(PointerPointer<?> params, int i, int n) {
        Pointer p = params.get(i);
        byte[] b = new byte[n];
        new BytePointer(p).capacity(n).get(b);
        return b;
    }

    private static byte[] le(int capacity, java.util.function.Consumer<ByteBuffer> put) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        put.accept(b);
        return b.array();
    }

    @Test
    void eachArgumentIsItsLittleEndianBytesAtAnAlignedOffset() {
        KernelArgs args = new KernelArgs().pointer(0x7f00_1234_5678L).i32(-3).f32(1.5f).f64(-2.25).i64(1L << 40).ints(new int[] {1, 2, 3});
        PointerPointer<?> params = args.pack();
        assertArrayEquals(le(8, b -> b.putLong(0x7f00_1234_5678L)), bytes(params, 0, 8));
        assertArrayEquals(le(4, b -> b.putInt(-3)), bytes(params, 1, 4));
        assertArrayEquals(le(4, b -> b.putFloat(1.5f)), bytes(params, 2, 4));
        assertArrayEquals(le(8, b -> b.putDouble(-2.25)), bytes(params, 3, 8));
        assertArrayEquals(le(8, b -> b.putLong(1L << 40)), bytes(params, 4, 8));
        assertArrayEquals(le(12, b -> b.putInt(1).putInt(2).putInt(3)), bytes(params, 5, 12));
        long base = params.get(0).address();
        long[] offsets = {0, 8, 16, 24, 32, 40};
        for (int i = 0; i < offsets.length; i++) assertEquals(base + offsets[i], params.get(i).address(), "argument " + i);
    }

    @Test
    void indexAddSumsEachTargetInIndexOrder() {
        int[][] plan = CudaKernels.bySource(new int[] {4, 1, 4, 0, 1, 4});
        assertArrayEquals(new int[] {4, 1, 0}, plan[0], "each target once, in order of first appearance");
        assertArrayEquals(new int[] {0, 3, 5, 6}, plan[1]);
        assertArrayEquals(new int[] {0, 2, 5, 1, 4, 3}, plan[2], "sources of each target in index order");
        int[][] none = CudaKernels.bySource(new int[0]);
        assertArrayEquals(new int[] {0}, none[1]);
    }
}
