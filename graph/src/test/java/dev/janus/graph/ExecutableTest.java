package dev.janus.graph;

import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.ShapeException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutableTest {
    @Test
    void runsLikeTheInterpreterWithOnePlanPerBatchSize() {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        Executable exe = new Executable(model, CompileOptions.defaults());
        for (int rows : new int[] {16, 16, 5}) {
            Tensor x = Models.features(DType.FLOAT32, rows, rows), y = Models.labels(rows, rows);
            List<Tensor> got = exe.run(new ExecContext(new Generator(0)), x, y);
            List<Tensor> want = Interpreter.run(model, List.of(x, y), new ExecContext(new Generator(0)));
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).toDoubleArray(), got.get(i).toDoubleArray(), 0.0);
        }
        assertEquals(2, exe.planCount());
    }

    /**
     * One executable, 8 threads at once, each getting bit for bit its serial results. Batches of 600
     * rows take the fused kernels' tiled path (the registers once lived in the shared op) and of 5
     * the whole-tensor one.
     */
    @Test
    void runsFromManyThreadsAtOnceAsItRunsAlone() throws Exception {
        Graph model = Models.mlp(DType.FLOAT32, 0);
        Executable exe = new Executable(model, CompileOptions.defaults());
        int threads = 8, calls = 12;
        Tensor[][] x = new Tensor[threads][calls], y = new Tensor[threads][calls];
        double[][][] serial = new double[threads][calls][];
        for (int t = 0; t < threads; t++) {
            for (int c = 0; c < calls; c++) {
                int rows = c % 2 == 0 ? 600 : 5;
                x[t][c] = Models.features(DType.FLOAT32, 1000 * t + c, rows);
                y[t][c] = Models.labels(1000 * t + c, rows);
                serial[t][c] = exe.run(new ExecContext(new Generator(0)), x[t][c], y[t][c]).get(0).toDoubleArray();
            }
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<double[][]>> parallel = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                parallel.add(pool.submit(() -> {
                    double[][] got = new double[calls][];
                    ExecContext ctx = new ExecContext(new Generator(0));
                    for (int c = 0; c < calls; c++) got[c] = exe.run(ctx, x[id][c], y[id][c]).get(0).toDoubleArray();
                    return got;
                }));
            }
            for (int t = 0; t < threads; t++) {
                for (int c = 0; c < calls; c++) assertArrayEquals(serial[t][c], parallel.get(t).get()[c], 0.0, "thread " + t + ", call " + c);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, exe.planCount());
    }

    @Test
    void badInputsNameTheInput() {
        Executable exe = new Executable(Models.mlp(DType.FLOAT32, 0), CompileOptions.defaults());
        ExecContext ctx = new ExecContext(new Generator(0));
        ShapeException e = assertThrows(ShapeException.class, () -> exe.run(ctx, Tensor.zeros(8, 3), Tensor.zeros(DType.INT64, 8)));
        assertEquals("graph mlp: input x expects float32[?, 4], got float32[8, 3]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> exe.run(ctx, Tensor.zeros(8, 4), Tensor.zeros(8)));
        assertEquals("graph mlp: input y expects int64[?], got float32[8]", e.getMessage());
        e = assertThrows(ShapeException.class, () -> exe.run(ctx, Tensor.zeros(8, 4)));
        assertEquals("graph mlp: expected 2 inputs, got 1", e.getMessage());
    }

    @Test
    void theListenerSeesTheIrAfterEachPass() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Executable exe = new Executable(Models.mlp(DType.FLOAT32, 0), CompileOptions.defaults().listener(IrListener.printingTo(out)));
        exe.plan(List.of(dev.janus.core.Shape.of(2, 4), dev.janus.core.Shape.of(2)));
        String text = bytes.toString(StandardCharsets.UTF_8);
        int at = -1;
        for (String pass : new String[] {"shape-inference", "constant-folding", "common-subexpressions", "dead-code-elimination",
                "elementwise-fusion"}) {
            int next = text.indexOf("== " + pass + " (");
            assertTrue(next > at, pass + " in\n" + text);
            at = next;
        }
        assertTrue(text.contains("fused(%"), text);
    }
}
