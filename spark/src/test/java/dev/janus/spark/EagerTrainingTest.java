package dev.janus.spark;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import dev.janus.examples.IrisData;
import dev.janus.layers.History;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An eager module with the user's own step trains on 2 workers to what one JVM's loop gives on the same global batches. */
class EagerTrainingTest {
    static NNSequential net() {
        return new NNSequential(new Linear(4, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 3));
    }

    static NNModule seeded() {
        Generator.manualSeed(21);
        return net();
    }

    @Test
    void anEagerModuleOnTwoWorkersEqualsOneJvmsLoop() {
        SparkSession spark = SharedSpark.get();
        IrisData iris = IrisData.load();
        int epochs = 5, batch = 16;
        NNModule distributed = seeded(), single = seeded();
        EagerTrainingStep step = (m, x, y) -> new CrossEntropyLoss().forward(m.forward(x), y);
        History h = JanusSpark.fit(distributed, EagerTrainingTest::net, () -> new Adam(1e-3), step,
                TrainingData.frame(spark, iris.xTrain, iris.yTrain),
                new SparkFit().inputCols(TrainingData.columns(4)).epochs(epochs).batchSize(batch).workers(2).seed(6));

        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), single.parameters());
        int n = iris.xTrain.dim(0), steps = Shards.steps(n, batch, 2);
        for (int e = 0; e < epochs; e++) {
            for (int s = 0; s < steps; s++) {
                int[] idx = TrainingData.globalBatch(n, 2, batch, 6, e, s, true);
                opt.zeroGrad();
                step.loss(single, TrainingData.rows(iris.xTrain, idx),
                        TrainingData.rows(iris.yTrain, idx)).backward();
                opt.step();
            }
        }
        List<Tensor> a = new ArrayList<>(distributed.stateDict().values()), b = new ArrayList<>(single.stateDict().values());
        double diff = TrainingData.weightDifference(a, b);
        assertTrue(diff <= 1e-6, "eager iris MLP, 2 workers vs one JVM: relative weight difference " + diff);
        assertEquals(epochs, h.get("loss").size());
        assertTrue(h.get("loss").get(epochs - 1) < h.get("loss").get(0));
    }
}
