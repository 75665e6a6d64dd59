package dev.janus.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.export.OnnxRuntimeModel;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Keras iris model (4 -> 64 relu -> dropout 0.3 -> 32 relu -> 3 softmax, Adam, sparse
 * categorical cross entropy, accuracy) compiled: one training step and one inference at batch 16.
 *
 * <ul>
 *   <li>trainStep: the compiled step itself (the plan run by fit), against "nopasses", the same
 *       step compiled with every pass and buffer reuse off.</li>
 *   <li>trainOnBatch: the same model's Keras-style {@code trainOnBatch}, compiled against
 *       {@code runEagerly(true)} (the eager engine running the same layers): the two front ends
 *       side by side through one API, data checks included.</li>
 *   <li>inference: a compiled prediction of 16 samples, against ONNX Runtime running the same
 *       model exported to ONNX (one intra-op thread, as Janus runs it; all graph optimisations on;
 *       the input tensor made once, the result read and closed each call).</li>
 * </ul>
 *
 * As in {@link IrisStepBenchmark}, the steps go round the 8 batches of {@link IrisBatches} and
 * training restarts from the initial weights every 400 steps (one 50-epoch run), so that the
 * optimizer's moments do not sink into subnormal floats. PyTorch's times for the same step come
 * from benchmarks/peers/eager_step_torch.py (training) and peers/compiled_torch.py (inference).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CompiledIrisBenchmark {
    private Tensor[] xs, ys;
    private Run compiled, plain, eagerApi, compiledApi;
    private Plan infer;
    private ExecContext ctx;
    private OrtSession ort;
    private OnnxTensor ortInput;

    /** A model, its starting weights and optimizer state, and where it is in its run of steps. */
    static final class Run {
        final Sequential model;
        private final List<Tensor> weights;
        private final int length, batches;
        private int steps;

        /** Runs of {@link IrisBatches#RUN} steps going round {@link IrisBatches#BATCHES} batches. */
        Run(Sequential model) {
            this(model, IrisBatches.RUN, IrisBatches.BATCHES);
        }

        Run(Sequential model, int length, int batches) {
            this.model = model;
            this.weights = model.getWeights();
            this.length = length;
            this.batches = batches;
        }

        /** The batch of this step; every {@code length} steps the model starts again. */
        int next() {
            if (steps == length) {
                steps = 0;
                model.setWeights(weights);
                if (!model.runEagerly()) {
                    TrainingStep step = model.compiledTrainingStep();
                    for (Tensor t : step.state().values()) t.fill(0);
                    step.setIterations(0);
                } else {
                    model.compile(model.optimizer(), model.loss(), model.metricNames());
                }
            }
            return steps++ % batches;
        }
    }

    static Sequential iris(CompileOptions options, boolean eager) {
        Generator.manualSeed(0);
        Sequential model = new Sequential(
                new Input(4),
                new Dense(64, "relu"),
                new Dropout(0.3),
                new Dense(32, "relu"),
                new Dense(3, "softmax"));
        model.compileOptions(options).runEagerly(eager);
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        return model;
    }

    static Plan fill(Plan p, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) p.input(i).copyFrom(inputs[i]);
        return p;
    }

    @Setup
    public void setup() throws OrtException {
        IrisBatches data = new IrisBatches();
        xs = data.x;
        ys = data.y;
        ctx = new ExecContext(new Generator(3));
        compiled = new Run(iris(CompileOptions.defaults(), false));
        plain = new Run(iris(CompileOptions.none(), false));
        compiledApi = new Run(iris(CompileOptions.defaults(), false));
        eagerApi = new Run(iris(CompileOptions.defaults(), true));
        infer = fill(compiled.model.compiledPredictor().plan(List.of(xs[0].shape())), xs[0]);

        OrtEnvironment env = OnnxRuntimeModel.environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            ort = env.createSession(OnnxExporter.toBytes(compiled.model.compiledPredictor().graph(), ExportOptions.defaults()), options);
        }
        ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(xs[0].toFloatArray()), new long[] {16, 4});
    }

    @TearDown
    public void tearDown() throws OrtException {
        ortInput.close();
        ort.close();
    }

    private List<Tensor> step(Run run) {
        int b = run.next();
        TrainingStep step = run.model.compiledTrainingStep();
        Plan p = fill(step.plan(List.of(xs[b].shape(), ys[b].shape())), xs[b], ys[b]);
        return step.run(p, ctx);
    }

    @Benchmark
    public List<Tensor> trainStep_janus() {
        return step(compiled);
    }

    @Benchmark
    public List<Tensor> trainStep_nopasses() {
        return step(plain);
    }

    @Benchmark
    public Map<String, Double> trainOnBatch_janus() {
        int b = compiledApi.next();
        return compiledApi.model.trainOnBatch(xs[b], ys[b]);
    }

    @Benchmark
    public Map<String, Double> trainOnBatch_eager() {
        int b = eagerApi.next();
        return eagerApi.model.trainOnBatch(xs[b], ys[b]);
    }

    @Benchmark
    public List<Tensor> inference_janus() {
        return infer.run(ctx);
    }

    @Benchmark
    public float inference_onnxruntime() throws OrtException {
        try (OrtSession.Result r = ort.run(Map.of("x", ortInput))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
        }
    }
}
