package dev.janus.examples;

import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.eager.Tracer;
import dev.janus.eager.nn.Module;
import dev.janus.export.ExportOptions;
import dev.janus.export.OnnxExporter;
import dev.janus.layers.Sequential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a trained model of either style as an ONNX file (its inference form), creating the folder if needed. */
public final class OnnxFiles {
    private OnnxFiles() {
    }

    /** The eager model traced on an example batch, in eval mode (dropout left out), with a dynamic batch dimension. */
    public static Path save(Module model, Tensor example, Path file, ExportOptions options) {
        model.eval();
        Graph graph = Tracer.trace(model, dev.janus.eager.Tensor.from(example));
        createParent(file);
        OnnxExporter.save(graph, file, options);
        return file;
    }

    /** The Keras-style model's prediction graph (input "x", dynamic batch). */
    public static Path save(Sequential model, Path file, ExportOptions options) {
        createParent(file);
        OnnxExporter.save(model.compiledPredictor().graph(), file, options);
        return file;
    }

    private static void createParent(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder for " + file + ": " + e.getMessage(), e);
        }
    }
}
