package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Tensor;

/**
 * Kernels that are not GEMM-bound (pooling, normalisation, recurrent cells) compute in double once
 * instead of twice: float32 tensors are widened on the way in and narrowed on the way out.
 */
final class Doubles {
    private Doubles() {
    }

    /** The elements as doubles: the storage itself for float64, a widened copy for float32. */
    static double[] read(Tensor t) {
        if (t.dtype() == DType.FLOAT64) return t.f64();
        float[] f = t.f32();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** Where to write {@code out}'s elements: its storage for float64, a scratch array for float32. */
    static double[] target(Tensor out) {
        return out.dtype() == DType.FLOAT64 ? out.f64() : new double[out.numel()];
    }

    /** Finishes a {@link #target}: narrows the scratch into float32 storage. */
    static void store(double[] values, Tensor out) {
        if (out.dtype() == DType.FLOAT64) {
            if (values != out.f64()) System.arraycopy(values, 0, out.f64(), 0, values.length);
            return;
        }
        float[] y = out.f32();
        for (int i = 0; i < values.length; i++) y[i] = (float) values[i];
    }
}
