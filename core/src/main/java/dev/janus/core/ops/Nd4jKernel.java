package dev.janus.core.ops;

import dev.janus.core.DType;
import dev.janus.core.Tensor;
import dev.janus.core.backend.NativeStorage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's own native op as native storage's kernel for one of Janus's ops, used where it was
 * measured to beat Janus's kernel (benchmarks/RESULTS.md, "CPU backend": on one
 * core, exp of 1M floats 2.3 ms against Janus's 14 ms, softmax of [4096, 256] 3.6 ms against 33 ms;
 * add, relu, the reductions and conv stay Janus's, which win). ND4J reads and writes the tensors'
 * native memory where it lies ({@code toNd4j} shares it), on its OpenMP threads.
 *
 * <p>Calls below {@link #MIN_ELEMENTS}, heap operands and calls ND4J's op does not cover go to
 * {@code fallback} (Janus's own kernel). ND4J computes exp in float where Janus's kernels round a
 * double result and ND4J sums softmax in float, so results differ from the heap's in the last bits
 * (within 1e-5 relative for float32).
 */
final class Nd4jKernel implements Kernel {
    /**
     * Elements below which Janus's kernel runs: an ND4J call costs about 10 µs of dispatch
     * (RESULTS.md: an add into a preallocated output, 9.9 µs for 1,024 elements), which 2^14
     * elements of exp (about 200 µs in Janus's kernel) repay many times over.
     */
    static final int MIN_ELEMENTS = 1 << 14;

    private interface Call {
        /** Runs ND4J's op from x into z, or returns false when it does not cover these attributes. */
        boolean run(INDArray x, INDArray z, Tensor in, Attrs attrs);
    }

    private final String name;
    private final Kernel fallback;
    private final Call call;

    private Nd4jKernel(String name, Kernel fallback, Call call) {
        this.name = name;
        this.fallback = fallback;
        this.call = call;
    }

    /** exp through ND4J's Exp transform. */
    static Kernel exp(Kernel fallback) {
        return new Nd4jKernel("exp", fallback, (x, z, in, attrs) -> {
            Nd4j.getExecutioner().exec(new Exp(x, z));
            return true;
        });
    }

    /** softmax over the last axis through ND4J's SoftMax; over another axis, {@code fallback}. */
    static Kernel softmax(Kernel fallback) {
        return new Nd4jKernel("softmax", fallback, (x, z, in, attrs) -> {
            int rank = in.shape().rank();
            if (rank < 2 || in.shape().axis(attrs.getInt("axis", -1), "softmax") != rank - 1) return false;
            Nd4j.getExecutioner().exec(new SoftMax(x, z, rank - 1));
            return true;
        });
    }

    @Override
    public void compute(Tensor[] in, Attrs attrs, Tensor[] out, ExecContext ctx) {
        Tensor x = in[0], z = out[0];
        DType t = x.dtype();
        boolean fits = x.numel() >= MIN_ELEMENTS && (t == DType.FLOAT32 || t == DType.FLOAT64) && z.dtype() == t
                && x.storage() instanceof NativeStorage && z.storage() instanceof NativeStorage;
        if (!fits || !call.run(x.toNd4j(), z.toNd4j(), x, attrs)) fallback.compute(in, attrs, out, ctx);
    }

    @Override
    public String toString() {
        return name + " (ND4J's, from " + MIN_ELEMENTS + " elements)";
    }
}
