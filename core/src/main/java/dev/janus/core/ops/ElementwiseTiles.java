package dev.janus.core.ops;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;
import dev.janus.core.backend.HeapStorage;

import java.util.Arrays;

/**
 * Elementwise work cut into tiles of the output: each operand's elements for a tile are gathered
 * into a small heap register (from any CPU storage, repeated when the operand repeats over the
 * output: a scalar, a bias row), the ops' own heap kernels run on the registers, and the result
 * tile is written back. Registers stay in the first-level cache, so a tile costs about what the
 * kernel costs on arrays, while operands may live anywhere and tiles may run on different threads.
 * Used by the compiler's fused elementwise chains and by native storage's elementwise kernels.
 */
public final class ElementwiseTiles {
    /** Elements per tile: 16 KB of floats, three or four registers fit the first-level cache. */
    public static final int TILE = 4096;
    /** Tiles per thread below which a tiled kernel does not split: {@link CpuThreads#minPartWork()} elements' worth. */
    public static int tilesPerThread() {
        return Math.max(1, CpuThreads.grain(TILE));
    }

    private ElementwiseTiles() {
    }

    /**
     * The period with which an operand of shape {@code operand} repeats over an output of shape
     * {@code out} in row-major order: its element count when, leading 1s aside, it equals the
     * trailing dimensions of {@code out} (a scalar, a bias row; the output's size when it is full);
     * -1 when it broadcasts otherwise.
     */
    public static int period(Shape operand, Shape out) {
        int lead = 0;
        while (lead < operand.rank() && operand.dim(lead) == 1) lead++;
        int r = operand.rank() - lead;
        if (r > out.rank()) return -1;
        for (int i = 0; i < r; i++) if (operand.dim(lead + i) != out.dim(out.rank() - r + i)) return -1;
        return operand.size();
    }

    /**
     * Writes elements [start, start + len) of {@code operand} repeated with {@code period} into
     * register {@code reg} from its element 0. The operand may be in any CPU storage.
     */
    public static void fill(Tensor reg, Tensor operand, int period, int start, int len) {
        Object dst = reg.heapArray();
        if (len == 0) return;
        if (period == 1) {
            operand.storage().toHost(0, dst, 0, 1);
            switch (reg.dtype()) {
                case FLOAT32: Arrays.fill((float[]) dst, 1, len, ((float[]) dst)[0]); break;
                case FLOAT64: Arrays.fill((double[]) dst, 1, len, ((double[]) dst)[0]); break;
                case INT64: Arrays.fill((long[]) dst, 1, len, ((long[]) dst)[0]); break;
                default: Arrays.fill((boolean[]) dst, 1, len, ((boolean[]) dst)[0]);
            }
            return;
        }
        int pos = start % period;
        for (int i = 0; i < len; ) {
            int c = Math.min(period - pos, len - i);
            operand.storage().toHost(pos, dst, i, c);
            i += c;
            pos = 0;
        }
    }

    /** Writes the first {@code len} elements of register {@code reg} into {@code out} at {@code start}. */
    public static void store(Tensor reg, Tensor out, int start, int len) {
        out.storage().fromHost(reg.heapArray(), 0, start, len);
    }

    /** A heap register of the dtype and shape, for tiles. */
    static Tensor register(dev.janus.core.DType dtype, int length) {
        return Tensor.wrap(HeapStorage.allocate(dtype, length), Shape.of(length));
    }
}
