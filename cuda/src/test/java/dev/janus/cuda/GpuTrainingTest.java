package dev.janus.cuda;

import dev.janus.core.Device;
import dev.janus.core.Generator;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.backend.StorageKind;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.Digits;
import dev.janus.core.data.Iris;
import dev.janus.core.data.StandardScaler;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.ops.Immediate;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.eager.nn.AdaptiveAvgPool2d;
import dev.janus.eager.nn.Conv2d;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNFlatten;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.MaxPool2d;
import dev.janus.eager.nn.NNModule;
import dev.janus.eager.nn.ReLU;
import dev.janus.graph.CompileOptions;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.Fit;
import dev.janus.layers.conv.GlobalAveragePooling2D;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.conv.MaxPooling2D;
import dev.janus.layers.Sequential;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a GPU (skipped elsewhere): both front ends train on cuda:0 to the numbers they give on the
 * CPU, and eager-on-GPU equals compiled-on-GPU as tightly as on the CPU (examples' BothStylesTest).
 * The models have no dropout: CPU and GPU draw their masks from different generators.
 */
class GpuTrainingTest {
    private static final Device GPU = Device.cuda();
    private static final int EPOCHS = 3, BATCH = 32, SAMPLES = 320;

    @BeforeEach
    void gpu() {
        GpuOnly.require();
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);
    }

    private static void sameLosses(String what, List<Double> expected, List<Double> actual, double tol) {
        assertEquals(expected.size(), actual.size(), what);
        for (int e = 0; e < expected.size(); e++) {
            assertTrue(relative(actual.get(e), expected.get(e)) <= tol, what + ", epoch " + e + ": " + actual + " against " + expected);
        }
        assertTrue(actual.get(actual.size() - 1) < actual.get(0), what + " trains: " + actual);
    }

    /** On the CPU, heap storage only: the gpu-check bundle carries no ND4J natives. */
    private static CompileOptions options(Device device) {
        CompileOptions o = CompileOptions.defaults().device(device);
        return device.isCpu() ? o.storage(StorageKind.HEAP) : o;
    }

    private static Sequential irisModel(Device device) {
        Generator.manualSeed(5);
        Sequential m = new Sequential(new Input(4), new Dense(16, "relu"), new Dense(3, "softmax"));
        m.compileOptions(options(device));
        m.compile(new Adam(1e-2), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    @Test
    void irisCompiledTrainsOnTheGpuAsOnTheCpu() {
        TensorDataset raw = Iris.load();
        Tensor x = new StandardScaler().fitTransform(raw.tensor(0)), y = raw.tensor(1);
        Fit fit = new Fit().epochs(20).batchSize(16).shuffle(false).verbose(0);
        History cpu = irisModel(Device.CPU).fit(x, y, fit);
        Sequential gpuModel = irisModel(GPU);
        History gpu = gpuModel.fit(x, y, fit);
        sameLosses("iris compiled, loss", cpu.get("loss"), gpu.get("loss"), 1e-4);
        assertEquals(cpu.get("accuracy").get(19), gpu.get("accuracy").get(19), 1e-9, "final accuracy");
        assertTrue(gpu.get("accuracy").get(19) > 0.9, "accuracy " + gpu.get("accuracy"));
        assertEquals(GPU, gpuModel.weights().get(0).value().device(), "the weights live on the GPU");
        Tensor p = gpuModel.predict(x);
        assertEquals(Device.CPU, p.device(), "predict reads back to the host");
    }

    /** One epoch loop of an eager module on {@code device}: mean loss per epoch. */
    private static List<Double> trainEagerly(NNModule model, Tensor x, Tensor y, Device device, int epochs, int batch) {
        model.to(device);
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            double sum = 0;
            for (Tensor[] b : new DataLoader(new TensorDataset(x, y), batch, false)) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(b[0].to(device)),
                        b[1].to(device));
                assertEquals(device, loss.device());
                loss.backward();
                opt.step();
                sum += loss.item() * b[1].dim(0);
            }
            losses.add(sum / x.dim(0));
        }
        return losses;
    }

    @Test
    void irisEagerTrainsOnTheGpuAsOnTheCpu() {
        TensorDataset raw = Iris.load();
        Tensor x = new StandardScaler().fitTransform(raw.tensor(0)), y = raw.tensor(1);
        Generator.manualSeed(6);
        NNModule cpu = new dev.janus.eager.nn.NNSequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
        Generator.manualSeed(6);
        NNModule gpu = new dev.janus.eager.nn.NNSequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
        sameLosses("iris eager, loss", trainEagerly(cpu, x, y, Device.CPU, 10, 16), trainEagerly(gpu, x, y, GPU, 10, 16), 1e-4);
    }

    /** Keras [kh, kw, in, out] as PyTorch [out, in, kh, kw]; a dense [in, out] as [out, in]. */
    private static Tensor torchLayout(Tensor keras) {
        Immediate now = Immediate.global();
        Tensor k = keras.cpu();
        return k.rank() == 4 ? now.transpose(k, 3, 2, 0, 1) : k.rank() == 2 ? now.transpose(k, 1, 0) : k;
    }

    private static Sequential digitsCnn(Device device) {
        Generator.manualSeed(21);
        Sequential keras = new Sequential(new Input(8, 8, 1), new Conv2D(8, 3, "relu").padding("same"), new MaxPooling2D(),
                new Conv2D(16, 3, "relu").padding("same"), new GlobalAveragePooling2D(), new Dense(10, "softmax"));
        keras.compileOptions(options(device));
        keras.compile(new Adam(1e-3, 0.9, 0.999, 1e-7, 0), "sparse_categorical_crossentropy", List.of());
        return keras;
    }

    @Test
    void theDigitsCnnGivesTheSameNumbersEagerAndCompiledOnTheGpu() {
        int[] rows = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) rows[i] = i;
        TensorDataset d = Digits.load().subset(rows);
        Tensor pixels = Immediate.global().mul(d.tensor(0), 1.0 / 16), labels = d.tensor(1);
        Fit fit = new Fit().epochs(EPOCHS).batchSize(BATCH).shuffle(false).verbose(0);

        List<Double> onCpu = digitsCnn(Device.CPU).fit(pixels.view(Shape.of(SAMPLES, 8, 8, 1)), labels, fit).get("loss");
        Sequential keras = digitsCnn(GPU);
        NNModule module = new dev.janus.eager.nn.NNSequential(new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1), new ReLU(), new AdaptiveAvgPool2d(1), new NNFlatten(), new Linear(16, 10));
        List<String> names = List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias");
        for (int i = 0; i < names.size(); i++) module.namedParameters().get(names.get(i)).copyFrom(torchLayout(keras.weights().get(i).value()));
        List<Double> compiled = keras.fit(pixels.view(Shape.of(SAMPLES, 8, 8, 1)), labels, fit).get("loss");
        List<Double> eager = trainEagerly(module, pixels.view(Shape.of(SAMPLES, 1, 8, 8)), labels, GPU, EPOCHS, BATCH);
        sameLosses("digits CNN compiled on the GPU against the CPU", onCpu, compiled, 1e-4);
        sameLosses("digits CNN eager against compiled, both on the GPU", compiled, eager, 1e-6);
    }

    @Test
    void aWarmCompiledStepMakesNoCudaMalloc() {
        Generator.manualSeed(1);
        Sequential m = new Sequential(new Input(784), new Dense(512, "relu"), new Dense(10, "softmax"));
        m.compileOptions(CompileOptions.defaults().device(GPU));
        m.compile("adam", "sparse_categorical_crossentropy", List.of());
        Tensor x = Tensor.randn(new Generator(2), 256, 784).to(GPU);
        long[] l = new long[256];
        for (int i = 0; i < l.length; i++) l[i] = i % 10;
        Tensor y = Tensor.of(l).to(GPU);
        TrainingStep step = m.compiledTrainingStep();
        dev.janus.core.ops.ExecContext ctx = new dev.janus.core.ops.ExecContext(new Generator(3));
        for (int i = 0; i < 3; i++) step.run(ctx, x, y).get(0).item();
        long mallocs = Cuda.memoryStats(GPU).deviceMallocs();
        for (int i = 0; i < 20; i++) step.run(ctx, x, y).get(0).item();
        assertEquals(mallocs, Cuda.memoryStats(GPU).deviceMallocs(), "a warm step allocates nothing from the driver: " + Cuda.memoryStats(GPU));
    }
}
