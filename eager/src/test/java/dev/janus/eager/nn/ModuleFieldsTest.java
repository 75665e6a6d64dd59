package dev.janus.eager.nn;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.eager.EagerOptimizer;
import dev.janus.core.Tensor;
import dev.janus.core.optim.Adam;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fields that hold a module or a Parameter register themselves in declaration order, so the model
 * PyTorch's make_reference.py builds by attribute assignment has the same parameter, buffer and
 * child names here (names/reference.txt, written by PyTorch).
 */
class ModuleFieldsTest {
    static final class Block extends NNModule {
        final Parameter gate = new Parameter(Tensor.zeros(8));
        final Linear fc = new Linear(8, 8);
        final BatchNorm1d bn = new BatchNorm1d(8);

        @Override
        public Tensor forward(Tensor x) {
            return bn.forward(fc.forward(x)).mul(gate);
        }
    }

    static final class Net extends NNModule {
        final NNEmbedding embed = new NNEmbedding(10, 4);
        final NNSequential encoder = new NNSequential(new Linear(4, 8), new ReLU(), new Linear(8, 8));
        final Parameter scale = new Parameter(Tensor.ones(8));
        final Block block = new Block();
        final Linear head = new Linear(8, 3);
        final LayerNorm norm = new LayerNorm(3);
        final Linear shared = head;
        /** Not registered, as in PyTorch: a plain list and a plain tensor. */
        final List<NNModule> extra = List.of(new Linear(2, 2));
        final Tensor offset = Tensor.zeros(3);

        @Override
        public Tensor forward(Tensor idx) {
            Tensor h = encoder.forward(embed.forward(idx)).mul(scale);
            return norm.forward(head.forward(block.forward(h))).add(offset);
        }
    }

    private static List<String> reference(String kind) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                ModuleFieldsTest.class.getResourceAsStream("/names/reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] parts = line.split(" ");
                if (parts[0].equals(kind)) out.add(parts.length > 2 ? parts[1] + " " + parts[2] : parts[1]);
            }
        }
        return out;
    }

    private static String shape(Tensor t) {
        if (t.rank() == 0) return "scalar";
        StringBuilder sb = new StringBuilder();
        for (int d : t.shape().dims()) sb.append(sb.length() == 0 ? "" : "x").append(d);
        return sb.toString();
    }

    private static List<String> described(Map<String, Tensor> named) {
        List<String> out = new ArrayList<>();
        named.forEach((k, v) -> out.add(k + " " + shape(v)));
        return out;
    }

    @Test
    void namesAreThoseOfPyTorchForTheSameModel() throws IOException {
        Net net = new Net();
        assertEquals(reference("parameter"), described(net.namedParameters()));
        assertEquals(reference("buffer"), described(net.namedBuffers()));
        assertEquals(reference("child"), new ArrayList<>(net.namedChildren().keySet()));
        assertTrue(net.scale.requiresGrad());
        Tensor out = net.forward(Tensor.of(new long[] {1, 2, 3}));
        assertEquals(List.of(3, 3), List.of(out.dim(0), out.dim(1)));
        out.sum().backward();
        assertTrue(net.scale.grad() != null && net.block.gate.grad() != null, "gradients reach the field parameters");
        EagerOptimizer opt = new EagerOptimizer(new Adam(1e-3), net.parameters());
        assertEquals(15, opt.parameters().size());
    }

    @Test
    void explicitRegistrationsKeepWorkingAndTakeTheirPlaceInDeclarationOrder() {
        class Mixed extends NNModule {
            final Linear first = new Linear(2, 2);
            final Linear second = registerModule("second", new Linear(2, 2));
            final Linear third = new Linear(2, 2);
            final Tensor w = registerParameter("w", Tensor.ones(2));

            @Override
            public Tensor forward(Tensor x) {
                return third.forward(second.forward(first.forward(x))).mul(w);
            }
        }
        Mixed m = new Mixed();
        assertEquals(List.of("w", "first.weight", "first.bias", "second.weight", "second.bias", "third.weight", "third.bias"),
                new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("first", "second", "third"), new ArrayList<>(m.namedChildren().keySet()));
        assertSame(m.second, m.namedChildren().get("second"));
    }

    @Test
    void aFieldSetLaterJoinsAtTheEndAndEvalReachesIt() {
        class Late extends NNModule {
            NNDropout drop;
            final Linear fc = new Linear(2, 2);

            @Override
            public Tensor forward(Tensor x) {
                return drop.forward(fc.forward(x));
            }
        }
        Late m = new Late();
        assertEquals(List.of("fc"), new ArrayList<>(m.namedChildren().keySet()));
        m.drop = new NNDropout(0.5);
        m.eval();
        assertEquals(List.of("fc", "drop"), new ArrayList<>(m.namedChildren().keySet()));
        assertTrue(!m.drop.isTraining());
    }

    @Test
    void aModuleWithoutParametersSaysWhyTheOptimizerGetsNone() {
        class Plain extends NNModule {
            final List<Linear> layers = List.of(new Linear(2, 2));

            @Override
            public Tensor forward(Tensor x) {
                return layers.get(0).forward(x);
            }
        }
        JanusException e = assertThrows(JanusException.class, () -> new EagerOptimizer(new Adam(1e-3), new Plain().parameters()));
        assertTrue(e.getMessage().startsWith("adam: got an empty parameter list (a module registers the fields that hold a module or a Parameter"),
                e.getMessage());
        Parameter p = new Parameter(Tensor.full(1, DType.FLOAT64, 2), false);
        assertTrue(!p.requiresGrad() && p.isLeaf());
        assertTrue(p.toString().startsWith("Parameter containing:\ntensor("), p.toString());
    }
}
