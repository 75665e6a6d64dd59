package dev.janus.eager;

import dev.janus.core.Tensor;
import dev.janus.core.Shape;
import dev.janus.core.ir.Graph;
import dev.janus.eager.nn.Linear;
import dev.janus.eager.nn.NNModule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a trace cannot record is warned about, naming the model's line, as PyTorch's TracerWarning. */
class TracerWarningTest {
    /** Branches on the data: the trace keeps the branch the example took. */
    static final class Branchy extends NNModule {
        final Linear fc = new Linear(3, 2);

        @Override
        public Tensor forward(Tensor x) {
            if (x.sum().item() > 0) return fc.forward(x);   // line read below
            return fc.forward(x).neg();
        }
    }

    /** Flattens with the example's batch size read into Java: the graph's batch is fixed. */
    static final class FixedBatch extends NNModule {
        final Linear fc = new Linear(6, 2);

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(x.reshape(x.size(0), 6));
        }
    }

    /** Two inputs, as PyTorch's forward(a, b). */
    static final class TwoInputs extends NNModule {
        final Linear fc = new Linear(3, 2);

        @Override
        public Tensor forward(Tensor... xs) {
            return fc.forward(xs[0]).add(xs[1]);
        }
    }

    private static int line(String code) throws Exception {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("src/test/java/dev/janus/eager/TracerWarningTest.java"));
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(code)) return i + 1;
        throw new AssertionError(code);
    }

    @Test
    void readingValuesWhileTracingWarnsNamingTheLine() throws Exception {
        Tracer.trace(new Branchy(), Tensor.ones(4, 3));
        List<String> w = Tracer.lastWarnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("TracerWarning: Branchy.forward(TracerWarningTest.java:" + line("// line read below") + "): reading a tensor's"
                + " values (item()) while tracing"), w.get(0));
    }

    @Test
    void anOpThatFixesTheBatchWarnsAndACleanTraceDoesNot() throws Exception {
        Graph g = Tracer.trace(new FixedBatch(), Tensor.ones(4, 2, 3));
        List<String> w = Tracer.lastWarnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("TracerWarning: FixedBatch.forward(TracerWarningTest.java:" + line("x.reshape(x.size(0), 6)")
                + "): the reshape here gives a fixed first dimension ([4, 6])"), w.get(0));
        assertEquals(Shape.of(4, 2), g.outputs().get(0).type().shape());
        Tracer.trace(new Linear(3, 2), Tensor.ones(4, 3));
        assertEquals(List.of(), Tracer.lastWarnings());
    }

    @Test
    void aModuleOfTwoInputsTracesWithBoth() {
        TwoInputs m = new TwoInputs();
        Tensor a = Tensor.ones(5, 3), b = Tensor.full(2, dev.janus.core.DType.FLOAT32, 5, 2);
        Graph g = Tracer.trace(m, true, a, b);
        assertEquals(2, g.inputs().size());
        assertEquals("input_0", g.inputs().get(0).name());
        assertEquals(Shape.of(-1, 2), g.outputs().get(0).type().shape());
        assertEquals(m.forward(a, b).toFloatArray()[0], m.forward(new Tensor[] {a, b}).toFloatArray()[0]);
    }
}
