package dev.janus.tensorboard;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.layers.Fit;
import dev.janus.layers.History;
import dev.janus.layers.Input;
import dev.janus.layers.Sequential;
import dev.janus.layers.Weight;
import dev.janus.layers.conv.Conv2D;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.core.Flatten;
import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import dev.janus.tensorboard.proto.TensorBoardProtos.GraphDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.NodeDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorBoardTest {
    @TempDir
    Path dir;

    private static Sequential mlp() {
        Sequential model = new Sequential(new Input(4), new Dense(8, "relu"), new Dropout(0.2), new Dense(3, "softmax"));
        model.generator(new Generator(0));
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        model.output(new PrintStream(OutputStream.nullOutputStream()));
        return model;
    }

    private static Tensor[] data(int n) {
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, n, 4);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = i % 3;
        return new Tensor[] {x, Tensor.of(y, n)};
    }

    @Test
    void writesKerasTrainAndValidationRuns() {
        Sequential model = mlp();
        Tensor[] d = data(40);
        History h = model.fit(d[0], d[1], new Fit().epochs(3).batchSize(8).validationSplit(0.2).verbose(0)
                .callbacks(new TensorBoard(dir).histogramFreq(2)));
        List<Event> train = EventFileReader.readDir(dir.resolve("train")), val = EventFileReader.readDir(dir.resolve("validation"));
        for (String key : List.of("loss", "accuracy")) {
            assertEquals(floats(h.get(key)), scalars(train, "epoch_" + key), key);
            assertEquals(List.of(0L, 1L, 2L), EventFileReader.steps(train, "epoch_" + key));
            assertEquals(floats(h.get("val_" + key)), scalars(val, "epoch_" + key), "val_" + key);
            // After each epoch's 4 steps: 4, 8, 12 iterations.
            assertEquals(List.of(4L, 8L, 12L), EventFileReader.steps(val, "evaluation_" + key + "_vs_iterations"));
        }
        assertEquals(List.of(1e-3f, 1e-3f, 1e-3f), scalars(train, "epoch_learning_rate"));
        assertTrue(EventFileReader.values(train, "batch_loss").isEmpty(), "updateFreq epoch writes no batch logs");
        // Histograms every second epoch: epochs 0 and 2, one per weight.
        for (Weight w : model.weights()) {
            assertEquals(List.of(0L, 2L), EventFileReader.steps(train, w.name() + "/histogram"), w.name());
        }
        Summary.Value last = EventFileReader.values(train, "dense_1/kernel/histogram").get(1);
        assertEquals(Histograms.of(model.layer("dense_1").weights().get(0).value().toDoubleArray()), last.getHisto());
    }

    @Test
    void batchLogsEveryNthBatchStepCountedAcrossEpochs() {
        Tensor[] d = data(40);
        mlp().fit(d[0], d[1], new Fit().epochs(2).batchSize(8).verbose(0).callbacks(new TensorBoard(dir).updateFreq(3).writeGraph(false)));
        List<Event> train = EventFileReader.readDir(dir.resolve("train"));
        assertEquals(List.of(3L, 6L, 9L), EventFileReader.steps(train, "batch_loss"));
        assertEquals(List.of(3L, 6L, 9L), EventFileReader.steps(train, "batch_accuracy"));
        assertFalse(dir.resolve("validation").toFile().exists(), "no validation, no validation run");
        assertTrue(train.stream().noneMatch(Event::hasGraphDef));

        Path everyBatch = dir.resolve("every");
        mlp().fit(d[0], d[1], new Fit().epochs(1).batchSize(8).verbose(0).callbacks(new TensorBoard(everyBatch).updateFreq("batch")));
        assertEquals(LongStream.rangeClosed(1, 5).boxed().toList(), EventFileReader.steps(EventFileReader.readDir(everyBatch.resolve("train")), "batch_loss"));
    }

    @Test
    void writesTheTrainingGraphWithLayerScopes() throws InvalidProtocolBufferException {
        Tensor[] d = data(16);
        mlp().fit(d[0], d[1], new Fit().epochs(1).batchSize(8).verbose(0).callbacks(new TensorBoard(dir)));
        List<Event> graphs = EventFileReader.readDir(dir.resolve("train")).stream().filter(Event::hasGraphDef).toList();
        assertEquals(1, graphs.size());
        GraphDef g = GraphDef.parseFrom(graphs.get(0).getGraphDef());
        Set<String> names = g.getNodeList().stream().map(NodeDef::getName).collect(Collectors.toSet());
        assertTrue(names.containsAll(List.of("x", "y", "dense/kernel", "dense/bias", "dense_1/kernel")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("dense/matmul")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("dropout/")), names.toString());
        assertTrue(g.getNodeList().stream().anyMatch(n -> n.getName().startsWith("sparse_categorical_crossentropy/")), names.toString());

        Sequential eager = mlp().runEagerly(true);
        Path e = dir.resolve("eager");
        eager.fit(d[0], d[1], new Fit().epochs(1).batchSize(8).verbose(0).callbacks(new TensorBoard(e)));
        GraphDef inference = GraphDef.parseFrom(EventFileReader.readDir(e.resolve("train")).stream().filter(Event::hasGraphDef)
                .findFirst().orElseThrow().getGraphDef());
        assertTrue(inference.getNodeList().stream().noneMatch(n -> n.getName().equals("y")), "the inference graph has no labels");
    }

    @Test
    void writesConvolutionFiltersAsImagesOnePerFilter() {
        Sequential model = new Sequential(new Input(6, 6, 1), new Conv2D(4, 3, "relu"), new Flatten(), new Dense(3, "softmax"));
        model.generator(new Generator(1));
        model.compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"));
        Tensor x = Tensor.randn(new Generator(2), 12, 6, 6, 1);
        Tensor y = Tensor.of(new long[12], 12);
        model.fit(x, y, new Fit().epochs(1).batchSize(6).verbose(0).callbacks(new TensorBoard(dir).histogramFreq(1).writeImages(true)));
        List<Event> train = EventFileReader.readDir(dir.resolve("train"));
        Summary.Image filters = EventFileReader.values(train, "conv2d/kernel/image").get(0).getImage();
        assertEquals(3, filters.getHeight());
        assertEquals(12, filters.getWidth());   // four 3x3 filters side by side
        Summary.Image dense = EventFileReader.values(train, "dense/kernel/image").get(0).getImage();
        assertEquals(3, dense.getHeight());    // [64, 3] drawn with its longer side across
        assertEquals(64, dense.getWidth());
        Summary.Image bias = EventFileReader.values(train, "dense/bias/image").get(0).getImage();
        assertEquals(3, bias.getHeight());
        assertEquals(1, bias.getWidth());
    }

    @Test
    void weightPicturesFollowKerasLayout() {
        Tensor kernel = Tensor.arange(0, 2 * 2 * 1 * 3, 1, dev.janus.core.DType.FLOAT32).view(dev.janus.core.Shape.of(2, 2, 1, 3));
        Tensor p = TensorBoard.weightPicture(kernel);
        assertEquals(dev.janus.core.Shape.of(3, 2, 2, 1), p.shape());
        // filter f, pixel (y, x) = kernel[y, x, 0, f] = (y * 2 + x) * 3 + f
        for (int f = 0; f < 3; f++) for (int yx = 0; yx < 4; yx++) assertEquals(yx * 3 + f, p.readDouble(f * 4 + yx));
    }

    @Test
    void badOptionsAreClearErrors() {
        assertThrows(JanusException.class, () -> new TensorBoard(dir).updateFreq("epochs"));
        assertThrows(JanusException.class, () -> new TensorBoard(dir).updateFreq(0));
        assertThrows(JanusException.class, () -> new TensorBoard(dir).histogramFreq(-1));
    }

    private static List<Float> floats(List<Double> values) {
        List<Float> out = new ArrayList<>();
        for (double v : values) out.add((float) v);
        return out;
    }

    private static List<Float> scalars(List<Event> events, String tag) {
        return EventFileReader.values(events, tag).stream().map(Summary.Value::getSimpleValue).toList();
    }
}
