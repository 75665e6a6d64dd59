package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.ops.Immediate;
import dev.janus.core.ops.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per-op time on tiny tensors: add and relu on [16, 64], matmul [16, 4] x [4, 64]. Each Janus
 * benchmark "x_janus" has its peer "x_nd4j" (the plain ND4J call a user would write). The "Into"
 * pairs write a preallocated output, as a compiled plan does, against ND4J's in-place calls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyOpsBenchmark {
    private Immediate now;
    private ExecContext ctx;
    private Tensor a, b, x, w;
    private Tensor[] addIn, addOut, mmIn, mmOut;
    private Attrs plain;
    private INDArray na, nb, nx, nw, nOut;

    @Setup
    public void setup() {
        Generator g = new Generator(1);
        ctx = new ExecContext(g);
        now = new Immediate(ctx);
        a = Tensor.randn(g, 16, 64);
        b = Tensor.randn(g, 16, 64);
        x = Tensor.randn(g, 16, 4);
        w = Tensor.randn(g, 4, 64);
        addIn = new Tensor[] {a, b};
        addOut = new Tensor[] {Tensor.zeros(16, 64)};
        mmIn = new Tensor[] {x, w};
        mmOut = new Tensor[] {Tensor.zeros(16, 64)};
        plain = Attrs.of("transA", false, "transB", false);
        na = a.toNd4j();
        nb = b.toNd4j();
        nx = x.toNd4j();
        nw = w.toNd4j();
        nOut = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 16, 64);
    }

    @Benchmark
    public Tensor add_janus() {
        return now.add(a, b);
    }

    @Benchmark
    public INDArray add_nd4j() {
        return na.add(nb);
    }

    @Benchmark
    public Tensor relu_janus() {
        return now.one(Ops.RELU, Attrs.NONE, List.of(a));
    }

    @Benchmark
    public INDArray relu_nd4j() {
        return Transforms.relu(na, true);
    }

    @Benchmark
    public Tensor matmul_janus() {
        return now.matmul(x, w, false, false);
    }

    @Benchmark
    public INDArray matmul_nd4j() {
        return nx.mmul(nw);
    }

    @Benchmark
    public Tensor addInto_janus() {
        Ops.ADD.compute(addIn, Attrs.NONE, addOut, ctx);
        return addOut[0];
    }

    @Benchmark
    public INDArray addInto_nd4j() {
        return Nd4j.getExecutioner().exec(new AddOp(na, nb, nOut))[0];
    }

    @Benchmark
    public Tensor matmulInto_janus() {
        Ops.MATMUL.compute(mmIn, plain, mmOut, ctx);
        return mmOut[0];
    }

    @Benchmark
    public INDArray matmulInto_nd4j() {
        return nx.mmuli(nw, nOut);
    }
}
