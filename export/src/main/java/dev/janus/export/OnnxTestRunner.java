package dev.janus.export;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.DType;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs ONNX test folders (ONNX's node tests, or a model with data sets of the same layout:
 * {@code model.onnx} and {@code test_data_set_N/input_K.pb, output_K.pb}) through the importer and
 * the IR interpreter, and compares with the stored outputs. Inputs map in order to the graph
 * inputs that are not initializers; int64 inputs are fixed as constants when the model is read,
 * since Janus takes shapes and axes as attributes.
 */
public final class OnnxTestRunner {
    public enum Status { PASS, FAIL, UNSUPPORTED, ERROR }

    /** One test's outcome: the worst absolute and relative differences seen, and what went wrong. */
    public static final class Result {
        public final String name;
        public final Status status;
        public final double maxAbsDiff, maxRelDiff;
        public final String detail;

        Result(String name, Status status, double maxAbsDiff, double maxRelDiff, String detail) {
            this.name = name;
            this.status = status;
            this.maxAbsDiff = maxAbsDiff;
            this.maxRelDiff = maxRelDiff;
            this.detail = detail;
        }
    }

    private OnnxTestRunner() {
    }

    /** {@code folder} is one test (it holds model.onnx) or a folder of tests, run in name order. */
    public static List<Result> runAll(Path folder, double rtol, double atol) {
        List<Path> tests = new ArrayList<>();
        if (Files.isRegularFile(folder.resolve("model.onnx"))) {
            tests.add(folder);
        } else if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().forEach(tests::add);
            } catch (IOException e) {
                throw new OnnxException("cannot list " + folder + ": " + e, e);
            }
        }
        if (tests.isEmpty()) throw new OnnxException("no ONNX tests in " + folder + " (a test is a folder with model.onnx and test_data_set_*)");
        List<Result> results = new ArrayList<>();
        for (Path t : tests) results.add(run(t, rtol, atol));
        return results;
    }

    /** Runs one test folder over all its data sets. */
    public static Result run(Path test, double rtol, double atol) {
        String name = test.getFileName().toString();
        double[] worst = new double[2];
        try {
            byte[] bytes = Files.readAllBytes(test.resolve("model.onnx"));
            List<ValueInfoProto> fed = fedInputs(bytes);
            List<Path> sets = list(test, "test_data_set_");
            if (sets.isEmpty()) return new Result(name, Status.ERROR, 0, 0, "no test_data_set_* folders");
            for (Path set : sets) {
                String failure = runSet(bytes, fed, set, rtol, atol, worst);
                if (failure != null) return new Result(name, Status.FAIL, worst[0], worst[1], set.getFileName() + ": " + failure);
            }
            return new Result(name, Status.PASS, worst[0], worst[1], "");
        } catch (UnsupportedOpException e) {
            return new Result(name, Status.UNSUPPORTED, 0, 0, "op " + e.opType() + " is not supported");
        } catch (JanusException e) {
            return new Result(name, Status.ERROR, 0, 0, e.getMessage());
        } catch (IOException e) {
            return new Result(name, Status.ERROR, 0, 0, "cannot read: " + e);
        }
    }

    /** The graph inputs the data sets feed: those that are not initializers. */
    private static List<ValueInfoProto> fedInputs(byte[] bytes) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException("model.onnx is not an ONNX model: " + e.getMessage(), e);
        }
        Set<String> init = new HashSet<>();
        for (TensorProto t : m.getGraph().getInitializerList()) init.add(t.getName());
        List<ValueInfoProto> fed = new ArrayList<>();
        for (ValueInfoProto v : m.getGraph().getInputList()) if (!init.contains(v.getName())) fed.add(v);
        return fed;
    }

    private static String runSet(byte[] model, List<ValueInfoProto> fed, Path set, double rtol, double atol, double[] worst) throws IOException {
        List<Path> inFiles = list(set, "input_"), outFiles = list(set, "output_");
        if (inFiles.size() != fed.size()) return fed.size() + " graph inputs, but " + inFiles.size() + " input files";
        Map<String, Tensor> fixed = new HashMap<>();
        List<Tensor> feeds = new ArrayList<>();
        for (int i = 0; i < inFiles.size(); i++) {
            Tensor t = OnnxTensors.load(inFiles.get(i));
            if (t.dtype() == DType.INT64) fixed.put(fed.get(i).getName(), t);
            else feeds.add(t);
        }
        Graph g = OnnxImporter.read(model, ImportOptions.defaults().constants(fixed));
        List<Tensor> got = Interpreter.run(g, feeds, new ExecContext(new Generator(0)));
        if (got.size() != outFiles.size()) return got.size() + " outputs, but " + outFiles.size() + " output files";
        for (int k = 0; k < got.size(); k++) {
            String failure = compare(OnnxTensors.load(outFiles.get(k)), got.get(k), rtol, atol, worst);
            if (failure != null) return "output " + k + ": " + failure;
        }
        return null;
    }

    /** Null when |actual - expected| <= atol + rtol |expected| everywhere (NaNs matching NaNs), else why not. */
    static String compare(Tensor expected, Tensor actual, double rtol, double atol, double[] worst) {
        if (!expected.shape().equals(actual.shape()) || expected.dtype() != actual.dtype()) {
            return "expected " + expected.type() + ", got " + actual.type();
        }
        String failure = null;
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.readDouble(i), a = actual.readDouble(i), d = Math.abs(a - e);
            if (Double.isNaN(e) || Double.isNaN(a)) {
                if (Double.isNaN(e) != Double.isNaN(a) && failure == null) failure = "element " + i + ": expected " + e + ", got " + a;
                continue;
            }
            if (e == a) continue;
            worst[0] = Math.max(worst[0], d);
            if (e != 0) worst[1] = Math.max(worst[1], d / Math.abs(e));
            if (!(d <= atol + rtol * Math.abs(e)) && failure == null) failure = "element " + i + ": expected " + e + ", got " + a;
        }
        return failure;
    }

    /** Entries of {@code dir} named prefix + number, in numeric order. */
    private static List<Path> list(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(prefix) + "\\d+(\\.pb)?"))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", ""))))
                    .collect(java.util.stream.Collectors.toList());
        }
    }

    /** A table with one line per test and a summary line. */
    public static String table(List<Result> results) {
        int w = Math.max(4, results.stream().mapToInt(r -> r.name.length()).max().orElse(4));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s  %-11s  %12s  %12s  %s%n", "test", "result", "max |diff|", "max rel diff", "note"));
        Map<Status, Integer> count = new HashMap<>();
        for (Result r : results) {
            count.merge(r.status, 1, Integer::sum);
            boolean ran = r.status == Status.PASS || r.status == Status.FAIL;
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %-11s  %12s  %12s  %s%n", r.name, r.status.name().toLowerCase(Locale.ROOT),
                    ran ? String.format(Locale.ROOT, "%.3g", r.maxAbsDiff) : "", ran ? String.format(Locale.ROOT, "%.3g", r.maxRelDiff) : "", r.detail));
        }
        sb.append(String.format(Locale.ROOT, "%d passed, %d failed, %d unsupported, %d errors%n", count.getOrDefault(Status.PASS, 0),
                count.getOrDefault(Status.FAIL, 0), count.getOrDefault(Status.UNSUPPORTED, 0), count.getOrDefault(Status.ERROR, 0)));
        return sb.toString();
    }
}
