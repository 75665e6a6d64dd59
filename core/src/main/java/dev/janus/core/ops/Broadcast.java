package dev.janus.core.ops;

import dev.janus.core.Shape;

/**
 * Walks a broadcast elementwise op in runs: the longest stretch of output elements over which each
 * input is either contiguous ("full") or a single repeated element. Kernels then run plain,
 * vectorisable loops over each run instead of computing an index per element.
 */
final class Broadcast {
    /** Called once per run; bit j of {@code fullMask} is set when input j is contiguous over the run. */
    interface RunVisitor {
        void run(int[] inOffsets, int outOffset, int length, int fullMask);
    }

    private Broadcast() {
    }

    static void forEachRun(Shape out, Shape[] ins, RunVisitor visitor) {
        int r = out.rank(), k = ins.length;
        int[] od = out.dims();
        int[][] stride = new int[k][r];
        int[] mask = new int[r];
        for (int j = 0; j < k; j++) {
            Shape s = ins[j];
            int pad = r - s.rank(), acc = 1;
            for (int i = r - 1; i >= 0; i--) {
                int d = i < pad ? 1 : s.dim(i - pad);
                boolean full = d == od[i];
                stride[j][i] = (d == 1 && od[i] != 1) ? 0 : acc;
                if (full) mask[i] |= 1 << j;
                acc *= d;
            }
        }
        int all = (1 << k) - 1;
        int start = r, runMask = -1;
        for (int i = r - 1; i >= 0; i--) {
            if (od[i] == 1) {
                start = i;
                continue;
            }
            if (runMask == -1) runMask = mask[i];
            else if (mask[i] != runMask) break;
            start = i;
        }
        if (runMask == -1) runMask = all;
        int runLen = 1, outer = 1;
        for (int i = start; i < r; i++) runLen *= od[i];
        for (int i = 0; i < start; i++) outer *= od[i];
        if (runLen == 0 || outer == 0) return;

        int[] off = new int[k], idx = new int[start];
        int outOff = 0;
        for (int c = 0; c < outer; c++) {
            visitor.run(off, outOff, runLen, runMask);
            outOff += runLen;
            for (int ax = start - 1; ax >= 0; ax--) {
                idx[ax]++;
                for (int j = 0; j < k; j++) off[j] += stride[j][ax];
                if (idx[ax] < od[ax]) break;
                for (int j = 0; j < k; j++) off[j] -= stride[j][ax] * od[ax];
                idx[ax] = 0;
            }
        }
    }

    /** Offset of each output element in an input of shape {@code in} broadcast to {@code out}. */
    static int[] offsets(Shape out, Shape in) {
        int n = out.size();
        int[] result = new int[n];
        forEachRun(out, new Shape[] {in}, (off, o, len, full) -> {
            for (int i = 0; i < len; i++) result[o + i] = (full & 1) != 0 ? off[0] + i : off[0];
        });
        return result;
    }
}
