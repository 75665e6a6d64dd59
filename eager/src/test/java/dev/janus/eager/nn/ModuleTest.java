package dev.janus.eager.nn;

import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {
    /** A user-written module, as a PyTorch user writes one. */
    static final class Net extends NNModule {
        final NNSequential layers = registerModule("layers", new NNSequential(new Linear(4, 8), new ReLU(), new NNDropout(0.3)));
        final Linear head = registerModule("head", new Linear(8, 3));
        final Tensor scale = registerParameter("scale", Tensor.ones(3));

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(layers.forward(x)).mul(scale);
        }
    }

    @Test
    void parametersHaveDottedNames() {
        Net net = new Net();
        assertEquals(List.of("scale", "layers.0.weight", "layers.0.bias", "head.weight", "head.bias"), List.copyOf(net.namedParameters().keySet()));
        assertEquals(5, net.parameters().size());
        assertEquals(3 + 32 + 8 + 24 + 3, net.parameterCount());
        assertSame(net.head.weight, net.namedParameters().get("head.weight"));
        assertTrue(net.parameters().stream().allMatch(p -> p.requiresGrad() && p.isLeaf()));
        assertEquals(List.of(net.layers, net.head), net.children());
        assertEquals(3, net.layers.size());
        assertSame(net.layers.get(2), net.layers.children().get(2));
    }

    @Test
    void aSharedParameterIsListedOnce() {
        Linear shared = new Linear(2, 2);
        NNSequential tied = new NNSequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(tied.namedParameters().keySet()));
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Net net = new Net();
        assertTrue(net.layers.get(2).isTraining());
        net.eval();
        assertFalse(net.layers.get(2).isTraining());
        Tensor x = Tensor.randn(5, 4);
        assertArrayEquals(net.forward(x).toFloatArray(), net.forward(x).toFloatArray(), "no dropout in eval mode");
        net.train();
        assertTrue(net.head.isTraining());
    }

    @Test
    void printsAsPyTorchDoes() {
        assertEquals(String.join("\n",
                "Net(",
                "  (layers): Sequential(",
                "    (0): Linear(in_features=4, out_features=8, bias=True)",
                "    (1): ReLU()",
                "    (2): Dropout(p=0.3)",
                "  )",
                "  (head): Linear(in_features=8, out_features=3, bias=True)",
                ")"), new Net().toString());
        assertEquals("Flatten(start_dim=1, end_dim=-1)", new NNFlatten().toString());
        assertEquals("LeakyReLU(negative_slope=0.2)", new LeakyReLU(0.2).toString());
        assertEquals("Softmax(dim=1)", new NNSoftmax(1).toString());
        assertEquals("GELU(approximate='tanh')", new GELU("tanh").toString());
        assertEquals("Sequential()", new NNSequential().toString());
    }

    @Test
    void stateDictRoundTripsAndIsASnapshot() {
        Net a = new Net(), b = new Net();
        Map<String, Tensor> state = a.stateDict();
        assertEquals(List.copyOf(a.namedParameters().keySet()), List.copyOf(state.keySet()));
        assertNotSame(a.head.weight, state.get("head.weight"));
        NNModule.LoadResult r = b.loadStateDict(state);
        assertEquals(List.of(), r.missingKeys());
        assertArrayEquals(a.head.weight.toFloatArray(), b.head.weight.toFloatArray());
        a.head.weight.copyFrom(Tensor.zeros(3, 8));
        assertFalse(state.get("head.weight").f32()[0] == 0 && state.get("head.weight").f32()[1] == 0, "the snapshot did not change");
    }

    @Test
    void strictLoadingListsEveryProblemAndChangesNothing() {
        Net net = new Net();
        float[] before = net.head.weight.toFloatArray();
        Map<String, Tensor> state = new Net().stateDict();
        state.remove("head.bias");
        state.remove("scale");
        state.put("head.weight", Tensor.zeros(3, 7));
        state.put("tail.weight", Tensor.zeros(1));
        ShapeException e = assertThrows(ShapeException.class, () -> net.loadStateDict(state));
        assertEquals(String.join("\n",
                "Error(s) in loading state dict for Net:",
                "  missing keys: scale, head.bias",
                "  unexpected keys: tail.weight",
                "  size mismatch for head.weight: the checkpoint has float32[3, 7], the model has float32[3, 8]"), e.getMessage());
        assertArrayEquals(before, net.head.weight.toFloatArray());

        state.put("head.weight", Tensor.zeros(3, 8));
        NNModule.LoadResult r = net.loadStateDict(state, false);
        assertEquals(List.of("scale", "head.bias"), r.missingKeys());
        assertEquals(List.of("tail.weight"), r.unexpectedKeys());
        assertArrayEquals(new float[24], net.head.weight.toFloatArray());
    }

    @Test
    void registrationNamesAreChecked() {
        NNModule m = new NNModule() {
            {
                registerParameter("w", Tensor.zeros(1));
                assertThrows(JanusException.class, () -> registerParameter("w", Tensor.zeros(1)));
                assertThrows(JanusException.class, () -> registerModule("a.b", new ReLU()));
                assertThrows(JanusException.class, () -> registerParameter("v", Tensor.zeros(1).requiresGrad(true).mul(2)));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        assertEquals(1, m.parameters().size());
    }

    @Test
    void linearInitialisesAsPyTorch() {
        Generator.manualSeed(0);
        Linear l = new Linear(25, 400);
        double bound = 1 / Math.sqrt(25);
        double sumSq = 0;
        for (float w : l.weight.toFloatArray()) {
            assertTrue(Math.abs(w) <= bound);
            sumSq += w * w;
        }
        // U(-b, b) has variance b^2 / 3.
        assertEquals(bound * bound / 3, sumSq / (25 * 400), 0.05 * bound * bound / 3);
        for (float b : l.bias.toFloatArray()) assertTrue(Math.abs(b) <= bound);
        assertNull(new Linear(3, 2, false).bias);
        Generator.manualSeed(0);
        assertArrayEquals(l.weight.toFloatArray(), new Linear(25, 400).weight.toFloatArray(), "seeded initialisation repeats");
        l.zeroGrad();
    }

    @Test
    void aForwardWithTheWrongFeatureCountNamesTheLayer() {
        Net net = new Net();
        ShapeException e = assertThrows(ShapeException.class, () -> net.forward(Tensor.zeros(16, 5)));
        assertEquals("Linear(in_features=4, out_features=8, bias=True): expected an input whose last dimension has 4 features, "
                + "got shape [16, 5]", e.getMessage());
        assertThrows(ShapeException.class, () -> net.forward(Tensor.zeros(dev.janus.core.DType.FLOAT64, 16, 4)));
    }
}
