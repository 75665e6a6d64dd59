package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * [1024, 512] x [512, 512] in float32. matmul_nd4j is the plain INDArray.mmul; matmulInto_nd4j is
 * ND4J's fastest form we found (Nd4j.gemm into a preallocated c-order array), the fair peer for a
 * compiled plan writing into its own buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LargeMatmulBenchmark {
    private Immediate now;
    private ExecContext ctx;
    private Tensor a, b;
    private Tensor[] in, out;
    private Attrs plain;
    private INDArray na, nb, nc;

    @Setup
    public void setup() {
        Generator g = new Generator(2);
        ctx = new ExecContext(g);
        now = new Immediate(ctx);
        a = Tensor.randn(g, 1024, 512);
        b = Tensor.randn(g, 512, 512);
        in = new Tensor[] {a, b};
        out = new Tensor[] {Tensor.zeros(1024, 512)};
        plain = Attrs.of("transA", false, "transB", false);
        na = a.toNd4j();
        nb = b.toNd4j();
        nc = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1024, 512);
    }

    @Benchmark
    public Tensor matmul_janus() {
        return now.matmul(a, b, false, false);
    }

    @Benchmark
    public INDArray matmul_nd4j() {
        return na.mmul(nb);
    }

    @Benchmark
    public Tensor matmulInto_janus() {
        Ops.MATMUL.compute(in, plain, out, ctx);
        return out[0];
    }

    @Benchmark
    public INDArray matmulInto_nd4j() {
        return Nd4j.gemm(na, nb, nc, false, false, 1.0, 0.0);
    }
}
