package dev.janus.core.ops;

import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.CpuThreads;

import java.util.HashMap;
import java.util.Map;

/**
 * An elementwise op's own heap kernel run tile by tile ({@link ElementwiseTiles}) on operands in
 * other CPU storage (native): no whole-tensor copies, the same numbers as on the heap bit for bit,
 * and large tensors split across threads. An operand that broadcasts other than by repeating (a
 * column, say) falls back to staging the whole call through the host ({@link Staged}).
 */
final class TiledElementwise implements Kernel {
    private final Op op;
    private final Staged whole;
    // Registers per thread, keyed by the dtypes and the tile length.
    private final ThreadLocal<Map<Long, Tensor[]>> registers = ThreadLocal.withInitial(HashMap::new);

    TiledElementwise(Op op) {
        this.op = op;
        this.whole = new Staged(op);
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Shape shape = out[0].shape();
        int size = shape.size();
        int[] period = new int[in.length];
        for (int j = 0; j < in.length; j++) {
            period[j] = ElementwiseTiles.period(in[j].shape(), shape);
            if (period[j] < 0) {
                whole.compute(in, attrs, out, ctx);
                return;
            }
        }
        int tile = ElementwiseTiles.TILE, tiles = (size + tile - 1) / tile;
        CpuThreads.parallelFor(tiles, ElementwiseTiles.tilesPerThread(), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int start = t * tile, len = Math.min(tile, size - start);
                Tensor[] regs = registers(in, out, len);
                Tensor[] ri = new Tensor[in.length], ro = new Tensor[out.length];
                System.arraycopy(regs, 0, ri, 0, in.length);
                System.arraycopy(regs, in.length, ro, 0, out.length);
                for (int j = 0; j < in.length; j++) ElementwiseTiles.fill(ri[j], in[j], period[j], start, len);
                op.compute(ri, attrs, ro, ctx);
                for (int k = 0; k < out.length; k++) ElementwiseTiles.store(ro[k], out[k], start, len);
            }
        });
    }

    private Tensor[] registers(Tensor[] in, Tensor[] out, int len) {
        long key = len;
        for (Tensor t : in) key = key * 8 + t.dtype().ordinal() + 1;
        for (Tensor t : out) key = key * 8 + t.dtype().ordinal() + 1;
        return registers.get().computeIfAbsent(key, k -> {
            Tensor[] r = new Tensor[in.length + out.length];
            for (int j = 0; j < in.length; j++) r[j] = ElementwiseTiles.register(in[j].dtype(), len);
            for (int o = 0; o < out.length; o++) r[in.length + o] = ElementwiseTiles.register(out[o].dtype(), len);
            return r;
        });
    }

    @Override
    public String toString() {
        return op.name() + " (tiled)";
    }

}
