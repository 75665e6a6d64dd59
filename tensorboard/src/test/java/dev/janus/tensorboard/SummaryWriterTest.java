package dev.janus.tensorboard;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.ReLU;
import dev.janus.eager.nn.NNSequential;
import dev.janus.tensorboard.proto.HParamsProtos.HParamsPluginData;
import dev.janus.tensorboard.proto.TensorBoardProtos.AttrValue;
import dev.janus.tensorboard.proto.TensorBoardProtos.Event;
import dev.janus.tensorboard.proto.TensorBoardProtos.GraphDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.NodeDef;
import dev.janus.tensorboard.proto.TensorBoardProtos.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryWriterTest {
    @TempDir
    Path dir;

    @Test
    void scalarsAndScalarsInRunsOfTheirOwn() {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            for (int step = 0; step < 5; step++) w.addScalar("loss", 1.0 / (step + 1), step);
            w.addScalars("run/acc", Map.of("train", 0.5, "test", 0.25), 3);
        }
        List<Event> events = EventFileReader.readDir(dir);
        List<Summary.Value> loss = EventFileReader.values(events, "loss");
        assertEquals(5, loss.size());
        for (int step = 0; step < 5; step++) assertEquals((float) (1.0 / (step + 1)), loss.get(step).getSimpleValue());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), EventFileReader.steps(events, "loss"));
        // PyTorch's add_scalars: one run per key, named {main_tag}_{key}, the value under main_tag.
        List<Event> train = EventFileReader.readDir(dir.resolve("run_acc_train"));
        assertEquals(0.5f, EventFileReader.values(train, "run/acc").get(0).getSimpleValue());
        assertEquals(List.of(3L), EventFileReader.steps(train, "run/acc"));
        assertEquals(0.25f, EventFileReader.values(EventFileReader.readDir(dir.resolve("run_acc_test")), "run/acc").get(0).getSimpleValue());
    }

    @Test
    void histogramsOfTensors() {
        Tensor t = Tensor.randn(new Generator(1), 50, 20);
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addHistogram("weights", t, 2);
            w.addHistogram("eager", t, 3);
        }
        List<Event> events = EventFileReader.readDir(dir);
        Summary.Value v = EventFileReader.values(events, "weights").get(0);
        assertEquals(Histograms.of(t.toDoubleArray()), v.getHisto());
        assertEquals(1000, v.getHisto().getNum());
        assertEquals(v.getHisto(), EventFileReader.values(events, "eager").get(0).getHisto());
        assertEquals(List.of(3L), EventFileReader.steps(events, "eager"));
    }

    @Test
    void imagesComeBackPixelForPixel() throws IOException {
        // A 2x3 RGB image, CHW, values in [0, 1]: red rises along x, green along y, blue is 1.
        double[] chw = new double[3 * 2 * 3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                chw[y * 3 + x] = x / 2.0;
                chw[6 + y * 3 + x] = y;
                chw[12 + y * 3 + x] = 1;
            }
        }
        Tensor digits = Tensor.of(new float[4 * 1 * 2 * 2], 4, 1, 2, 2);
        for (int i = 0; i < 4; i++) digits.setDouble(i * 4 + i % 4, 1.0);   // image i lights pixel i
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addImage("rgb", Tensor.of(chw, 3, 2, 3), 0);
            w.addImages("digits", digits, 1);
            w.addImage("gray", Tensor.of(new long[] {0, 128, 255, 300}, 2, 2), 2, "HW");
        }
        List<Event> events = EventFileReader.readDir(dir);
        Summary.Image rgb = EventFileReader.values(events, "rgb").get(0).getImage();
        assertEquals(2, rgb.getHeight());
        assertEquals(3, rgb.getWidth());
        assertEquals(3, rgb.getColorspace());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(rgb.getEncodedImageString().toByteArray()));
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int p = img.getRGB(x, y);
                assertEquals(Math.round(x / 2.0 * 255), (p >> 16) & 255);
                assertEquals(y * 255, (p >> 8) & 255);
                assertEquals(255, p & 255);
            }
        }
        Summary.Image grid = EventFileReader.values(events, "digits").get(0).getImage();
        assertEquals(2, grid.getHeight());
        assertEquals(8, grid.getWidth());   // four 2x2 images in one row
        assertEquals(1, grid.getColorspace());
        BufferedImage g = ImageIO.read(new ByteArrayInputStream(grid.getEncodedImageString().toByteArray()));
        for (int i = 0; i < 4; i++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) assertEquals(y * 2 + x == i ? 255 : 0, g.getRaster().getSample(i * 2 + x, y, 0));
            }
        }
        BufferedImage gray = ImageIO.read(new ByteArrayInputStream(EventFileReader.values(events, "gray").get(0).getImage()
                .getEncodedImageString().toByteArray()));
        assertEquals(List.of(0, 128, 255, 255), List.of(gray.getRaster().getSample(0, 0, 0), gray.getRaster().getSample(1, 0, 0),
                gray.getRaster().getSample(0, 1, 0), gray.getRaster().getSample(1, 1, 0)));
    }

    @Test
    void textAsTheTextPluginReadsIt() {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addText("notes", "**iris**: 4 features, 3 classes", 0);
        }
        Summary.Value v = EventFileReader.values(EventFileReader.readDir(dir), "notes/text_summary").get(0);
        assertEquals("text", v.getMetadata().getPluginData().getPluginName());
        assertEquals("**iris**: 4 features, 3 classes", v.getTensor().getStringVal(0).toString(StandardCharsets.UTF_8));
        assertEquals(1, v.getTensor().getTensorShape().getDim(0).getSize());
    }

    @Test
    void hparamsAsThePluginReadsThem() throws InvalidProtocolBufferException {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("lr", 1e-3);
        hp.put("optimizer", "adam");
        hp.put("dropout", true);
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addHparams(hp, Map.of("hparam/accuracy", 0.9), "trial");
        }
        List<Event> events = EventFileReader.readDir(dir.resolve("trial"));
        HParamsPluginData experiment = plugin(events, "_hparams_/experiment");
        assertEquals(List.of("lr", "optimizer", "dropout"),
                experiment.getExperiment().getHparamInfosList().stream().map(h -> h.getName()).toList());
        assertEquals("hparam/accuracy", experiment.getExperiment().getMetricInfos(0).getName().getTag());
        HParamsPluginData start = plugin(events, "_hparams_/session_start_info");
        assertEquals(1e-3, start.getSessionStartInfo().getHparamsOrThrow("lr").getNumberValue());
        assertEquals("adam", start.getSessionStartInfo().getHparamsOrThrow("optimizer").getStringValue());
        assertTrue(start.getSessionStartInfo().getHparamsOrThrow("dropout").getBoolValue());
        assertEquals(1, plugin(events, "_hparams_/session_end_info").getSessionEndInfo().getStatusValue());   // STATUS_SUCCESS
        assertEquals(0.9f, EventFileReader.values(events, "hparam/accuracy").get(0).getSimpleValue());

        JanusException e = assertThrows(JanusException.class, () -> {
            try (SummaryWriter w = new SummaryWriter(dir)) {
                w.addHparams(Map.of("layers", List.of(1, 2)), Map.of());
            }
        });
        assertTrue(e.getMessage().contains("'layers' is a "), e.getMessage());
    }

    private static HParamsPluginData plugin(List<Event> events, String tag) throws InvalidProtocolBufferException {
        Summary.Value v = EventFileReader.values(events, tag).get(0);
        assertEquals("hparams", v.getMetadata().getPluginData().getPluginName());
        return HParamsPluginData.parseFrom(v.getMetadata().getPluginData().getContent());
    }

    @Test
    void theGraphOfAnEagerModuleWithScopesOpTypesAndShapes() throws InvalidProtocolBufferException {
        Generator.manualSeed(0);
        NNSequential model = new NNSequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addGraph(model, Tensor.zeros(2, 4));
        }
        List<Event> events = EventFileReader.readDir(dir);
        GraphDef g = GraphDef.parseFrom(events.stream().filter(Event::hasGraphDef).findFirst().orElseThrow().getGraphDef());
        Map<String, NodeDef> nodes = g.getNodeList().stream().collect(Collectors.toMap(NodeDef::getName, n -> n));
        assertEquals("Placeholder", nodes.get("input").getOp());
        assertEquals("Parameter", nodes.get("0/weight").getOp());
        assertEquals(List.of(8L, 4L), dims(nodes.get("0/weight")));
        NodeDef first = g.getNodeList().stream().filter(n -> n.getInputList().contains("0/weight")).findFirst().orElseThrow();
        assertTrue(first.getName().startsWith("0/"), first.getName());   // in the scope of its layer
        assertEquals(List.of(-1L, 8L), dims(first));
        NodeDef relu = g.getNodeList().stream().filter(n -> n.getOp().equals("relu")).findFirst().orElseThrow();
        assertEquals(List.of(first.getName()), relu.getInputList());
        NodeDef out = nodes.get("output");
        assertEquals("Output", out.getOp());
        assertEquals(List.of(-1L, 3L), dims(out));
        assertTrue(nodes.get(out.getInput(0)).getName().startsWith("2/"), out.getInput(0));
        for (NodeDef n : g.getNodeList()) for (String in : n.getInputList()) assertTrue(nodes.containsKey(in.split(":")[0]), n.getName() + " reads " + in);
    }

    private static List<Long> dims(NodeDef n) {
        AttrValue shapes = n.getAttrOrThrow("_output_shapes");
        return shapes.getList().getShape(0).getDimList().stream().map(d -> d.getSize()).toList();
    }

    @Test
    void theDefaultFolderIsPyTorchs() throws IOException {
        SummaryWriter w = new SummaryWriter();
        try {
            assertEquals(Path.of("runs"), w.logDir().getParent());
            assertTrue(w.logDir().getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.+"), w.logDir().toString());
        } finally {
            w.close();
            Files.delete(w.file());
            Files.delete(w.logDir());
            try (var s = Files.list(Path.of("runs"))) {
                if (s.findAny().isEmpty()) Files.delete(Path.of("runs"));
            }
        }
    }
}
