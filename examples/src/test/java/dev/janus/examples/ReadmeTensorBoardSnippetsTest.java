package dev.janus.examples;

import dev.janus.core.Generator;
import dev.janus.core.data.DataLoader;
import dev.janus.core.data.TensorDataset;
import dev.janus.core.optim.Adam;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.CrossEntropyLoss;
import dev.janus.eager.nn.NNModule;
import dev.janus.layers.Fit;
import dev.janus.layers.Sequential;
import dev.janus.tensorboard.SummaryWriter;
import dev.janus.tensorboard.TensorBoard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's TensorBoard blocks, run here (the tensorboard module's tests read such files back
 * and have TensorBoard itself load them).
 */
class ReadmeTensorBoardSnippetsTest {
    @Test
    void bothStylesLogForTensorBoard(@TempDir Path logDir) throws IOException {
        IrisData data = IrisData.load();
        Generator.manualSeed(0);
        NNModule model = IrisEager.model();
        Tensor x = data.train().tensor(0);
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), model.parameters());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        DataLoader loader = new DataLoader(new TensorDataset(data.train().tensor(0), data.train().tensor(1)), 16, true);
        double accuracy = 0.9;
        Tensor images = Tensor.rand(new Generator(1), 4, 1, 8, 8);

        // README: summary-writer
        try (SummaryWriter writer = new SummaryWriter(logDir.resolve("eager"))) {
            writer.addGraph(model, x);                                   // traced, as torch.utils.tensorboard does
            for (int epoch = 0; epoch < 3; epoch++) {
                double sum = 0;
                for (Tensor[] batch : loader) {
                    opt.zeroGrad();
                    Tensor loss = lossFn.forward(model.forward(batch[0]), batch[1]);
                    loss.backward();
                    opt.step();
                    sum += loss.item() * batch[0].dim(0);
                }
                writer.addScalar("loss", sum / x.shape().dim(0), epoch);
                writer.addHistogram("0.weight", model.namedParameters().get("0.weight"), epoch);
            }
            writer.addImages("samples", images, 0);                      // [N, C, H, W] in [0, 1], 8 to a row
            writer.addText("notes", "Adam, lr 1e-3, batches of 16", 0);
            writer.addHparams(Map.of("lr", 1e-3, "batch_size", 16), Map.of("hparam/accuracy", accuracy));
        }
        // README: end

        Sequential keras = IrisCompiled.model();
        keras.compile("adam", "sparse_categorical_crossentropy", java.util.List.of("accuracy"));
        keras.output(new PrintStream(OutputStream.nullOutputStream()));
        Tensor xTrain = data.train().tensor(0), yTrain = data.train().tensor(1);
        // README: tensorboard-callback
        keras.fit(xTrain, yTrain, new Fit().epochs(3).batchSize(16).validationSplit(0.2).verbose(0)
                .callbacks(new TensorBoard(logDir.resolve("compiled")).histogramFreq(1)));   // compiled/train, compiled/validation
        // README: end

        // eager: its own file and the hparams run; compiled: train/ and validation/.
        assertEquals(2, eventFiles(logDir.resolve("eager")));
        assertEquals(2, eventFiles(logDir.resolve("compiled")));
    }

    private static long eventFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).count();
        }
    }
}
