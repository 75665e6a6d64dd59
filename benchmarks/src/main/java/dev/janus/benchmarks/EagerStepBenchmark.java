package dev.janus.benchmarks;

import dev.janus.core.Generator;
import dev.janus.core.data.Iris;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Dropout;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One eager training step of the iris MLP (4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3,
 * cross entropy, Adam lr 1e-3) on a batch of 16: zero the gradients, forward, backward, update.
 * The peer "irisStep_nd4j" is the same step written as plain ND4J calls by hand (the forward, the
 * backward by the chain rule, Adam), as a user without an autograd would. PyTorch eager's time for
 * the same step comes from benchmarks/peers/eager_step_torch.py, run on the same machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EagerStepBenchmark {
    private static final int[] ROWS = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 149};
    private static final double LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private Sequential model;
    private EagerOptimizer opt;
    private CrossEntropyLoss lossFn;
    private Tensor x, y;

    private INDArray nx, oneHot;
    private INDArray[] params, m, v;
    private long t;

    @Setup
    public void setup() {
        Generator.manualSeed(0);
        TensorDataset iris = Iris.load();
        dev.janus.core.Tensor[] batch = iris.batch(ROWS);
        x = Tensor.from(batch[0]);
        y = Tensor.from(batch[1]);
        model = new Sequential(new Linear(4, 64), new ReLU(), new Dropout(0.3), new Linear(64, 32), new ReLU(), new Linear(32, 3));
        opt = new EagerOptimizer(new Adam(LR), model.parameters());
        lossFn = new CrossEntropyLoss();

        nx = batch[0].toNd4j();
        oneHot = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) oneHot.putScalar(i, (int) batch[1].i64()[i], 1f);
        params = new INDArray[6];
        m = new INDArray[6];
        v = new INDArray[6];
        int k = 0;
        for (Tensor p : model.parameters()) {
            params[k] = p.value().toNd4j();
            m[k] = Nd4j.zerosLike(params[k]);
            v[k] = Nd4j.zerosLike(params[k]);
            k++;
        }
    }

    @Benchmark
    public double irisStep_janus() {
        opt.zeroGrad();
        Tensor loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }

    @Benchmark
    public double irisStep_nd4j() {
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
        t++;
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
