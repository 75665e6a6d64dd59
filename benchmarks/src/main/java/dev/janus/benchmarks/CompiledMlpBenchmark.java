package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import org.nd4j.linalg.dataset.DataSet;
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
 * 784 -> 512 relu -> 512 relu -> 10 softmax at batch 1024 (Adam, sparse categorical cross
 * entropy), one compiled training step; "nopasses" is the same step with every pass off, "dl4j"
 * the same MLP as a Deeplearning4j MultiLayerNetwork (one fit per step), "cblas" the step's eight
 * matrix products alone as bare cblas_sgemm calls on native buffers (the step's pure-GEMM time).
 * "products" compares Janus's matmul op with bare cblas_sgemm on those eight shapes. As in
 * {@link CompiledIrisBenchmark}, weights and optimizer state start again every 400 steps.
 * PyTorch's time comes from benchmarks/peers/compiled_torch.py.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompiledMlpBenchmark {
    private TrainingStep step, plain;
    private Plan train, trainPlain;
    private ExecContext ctx;
    private CompiledIrisBenchmark.Run run, runPlain;
    private Dl4jNet dl4j;
    private DataSet dl4jBatch;
    private BareGemm gemm;

    private static Sequential mlp(CompileOptions options) {
        Generator.manualSeed(42);
        Sequential model = new Sequential(new Input(784), new Dense(512, "relu"), new Dense(512, "relu"), new Dense(10, "softmax"));
        model.compileOptions(options);
        model.compile("adam", "sparse_categorical_crossentropy", List.of());
        return model;
    }

    @Setup
    public void setup() {
        Tensor x = Tensor.randn(new Generator(1), 1024, 784);
        long[] labels = new long[1024];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(labels);
        ctx = new ExecContext(new Generator(3));
        Sequential model = mlp(CompileOptions.defaults()), plainModel = mlp(CompileOptions.none());
        step = model.compiledTrainingStep();
        train = CompiledIrisBenchmark.fill(step.plan(List.of(x.shape(), y.shape())), x, y);
        run = new CompiledIrisBenchmark.Run(model);
        plain = plainModel.compiledTrainingStep();
        trainPlain = CompiledIrisBenchmark.fill(plain.plan(List.of(x.shape(), y.shape())), x, y);
        runPlain = new CompiledIrisBenchmark.Run(plainModel);
        dl4j = new Dl4jNet(42, 0, 784, 512, 512, 10);
        dl4jBatch = new DataSet(x.toNd4j(), IrisBatches.oneHot(y, 10));
        gemm = new BareGemm(BareGemm.mlpStep(1024, 784, 512, 512, 10));
    }

    @Benchmark
    public List<Tensor> trainStep_janus() {
        run.next();
        return step.run(train, ctx);
    }

    @Benchmark
    public List<Tensor> trainStep_nopasses() {
        runPlain.next();
        return plain.run(trainPlain, ctx);
    }

    @Benchmark
    public double trainStep_dl4j() {
        return dl4j.step(dl4jBatch);
    }

    /** The step's pure-GEMM time: its eight products as bare cblas_sgemm calls (see {@link BareGemm}). */
    @Benchmark
    public float trainStep_cblas() {
        return gemm.cblas();
    }

    /** The same eight products through Janus's matmul op on native tensors (what the plan calls). */
    @Benchmark
    public Tensor products_janus() {
        return gemm.janus(ctx);
    }

    @Benchmark
    public float products_cblas() {
        return gemm.cblas();
    }
}
