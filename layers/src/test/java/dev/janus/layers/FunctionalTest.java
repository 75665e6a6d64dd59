package dev.janus.layers;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import dev.janus.core.testing.FunctionalData;
import dev.janus.layers.core.Dense;
import dev.janus.layers.core.Dropout;
import dev.janus.layers.losses.Losses;
import dev.janus.layers.merge.Add;
import dev.janus.layers.merge.Average;
import dev.janus.layers.merge.Concatenate;
import dev.janus.layers.merge.Multiply;
import dev.janus.layers.merge.Subtract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Functional API: a model of two inputs and two outputs with a shared layer, merge layers and
 * a nested Sequential, trained compiled and with runEagerly from one seed (the same numbers),
 * with per-output losses and loss weights, fit from lists and from maps, saved and loaded.
 */
class FunctionalTest {
    /** sepal (2 features) and petal (2 features) in; species (softmax) and petal size (linear) out. */
    static Model twoInTwoOut() {
        Input sepal = new Input(2).named("sepal"), petal = new Input(2).named("petal");
        Dense shared = new Dense(8, "relu").named("shared");
        KerasTensor both = new Concatenate().apply(shared.apply(sepal), shared.apply(petal));
        KerasTensor sum = new Add().apply(new Dense(8).apply(sepal), new Dense(8).apply(petal));
        Sequential trunk = new Sequential(new Input(32), new Dense(16, "relu"), new Dropout(0.2)).named("trunk");
        KerasTensor h = trunk.apply(new Concatenate().apply(both, sum, new Multiply().apply(sum, sum)));
        KerasTensor species = new Dense(3, "softmax").named("species").apply(h);
        KerasTensor size = new Dense(1).named("size").apply(new Average().apply(h, new Dense(16).apply(h)));
        return new Model(List.of(sepal, petal), List.of(species, size)).named("iris_two_way");
    }

    private static final Iris DATA = Iris.load(42);
    private static final List<Tensor> X = List.of(FunctionalData.columns(DATA.xTrain, 0, 2), FunctionalData.columns(DATA.xTrain, 2, 4));
    private static final List<Tensor> Y = List.of(DATA.yTrain, FunctionalData.rowMeans(FunctionalData.columns(DATA.xTrain, 2, 4)));

    private static Model compiled(boolean eager) {
        Generator.manualSeed(7);
        Model m = twoInTwoOut().runEagerly(eager).generator(new Generator(11));
        m.compile(new Adam(0.01), List.of(Losses.get("sparse_categorical_crossentropy"), Losses.get("mse")), List.of(1.0, 0.5),
                List.of(List.of("accuracy"), List.of("mae")));
        return m;
    }

    @Test
    void aTwoInputTwoOutputModelTrainsTheSameCompiledAndEagerly() {
        Model a = compiled(false), b = compiled(true);
        History ha = a.fit(X, Y, new Fit().epochs(4).batchSize(16).validationSplit(0.2).verbose(0));
        History hb = b.fit(X, Y, new Fit().epochs(4).batchSize(16).validationSplit(0.2).verbose(0));
        assertEquals(List.of("loss", "species_loss", "size_loss", "species_accuracy", "size_mae", "val_loss", "val_species_loss",
                "val_size_loss", "val_species_accuracy", "val_size_mae"), List.copyOf(ha.history().keySet()));
        for (String k : ha.history().keySet()) {
            for (int e = 0; e < 4; e++) {
                double x = ha.get(k).get(e), y = hb.get(k).get(e);
                assertTrue(Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y)), k + " of epoch " + e + ": compiled " + x + ", eager " + y);
            }
        }
        // The total is the weighted sum of the outputs' losses.
        double total = ha.get("loss").get(3), parts = ha.get("species_loss").get(3) + 0.5 * ha.get("size_loss").get(3);
        assertEquals(parts, total, 1e-5);
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            for (int j = 0; j < wa.get(i).numel(); j++) assertEquals(wa.get(i).readDouble(j), wb.get(i).readDouble(j), 1e-6);
        }
        assertTrue(ha.get("species_accuracy").get(3) > 0.5, "it learns: " + ha.get("species_accuracy"));
    }

    @Test
    void fitTakesMapsByInputAndOutputName() {
        Model a = compiled(false), b = compiled(false);
        History ha = a.fit(X, Y, new Fit().epochs(2).verbose(0).shuffle(false));
        History hb = b.fit(Map.of("petal", X.get(1), "sepal", X.get(0)), Map.of("size", Y.get(1), "species", Y.get(0)),
                new Fit().epochs(2).verbose(0).shuffle(false));
        assertEquals(ha.history(), hb.history());
        Map<String, Tensor> p = a.predict(Map.of("sepal", X.get(0), "petal", X.get(1)), 32);
        assertEquals(List.of("species", "size"), List.copyOf(p.keySet()));
        assertEquals(List.of(X.get(0).dim(0), 3), List.of(p.get("species").dim(0), p.get("species").dim(1)));
        JanusException e = assertThrows(JanusException.class, () -> a.fit(Map.of("sepal", X.get(0)), Map.of("species", Y.get(0), "size", Y.get(1)), new Fit()));
        assertEquals("fit: x: no tensor for 'petal'; expected [sepal, petal]", e.getMessage());
        e = assertThrows(JanusException.class, () -> a.fit(List.of(X.get(0)), Y, new Fit()));
        assertTrue(e.getMessage().contains("the model has 2 inputs [sepal, petal] but x has 1 tensors"), e.getMessage());
    }

    @Test
    void aSharedLayerHasOneSetOfWeightsAndANestedModelIsALayer() {
        Model m = twoInTwoOut();
        Layer shared = m.layer("shared"), trunk = m.layer("trunk");
        assertTrue(trunk instanceof Sequential);
        long sharedCount = m.namedWeights().keySet().stream().filter(k -> k.startsWith("shared/")).count();
        assertEquals(2, sharedCount, "kernel and bias once: " + m.namedWeights().keySet());
        assertTrue(m.namedWeights().containsKey("trunk/dense/kernel"), m.namedWeights().keySet().toString());
        // shared 2*8+8, two Dense(8) 2*(2*8+8), trunk 32*16+16, species 16*3+3, Dense(16) 16*16+16, size 16+1
        assertEquals(24 + 48 + 528 + 51 + 272 + 17, m.countParams());
        assertEquals(24, shared.paramCount());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        m.output(new PrintStream(buf, true, StandardCharsets.UTF_8)).summary();
        String table = buf.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("Connected to"), table);
        assertTrue(table.contains("sepal (InputLayer)"), table);
        assertTrue(table.contains("shared[0][0], shared[0][0]") || table.contains("sepal[0][0], petal[0][0]"), table);
        assertTrue(table.contains("trunk (Sequential)"), table);
    }

    @Test
    void savedAndLoadedItPredictsAndTrainsOnAsBefore(@TempDir Path dir) {
        Model a = compiled(false);
        a.fit(X, Y, new Fit().epochs(2).verbose(0));
        Path file = dir.resolve("two_way.janus");
        a.save(file);
        Model b = Model.load(file);
        assertEquals("iris_two_way", b.name());
        assertEquals(a.inputNames(), b.inputNames());
        assertEquals(a.outputNames(), b.outputNames());
        assertEquals(a.lossWeights(), b.lossWeights());
        List<Tensor> pa = a.predict(X, 32), pb = b.predict(X, 32);
        for (int k = 0; k < 2; k++) for (int i = 0; i < pa.get(k).numel(); i++) assertEquals(pa.get(k).readDouble(i), pb.get(k).readDouble(i));
        History ha = a.generator(new Generator(1)).fit(X, Y, new Fit().epochs(1).verbose(0));
        History hb = b.generator(new Generator(1)).fit(X, Y, new Fit().epochs(1).verbose(0));
        assertEquals(ha.history(), hb.history());
    }

    @Test
    void badGraphsAndMergesAreClearErrors() {
        Input a = new Input(3), b = new Input(4), c = new Input(3);
        JanusException e = assertThrows(JanusException.class, () -> new Add().apply(a, b));
        assertTrue(e.getMessage().contains("Add needs inputs of one shape, got [(None, 3), (None, 4)]"), e.getMessage());
        e = assertThrows(JanusException.class, () -> new Subtract().apply(a, c, a));
        assertTrue(e.getMessage().contains("takes exactly 2 inputs, got 3"), e.getMessage());
        e = assertThrows(JanusException.class, () -> new Dense(2).apply(a, c));
        assertTrue(e.getMessage().contains("takes one input, got 2"), e.getMessage());
        KerasTensor out = new Add().apply(a, c);
        e = assertThrows(JanusException.class, () -> new Model(List.of(a), List.of(out)));
        assertTrue(e.getMessage().contains("graph disconnected: an output needs input"), e.getMessage());
        Model m = new Model(List.of(a, c), List.of(out));
        assertNotEquals(a.name(), c.name());
        assertSame(out, m.outputs().get(0));
        KerasTensor joined = new Concatenate().apply(a, b);
        assertEquals("(None, 7)", Layer.describe(joined.shape()));
    }
}
