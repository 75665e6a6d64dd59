package dev.janus.benchmarks;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.janus.core.DType;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Value;
import dev.janus.core.ops.Attrs;
import dev.janus.core.ops.Ops;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxImporter;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Executable;
import dev.janus.graph.Plan;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compile time of a very long graph: an ONNX chain of {@code nodes} elementwise nodes (Relu, Add 1,
 * Relu, ...; 100,000 once took 167 s to compile, fusion copying its group at every node). "janus":
 * the ONNX file read and compiled for a batch of 16 (every pass, buffer planning); its peer
 * "onnxruntime": ONNX Runtime making a session of the same file, all graph optimisations on, one
 * intra-op thread.
 * Single-shot: each call is one whole compilation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class CompileBenchmark {
    @Param({"10000", "100000"})
    public int nodes;

    private byte[] onnx;

    /** x [?, 8] -> relu -> add 1 -> relu -> ...: {@code n} nodes in one chain. */
    static Graph chain(int n) {
        Graph g = new Graph("chain");
        Value x = g.input("x", TensorType.of(DType.FLOAT32, -1, 8));
        Value one = g.constant(Tensor.scalar(1));
        for (int i = 0; i < n; i++) x = i % 2 == 0 ? g.apply1(Ops.RELU, Attrs.NONE, x) : g.apply1(Ops.ADD, Attrs.NONE, x, one);
        g.addOutput(x);
        return g;
    }

    @Setup
    public void setup() {
        onnx = OnnxExporter.toBytes(chain(nodes), ExportOptions.defaults());
    }

    @Benchmark
    public Plan chain_janus() {
        return new Executable(OnnxImporter.read(onnx), CompileOptions.defaults()).plan(List.of(Shape.of(16, 8)));
    }

    /**
     * ONNX Runtime walks the graph recursively on the calling thread: on a thread's default stack
     * (1 MB) a 10,000-node chain kills the JVM (SIGSEGV), so the session is made on a thread with a
     * 1 GB stack (reserved, not used).
     */
    @Benchmark
    public long chain_onnxruntime() throws Exception {
        long[] outputs = {-1};
        Exception[] failed = {null};
        Thread t = new Thread(null, () -> {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s = OnnxRuntimeModel.environment().createSession(onnx, options)) {
                    outputs[0] = s.getNumOutputs();
                }
            } catch (OrtException e) {
                failed[0] = e;
            }
        }, "onnxruntime-session", 1L << 30);
        t.start();
        t.join();
        if (failed[0] != null) throw failed[0];
        return outputs[0];
    }
}
