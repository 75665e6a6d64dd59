package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNDropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.Plan;
import dev.janus.graph.TrainingStep;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One training step of the iris MLP (4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3, cross
 * entropy, Adam lr 1e-3) on a batch of 16, four ways side by side:
 *
 * <ul>
 *   <li>janusEager: zero the gradients, forward, backward, update, with the eager engine
 *       (PyTorch style);</li>
 *   <li>janusCompiled: the same model as a Keras {@code Sequential}, the compiled step that fit runs;</li>
 *   <li>nd4j: the same step written as plain ND4J calls by hand (the forward, the backward by the
 *       chain rule, Adam), as a user without an autograd would;</li>
 *   <li>dl4j: Deeplearning4j's {@code MultiLayerNetwork.fit} on the same batch.</li>
 * </ul>
 *
 * PyTorch eager's time for the same step comes from benchmarks/peers/eager_step_torch.py (run by
 * the Bench runner after JMH when Python with torch is found).
 *
 * <p>The steps go round the 8 batches of {@link IrisBatches} and training restarts from the
 * initial weights every 400 steps, the length of the 50-epoch iris run. Left to train for millions
 * of steps, the model would fit its data so closely that its gradients and Adam's moments sink
 * into subnormal floats, which the CPU computes several times slower; that would measure the
 * hardware's subnormal arithmetic, not a training step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IrisStepBenchmark {
    private static final double LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private IrisBatches data;
    private final Tensor[] xs = new Tensor[IrisBatches.BATCHES], ys = new Tensor[IrisBatches.BATCHES];

    private NNSequential model;
    private Map<String, Tensor> initial;
    private EagerOptimizer opt;
    private CrossEntropyLoss lossFn;
    private int janusStep;

    private CompiledIrisBenchmark.Run compiled;
    private ExecContext ctx;

    private final INDArray[] nxs = new INDArray[IrisBatches.BATCHES], oneHots = new INDArray[IrisBatches.BATCHES];
    private INDArray[] start, params, m, v;
    private int nd4jStep;

    private Dl4jNet dl4j;
    private final DataSet[] dl4jBatches = new DataSet[IrisBatches.BATCHES];
    private int dl4jStep;

    @Setup
    public void setup() {
        data = new IrisBatches();
        Generator.manualSeed(0);
        model = new NNSequential(new Linear(4, 64), new ReLU(), new NNDropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
        initial = model.stateDict();
        opt = new EagerOptimizer(new Adam(LR), model.parameters());
        lossFn = new CrossEntropyLoss();
        start = new INDArray[6];
        int k = 0;
        for (Tensor p : model.parameters()) start[k++] = p.toNd4j();
        restartNd4j();

        compiled = new CompiledIrisBenchmark.Run(CompiledIrisBenchmark.iris(CompileOptions.defaults(), false));
        ctx = new ExecContext(new Generator(3));
        dl4j = new Dl4jNet(0, 0.3, 4, 64, 32, 3);

        for (int b = 0; b < IrisBatches.BATCHES; b++) {
            xs[b] = data.x[b];
            ys[b] = data.y[b];
            nxs[b] = data.x[b].toNd4j();
            oneHots[b] = data.oneHot(b);
            dl4jBatches[b] = new DataSet(nxs[b], oneHots[b]);
        }
    }

    private void restartNd4j() {
        params = new INDArray[6];
        m = new INDArray[6];
        v = new INDArray[6];
        for (int k = 0; k < 6; k++) {
            params[k] = start[k].dup();
            m[k] = Nd4j.zerosLike(params[k]);
            v[k] = Nd4j.zerosLike(params[k]);
        }
        nd4jStep = 0;
    }

    @Benchmark
    public double irisStep_janusEager() {
        if (janusStep == IrisBatches.RUN) {
            model.loadStateDict(initial);
            opt = new EagerOptimizer(new Adam(LR), model.parameters());
            janusStep = 0;
        }
        int b = janusStep++ % IrisBatches.BATCHES;
        opt.zeroGrad();
        Tensor loss = lossFn.forward(model.forward(xs[b]), ys[b]);
        loss.backward();
        opt.step();
        return loss.item();
    }

    @Benchmark
    public List<Tensor> irisStep_janusCompiled() {
        int b = compiled.next();
        TrainingStep step = compiled.model.compiledTrainingStep();
        Plan p = CompiledIrisBenchmark.fill(step.plan(List.of(data.x[b].shape(), data.y[b].shape())), data.x[b], data.y[b]);
        return step.run(p, ctx);
    }

    @Benchmark
    public double irisStep_dl4j() {
        return dl4j.step(dl4jBatches[dl4jStep++ % IrisBatches.BATCHES]);
    }

    @Benchmark
    public double irisStep_nd4j() {
        if (nd4jStep == IrisBatches.RUN) restartNd4j();
        int b = nd4jStep % IrisBatches.BATCHES;
        INDArray nx = nxs[b], oneHot = oneHots[b];
        INDArray w1 = params[0], b1 = params[1], w2 = params[2], b2 = params[3], w3 = params[4], b3 = params[5];
        // forward
        INDArray h1 = nx.mmul(w1.transpose()).addiRowVector(b1);
        INDArray r1 = Transforms.relu(h1, true);
        INDArray mask = Nd4j.rand(DataType.FLOAT, 16, 64).gt(0.3).castTo(DataType.FLOAT).divi(0.7);
        INDArray d1 = r1.mul(mask);
        INDArray h2 = d1.mmul(w2.transpose()).addiRowVector(b2);
        INDArray r2 = Transforms.relu(h2, true);
        INDArray z = r2.mmul(w3.transpose()).addiRowVector(b3);
        INDArray p = Transforms.softmax(z, true);
        double loss = -Transforms.log(p.mul(oneHot).sum(1), false).meanNumber().doubleValue();
        // backward
        INDArray dz = p.sub(oneHot).divi(16);
        INDArray dh2 = dz.mmul(w3).muli(h2.gt(0).castTo(DataType.FLOAT));
        INDArray dh1 = dh2.mmul(w2).muli(mask).muli(h1.gt(0).castTo(DataType.FLOAT));
        INDArray[] grads = {dh1.transpose().mmul(nx), dh1.sum(0), dh2.transpose().mmul(d1), dh2.sum(0), dz.transpose().mmul(r2), dz.sum(0)};
        // Adam
        long t = ++nd4jStep;
        double bc1 = 1 - Math.pow(BETA1, t), bc2 = 1 - Math.pow(BETA2, t);
        for (int k = 0; k < 6; k++) {
            INDArray g = grads[k];
            m[k].muli(BETA1).addi(g.mul(1 - BETA1));
            v[k].muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            INDArray denom = Transforms.sqrt(v[k].div(bc2), false).addi(EPS);
            params[k].subi(m[k].div(denom).muli(LR / bc1));
        }
        return loss;
    }
}
