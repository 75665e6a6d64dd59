package dev.janus.export;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.io.AtomicFile;
import dev.janus.core.io.Json;
import dev.janus.core.ir.Graph;
import dev.janus.graph.JsModule;
import dev.janus.graph.ShapeInference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a model as a static web folder: {@code index.html}, a page with a form to try the model
 * that opens from disk or any static host (the model's code inlined in it), and beside it either
 * {@code model.js} (the JavaScript module Janus generates, with {@code package.json} marking the
 * folder's .js files as ES modules for Node) or {@code model.onnx} for onnxruntime-web. Everything
 * is built before anything is written; each file is written atomically.
 */
final class WebExport {
    private WebExport() {
    }

    static Path write(Graph graph, String name, Path dir, WebOptions options) {
        TensorType input = graph.inputs().size() == 1 ? graph.inputs().get(0).type() : null;
        if (input == null || graph.outputs().size() != 1) {
            throw new JanusException("web export of " + name + ": the page takes a model of one input and one output, got "
                    + graph.inputs().size() + " inputs and " + graph.outputs().size() + " outputs");
        }
        if (input.rank() == 0) throw new JanusException("web export of " + name + ": the input " + input + " has no batch axis");
        boolean onnx = options.onnxRuntimeUrl() != null;
        JsModule module = onnx ? null : JsModule.generate(graph, options.batchSize());
        Shape sample = input.shape().sub(1, input.rank());
        Shape outSample = onnx ? outputSample(graph, input) : module.outputType().shape();
        if (!sample.isStatic()) throw new JanusException("web export of " + name + ": the input " + input + " must be known but for the batch");

        Map<String, Object> config = new LinkedHashMap<>();
        String form = form(options.form(), sample);
        int features = sample.size(), outputs = outSample.size();
        config.put("form", form);
        config.put("inputShape", sample.dims());
        config.put("outputShape", outSample.dims());
        config.put("features", names(options.features(), features, "x", "feature names", "input values"));
        config.put("classes", options.classes() == null ? null : names(options.classes(), outputs, "", "class names", "outputs"));
        if (options.mean() != null && options.mean().length != features) {
            throw new JanusException("web export of " + name + ": the standardisation has " + options.mean().length + " features, the model takes " + features);
        }
        config.put("mean", options.mean());
        config.put("scale", options.scale());
        config.put("examples", examples(options, sample));
        List<String> exampleNames = new ArrayList<>();
        int count = options.examples() == null ? 0 : options.examples().dim(0);
        for (int k = 0; k < count; k++) exampleNames.add(options.exampleNames() == null || k >= options.exampleNames().size() ? null : options.exampleNames().get(k));
        config.put("exampleNames", exampleNames);
        if (form.equals("image")) {
            int[] hw = imageSize(sample);
            config.put("image", Map.of("height", hw[0], "width", hw[1], "paper", options.paper(), "ink", options.ink()));
        }
        String title = options.title() == null ? name : options.title();
        byte[] onnxBytes = onnx ? OnnxExporter.toBytes(graph, options.onnx().inputNames() == null ? options.onnx().inputNames("input") : options.onnx()) : null;
        String about;
        if (onnx) {
            config.put("runtime", "onnxruntime-web");
            config.put("ortUrl", options.onnxRuntimeUrl());
            config.put("onnx", Base64.getEncoder().encodeToString(onnxBytes));
            about = "Runs in this browser with onnxruntime-web (model.onnx, " + kb(onnxBytes.length) + "); nothing is sent to a server.";
        } else {
            config.put("runtime", "janus");
            about = "Runs in this browser as JavaScript that Janus compiled from the model (model.js, " + kb(module.source().length())
                    + " with its weights, no library); nothing is sent to a server.";
        }
        config.put("about", about);

        String page = template()
                .replace("{{TITLE}}", html(title))
                .replace("<!--RUNTIME-->", onnx ? "<script src=\"" + html(options.onnxRuntimeUrl()) + "\"></script>" : "")
                .replace("/*CONFIG*/", Json.write(config).replace("</", "<\\/"))
                .replace("/*MODEL*/", onnx ? "" : module.source().replace("</", "<\\/"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JanusException("cannot create the folder " + dir + ": " + e.getMessage(), e);
        }
        if (onnx) {
            AtomicFile.write(dir.resolve("model.onnx"), onnxBytes, "ONNX model");
        } else {
            AtomicFile.write(dir.resolve("model.js"), module.source().getBytes(StandardCharsets.UTF_8), "JavaScript model");
            AtomicFile.write(dir.resolve("package.json"), "{ \"type\": \"module\" }\n".getBytes(StandardCharsets.UTF_8), "package.json");
        }
        AtomicFile.write(dir.resolve("index.html"), page.getBytes(StandardCharsets.UTF_8), "web page");
        for (String f : onnx ? List.of("index.html", "model.onnx") : List.of("index.html", "model.js", "package.json")) readableByAll(dir.resolve(f));
        return dir.resolve("index.html");
    }

    /** A static host serves files as another user: rw-r--r-- (the temporary file behind an atomic write is private). */
    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: its own defaults apply.
        }
    }

    /** The output of one sample, from the graph specialised to a batch of 1 (no JavaScript needed). */
    private static Shape outputSample(Graph graph, TensorType input) {
        Shape out = ShapeInference.specialize(graph, List.of(input.withShape(input.shape().with(0, 1)))).outputs().get(0).type().shape();
        return out.rank() == 0 ? out : out.sub(1, out.rank());
    }

    private static String form(WebOptions.Form f, Shape sample) {
        if (f == WebOptions.Form.FEATURES) return "features";
        if (f == WebOptions.Form.NUMBERS) return "numbers";
        if (f == WebOptions.Form.IMAGE) {
            if (imageSize(sample) == null) throw new JanusException("web export: a sample of shape " + sample + " is not an image ([height, width] with a channel axis of 1 or none)");
            return "image";
        }
        if (sample.rank() == 1) return "features";
        return imageSize(sample) != null ? "image" : "numbers";
    }

    /** Height and width of a sample [H, W], [H, W, 1] or [1, H, W] (both at least 4), else null. */
    private static int[] imageSize(Shape s) {
        int[] hw = s.rank() == 2 ? s.dims() : s.rank() == 3 && s.dim(2) == 1 ? new int[] {s.dim(0), s.dim(1)}
                : s.rank() == 3 && s.dim(0) == 1 ? new int[] {s.dim(1), s.dim(2)} : null;
        return hw != null && hw[0] >= 4 && hw[1] >= 4 ? hw : null;
    }

    private static List<String> names(List<String> given, int count, String prefix, String what, String of) {
        if (given == null) {
            List<String> n = new ArrayList<>();
            for (int i = 0; i < count; i++) n.add(prefix + i);
            return n;
        }
        if (given.size() != count) throw new JanusException("web export: " + given.size() + " " + what + " for " + count + " " + of + ": " + given);
        return given;
    }

    private static List<double[]> examples(WebOptions options, Shape sample) {
        List<double[]> rows = new ArrayList<>();
        Tensor ex = options.examples();
        if (ex == null) return rows;
        if (ex.rank() == 0 || ex.numel() != ex.dim(0) * sample.size()) {
            throw new JanusException("web export: examples " + ex.type() + " are not k samples of " + sample);
        }
        int n = sample.size();
        for (int k = 0; k < ex.dim(0); k++) {
            double[] row = new double[n];
            // A float32 value as the decimal a person wrote (4.9, not 4.900000095367432): it parses back to the same float.
            for (int i = 0; i < n; i++) row[i] = ex.dtype() == DType.FLOAT32 ? Double.parseDouble(Float.toString((float) ex.readDouble(k * n + i))) : ex.readDouble(k * n + i);
            rows.add(row);
        }
        return rows;
    }

    private static String kb(int bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }

    private static String template() {
        try (InputStream in = WebExport.class.getResourceAsStream("web/index.html")) {
            if (in == null) throw new JanusException("the web page template is missing from the Janus export jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JanusException("cannot read the web page template: " + e.getMessage(), e);
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
