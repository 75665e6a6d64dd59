package dev.janus.export;

import dev.janus.core.Generator;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.ops.ExecContext;
import dev.janus.core.testing.Close;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONNX Runtime as the judge of an export: the exported model must give the interpreter's outputs. */
final class OrtJudge {
    /** Largest allowed |ort - janus| / max(|janus|, FLOOR), elementwise. */
    static final double MAX_REL = 1e-5;
    /** Below this magnitude the error is measured against the floor (an absolute 1e-8), since a relative error of a value near 0 means nothing. */
    static final double FLOOR = 1e-3;
    static final int[] BATCHES = {2, 5};

    private OrtJudge() {
    }

    /** With JANUS_EXPORT_DUMP set to a folder, keeps each exported model there (for src/test/python/check_exports.py). */
    static void dump(String name, byte[] model) {
        String dir = System.getenv("JANUS_EXPORT_DUMP");
        if (dir == null) return;
        try {
            Files.createDirectories(Path.of(dir));
            Files.write(Path.of(dir, name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".onnx"), model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exports {@code graph} and compares ONNX Runtime with the interpreter at each batch size; returns the worst relative error. */
    static double assertSameOutputs(Graph graph, ExportOptions options, IntFunction<List<Tensor>> inputsForBatch) {
        return assertSameOutputs(graph, graph, options, inputsForBatch);
    }

    /** As above, with the interpreter running {@code reference}: the inference form, where {@code graph} has dropout. */
    static double assertSameOutputs(Graph graph, Graph reference, ExportOptions options, IntFunction<List<Tensor>> inputsForBatch) {
        byte[] model = OnnxExporter.toBytes(graph, options);
        dump(graph.name() + "_opset" + options.opset(), model);
        return assertSameOutputs(model, reference, inputsForBatch);
    }

    /** ONNX Runtime running {@code model} against the interpreter running {@code reference}. */
    static double assertSameOutputs(byte[] model, Graph reference, IntFunction<List<Tensor>> inputsForBatch) {
        return assertSameOutputs(model, in -> Interpreter.run(reference, in, new ExecContext(new Generator(0))), inputsForBatch);
    }

    /** ONNX Runtime running {@code model} against {@code janus} (a front end's forward, say); returns the worst relative error. */
    static double assertSameOutputs(byte[] model, Function<List<Tensor>, List<Tensor>> janus, IntFunction<List<Tensor>> inputsForBatch) {
        double worst = 0;
        try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(model)) {
            for (int batch : BATCHES) {
                List<Tensor> in = inputsForBatch.apply(batch);
                List<Tensor> want = janus.apply(in);
                List<Tensor> got = ort.run(in.toArray(new Tensor[0]));
                assertEquals(want.size(), got.size(), "number of outputs");
                for (int k = 0; k < want.size(); k++) {
                    assertEquals(want.get(k).type(), got.get(k).type(), "output " + k + " at batch " + batch);
                    double rel = Close.maxRelError(got.get(k), want.get(k), FLOOR);
                    worst = Math.max(worst, rel);
                    assertTrue(rel <= MAX_REL, "output " + k + " at batch " + batch + ": max relative error " + rel + "\njanus " + want.get(k) + "\nort   " + got.get(k));
                }
            }
        }
        return worst;
    }
}
