package dev.janus.graph;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks shared by the pass tests. */
final class PassTesting {
    private PassTesting() {
    }

    /** Both graphs give the same outputs, bit for bit, on these inputs (random ops from one seed). */
    static void sameResults(Graph before, Graph after, Tensor... inputs) {
        List<Tensor> a = Interpreter.run(before, List.of(inputs), new ExecContext(new Generator(7)));
        List<Tensor> b = Interpreter.run(after, List.of(inputs), new ExecContext(new Generator(7)));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).type(), b.get(i).type(), "output " + i);
            assertArrayEquals(a.get(i).toDoubleArray(), b.get(i).toDoubleArray(), 0.0, "output " + i);
        }
    }

    static String lines(String... l) {
        return String.join("\n", l);
    }
}
