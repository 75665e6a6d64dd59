package dev.janus.examples.cli;

import dev.janus.core.JanusException;
import dev.janus.core.ir.Graph;
import dev.janus.export.ModelExport;
import dev.janus.export.OnnxImporter;
import dev.janus.export.WebOptions;
import dev.janus.layers.Sequential;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code janus export-web <model> <folder>}: a saved model or an ONNX file as a static web folder
 * that runs it in the browser with no server (see {@link ModelExport#toWeb}).
 */
final class ExportWebCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("runtime", "runtime-url", "title", "labels", "features", "scaler", "form", "batch");

    @Override
    public String name() {
        return "export-web";
    }

    @Override
    public String summary() {
        return "write a web page that runs a model in the browser, as JavaScript Janus generates (no server)";
    }

    @Override
    public String help() {
        return "usage: janus export-web <model> <folder> [options]\n\n"
                + "Writes a static folder that runs the model in a browser with no server: index.html, a page with a form to\n"
                + "try the model (a field per feature, or a canvas to draw on for an image model such as the digits), and\n"
                + "model.js, the model as plain JavaScript that Janus compiles from its inference plan, weights included; its\n"
                + "predict(Float32Array) also runs under Node. Open index.html from disk or put the folder on any static host.\n\n"
                + "<model> is a model saved by Sequential.save (.janus, from janus train --save) or an ONNX file whose ops Janus\n"
                + "has. A file <model>.scaler.csv beside it (janus train writes one) gives the feature names and the\n"
                + "standardisation the model was trained with; the page applies it to the numbers typed in.\n\n"
                + "  --runtime janus|onnxruntime-web   what runs the model: the generated JavaScript (default), or onnxruntime-web\n"
                + "                                    on model.onnx, written beside the page\n"
                + "  --runtime-url URL                 where the page loads onnxruntime-web from (default: the CDN,\n"
                + "                                    " + WebOptions.ONNXRUNTIME_WEB_CDN + ")\n"
                + "  --title TEXT                      the page's heading (default: the model's name)\n"
                + "  --labels a,b,c                    class names, one per output\n"
                + "  --features a,b,c                  feature names (default: from the scaler file, else x0, x1, ...)\n"
                + "  --scaler FILE                     the standardisation: lines feature,mean,scale after a header line\n"
                + "                                    (default: <model>.scaler.csv when it exists)\n"
                + "  --form auto|features|image|numbers\n"
                + "                                    the form (default auto: fields for [n, features], a canvas for\n"
                + "                                    [n, height, width] with a channel axis of 1 or none, else a box of numbers)\n"
                + "  --batch N                         samples the generated code runs at once (default: 1)\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, OPTIONS, Set.of());
        if (a.positional().size() != 2) throw CliError.usage("expected <model> <folder>, got " + a.positional());
        Path from = Path.of(a.positional().get(0)), to = Path.of(a.positional().get(1));
        String runtime = a.choice("runtime", "janus", "janus", "onnxruntime-web");
        String form = a.choice("form", "auto", "auto", "features", "image", "numbers");
        if (a.get("runtime-url", null) != null && runtime.equals("janus")) throw CliError.usage("--runtime-url goes with --runtime onnxruntime-web");
        if (!Files.isRegularFile(from)) throw CliError.input(from + ": no such file", null);

        WebOptions options = WebOptions.defaults().form(WebOptions.Form.valueOf(form.toUpperCase(Locale.ROOT))).batchSize(a.integer("batch", 1, 1));
        if (runtime.equals("onnxruntime-web")) options.onnxRuntimeWeb(a.get("runtime-url", null));
        String file = from.getFileName().toString();
        boolean onnx = file.endsWith(".onnx");
        if (a.get("title", null) != null) options.title(a.get("title", null));
        else if (onnx) options.title(file.substring(0, file.length() - ".onnx".length()));
        if (a.get("labels", null) != null) options.classes(list(a.get("labels", null)));
        Path scalerFile = a.get("scaler", null) != null ? Path.of(a.get("scaler", null)) : Path.of(from + ".scaler.csv");
        Scaler scaler = null;
        if (a.get("scaler", null) != null || Files.isRegularFile(scalerFile)) {
            scaler = Scaler.read(scalerFile);
            options.standardise(scaler.mean, scaler.scale).features(scaler.features);
        }
        if (a.get("features", null) != null) options.features(list(a.get("features", null)));

        Path page;
        try {
            if (onnx) {
                Graph graph = OnnxImporter.load(from);
                page = ModelExport.toWeb(graph, to, options);
            } else {
                page = ModelExport.toWeb(Sequential.load(from), to, options);
            }
        } catch (JanusException e) {
            throw CliError.input(e.getMessage(), e);
        }
        Path beside = page.resolveSibling(runtime.equals("janus") ? "model.js" : "model.onnx");
        out.printf(Locale.ROOT, "wrote %s (%s) and %s (%s)%s%n", page, kb(page), beside, kb(beside),
                runtime.equals("janus") ? ": the model as JavaScript, import { predict } from \"./model.js\"" : "");
        if (scaler != null) out.println("the page standardises its " + scaler.features.size() + " features with " + scalerFile);
        out.println("open " + page + " in a browser, or serve the folder from any static host");
        return 0;
    }

    private static List<String> list(String csv) {
        List<String> names = new ArrayList<>();
        for (String s : csv.split(",")) names.add(s.strip());
        return names;
    }

    private static String kb(Path p) {
        try {
            return String.format(Locale.ROOT, "%.1f KB", Files.size(p) / 1024.0);
        } catch (IOException e) {
            return "?";
        }
    }

    /** The standardisation file janus train writes beside a model: "feature,mean,scale", then a line per feature. */
    static final class Scaler {
        final List<String> features = new ArrayList<>();
        final double[] mean, scale;

        private Scaler(List<String> names, double[] mean, double[] scale) {
            features.addAll(names);
            this.mean = mean;
            this.scale = scale;
        }

        static Scaler read(Path file) throws CliError {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw CliError.input("cannot read the scaler file " + file + ": " + e.getMessage(), e);
            }
            if (lines.isEmpty() || !lines.get(0).strip().equals("feature,mean,scale")) {
                throw CliError.input(file + ", line 1: expected the header feature,mean,scale", null);
            }
            List<String> names = new ArrayList<>();
            double[] mean = new double[lines.size() - 1], scale = new double[lines.size() - 1];
            int n = 0;
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                int b = line.lastIndexOf(','), c = b < 0 ? -1 : line.lastIndexOf(',', b - 1);
                if (c < 0) throw CliError.input(file + ", line " + (i + 1) + ": expected feature,mean,scale, got '" + line + "'", null);
                try {
                    mean[n] = Double.parseDouble(line.substring(c + 1, b));
                    scale[n] = Double.parseDouble(line.substring(b + 1));
                } catch (NumberFormatException e) {
                    throw CliError.input(file + ", line " + (i + 1) + ": the mean and scale must be numbers, got '" + line + "'", e);
                }
                if (!Double.isFinite(mean[n]) || !(scale[n] != 0 && Double.isFinite(scale[n]))) {
                    throw CliError.input(file + ", line " + (i + 1) + ": the mean must be finite and the scale finite and not 0, got '" + line + "'", null);
                }
                names.add(line.substring(0, c));
                n++;
            }
            return new Scaler(names, Arrays.copyOf(mean, n), Arrays.copyOf(scale, n));
        }
    }
}
