package dev.janus.export;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.janus.core.Generator;
import dev.janus.core.JanusException;
import dev.janus.core.Tensor;
import dev.janus.core.io.Json;
import dev.janus.core.ir.Graph;
import dev.janus.core.ir.Interpreter;
import dev.janus.core.onnx.OnnxException;
import dev.janus.core.ops.ExecContext;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs ONNX test folders (ONNX's node tests, or a model with data sets of the same layout:
 * {@code model.onnx} and {@code test_data_set_N/input_K.pb, output_K.pb}) through the importer and
 * the IR interpreter, and compares with the stored outputs as ONNX's own backend harness does:
 * {@code |actual - expected| <= atol + rtol |expected|} with rtol 1e-3 and atol 1e-7, unless the
 * folder's {@code data.json} gives its own "rtol" or "atol" (or the caller fixes both); the same
 * element type; NaN matching NaN. Inputs map in order to the graph inputs that are not
 * initializers. Tests run in parallel; the results come back in name order.
 */
public final class OnnxTestRunner {
    /** ONNX's backend harness compares at these unless a test's data.json says otherwise. */
    public static final double RTOL = 1e-3, ATOL = 1e-7;
    private static final Pattern ELEMENT_TYPE = Pattern.compile("element type (\\S+) is not supported");

    /** PASS and FAIL ran; UNSUPPORTED was refused cleanly, naming the op and why; ERROR is a defect of Janus (a crash). */
    public enum Status { PASS, FAIL, UNSUPPORTED, ERROR }

    /**
     * One test's outcome: the worst absolute and relative differences seen, the tolerances used,
     * and for a refusal the ONNX op it concerns ("-" when none) and the reason.
     */
    public static final class Result {
        public final String name;
        public final Status status;
        public final double maxAbsDiff, maxRelDiff, rtol, atol;
        public final String op, detail;
        /** Why the test is outside what Janus imports ({@link OnnxSupport#outOfScope}), or null when it applies. */
        public final String outOfScope;

        Result(String name, Status status, double[] worst, double rtol, double atol, String op, String detail) {
            this(name, status, worst, rtol, atol, op, detail, null);
        }

        Result(String name, Status status, double[] worst, double rtol, double atol, String op, String detail, String outOfScope) {
            this.name = name;
            this.status = status;
            this.maxAbsDiff = worst[0];
            this.maxRelDiff = worst[1];
            this.rtol = rtol;
            this.atol = atol;
            this.op = op;
            this.detail = detail;
            this.outOfScope = outOfScope;
        }

        Result outOfScope(String why) {
            return new Result(name, status, new double[] {maxAbsDiff, maxRelDiff}, rtol, atol, op, detail, why);
        }

        /** What a refusal is grouped under: the op and the reason, with names, shapes and files left out. */
        public String cause() {
            Matcher type = ELEMENT_TYPE.matcher(detail);
            if (type.find()) return "element type " + type.group(1) + " is not supported";
            String why = detail.replaceAll("'[^']*'", "'…'").replaceAll("\\w*\\[[^\\]]*\\]", "[…]");
            return op.equals("-") ? why : op + ": " + why;
        }
    }

    private OnnxTestRunner() {
    }

    /** Every test under {@code folder} at its own tolerances (data.json, else ONNX's defaults). */
    public static List<Result> runAll(Path folder) {
        return runAll(folder, null);
    }

    /** Every test under {@code folder} at the given tolerances, whatever data.json says. */
    public static List<Result> runAll(Path folder, double rtol, double atol) {
        return runAll(folder, new double[] {rtol, atol});
    }

    /** {@code folder} is one test (it holds model.onnx) or a folder of tests. */
    private static List<Result> runAll(Path folder, double[] tolerance) {
        List<Path> tests = new ArrayList<>();
        if (Files.isRegularFile(folder.resolve("model.onnx"))) {
            tests.add(folder);
        } else if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).forEach(tests::add);
            } catch (IOException e) {
                throw new OnnxException("cannot list " + folder + ": " + e, e);
            }
        }
        if (tests.isEmpty()) throw new OnnxException("no ONNX tests in " + folder + " (a test is a folder with model.onnx and test_data_set_*)");
        return tests.parallelStream().map(t -> run(t, tolerance)).sorted(Comparator.comparing(r -> r.name)).collect(Collectors.toList());
    }

    /** Runs one test folder over all its data sets, at its own tolerances. */
    public static Result run(Path test) {
        return run(test, null);
    }

    /** Runs one test folder over all its data sets at the given tolerances. */
    public static Result run(Path test, double rtol, double atol) {
        return run(test, new double[] {rtol, atol});
    }

    private static Result run(Path test, double[] fixed) {
        Result r = runChecked(test, fixed);
        try {
            return r.outOfScope(OnnxSupport.outOfScope(parse(test.resolve("model.onnx"))));
        } catch (IOException | RuntimeException e) {
            return r;
        }
    }

    private static Result runChecked(Path test, double[] fixed) {
        String name = test.getFileName().toString();
        double[] worst = new double[2];
        double rtol = RTOL, atol = ATOL;
        try {
            double[] tol = fixed != null ? fixed : tolerances(test);
            rtol = tol[0];
            atol = tol[1];
            ModelProto model = parse(test.resolve("model.onnx"));
            List<Path> sets = list(test, "test_data_set_");
            if (sets.isEmpty()) return new Result(name, Status.UNSUPPORTED, worst, rtol, atol, "-", "no test_data_set_* folders");
            for (Path set : sets) {
                String failure = runSet(model, test, set, rtol, atol, worst);
                if (failure != null) return new Result(name, Status.FAIL, worst, rtol, atol, "-", set.getFileName() + ": " + failure);
            }
            return new Result(name, Status.PASS, worst, rtol, atol, "-", "");
        } catch (Refusal e) {
            return new Result(name, Status.UNSUPPORTED, worst, rtol, atol, e.op, e.getMessage());
        } catch (RunFailure e) {
            return new Result(name, Status.FAIL, worst, rtol, atol, "-", e.getMessage());
        } catch (IOException e) {
            return new Result(name, Status.UNSUPPORTED, worst, rtol, atol, "-", "cannot read: " + e);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return new Result(name, Status.ERROR, worst, rtol, atol, "-", "crash: " + e);
        }
    }

    /** rtol and atol from the folder's data.json where it gives them, else ONNX's defaults. */
    static double[] tolerances(Path test) throws IOException {
        double[] tol = {RTOL, ATOL};
        Path json = test.resolve("data.json");
        if (!Files.isRegularFile(json)) return tol;
        Object doc;
        try {
            doc = Json.parse(Files.readString(json, StandardCharsets.UTF_8));
        } catch (JanusException e) {
            throw new Refusal("-", "data.json is not valid JSON: " + e.getMessage());
        }
        if (!(doc instanceof Map)) throw new Refusal("-", "data.json is not a JSON object");
        Map<?, ?> m = (Map<?, ?>) doc;
        String[] keys = {"rtol", "atol"};
        for (int i = 0; i < 2; i++) {
            Object v = m.get(keys[i]);
            if (v == null) continue;
            if (!(v instanceof Number) || !(((Number) v).doubleValue() >= 0)) throw new Refusal("-", "data.json: " + keys[i] + " is " + v);
            tol[i] = ((Number) v).doubleValue();
        }
        return tol;
    }

    private static ModelProto parse(Path file) throws IOException {
        try {
            return ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new Refusal("-", "model.onnx is not an ONNX model: " + e.getMessage());
        }
    }

    /**
     * Imports the model for one data set and runs it, every input fed at run time but those that an
     * op needs to know when the model is read (Janus takes some shapes and axes as attributes),
     * which are fixed to the data set's values.
     */
    private static String runSet(ModelProto model, Path test, Path set, double rtol, double atol, double[] worst) throws IOException {
        List<ValueInfoProto> fed = fedInputs(model), outs = model.getGraph().getOutputList();
        List<Path> inFiles = list(set, "input_"), outFiles = list(set, "output_");
        if (inFiles.size() != fed.size()) throw new Refusal("-", fed.size() + " graph inputs, but " + inFiles.size() + " input files");
        if (outFiles.size() != outs.size()) throw new Refusal("-", outs.size() + " graph outputs, but " + outFiles.size() + " output files");
        for (ValueInfoProto v : fed) requireTensor(v, "input");
        for (ValueInfoProto v : outs) requireTensor(v, "output");
        List<Tensor> inputs = new ArrayList<>();
        for (Path f : inFiles) inputs.add(data(f));
        // Fix, one by one, the graph inputs whose values the importer asks for.
        Map<String, Tensor> fixed = new HashMap<>();
        Graph g = null;
        while (g == null) {
            try {
                g = importModel(model, test, ImportOptions.defaults().constants(fixed));
            } catch (ConstantInputException e) {
                int k = indexOf(fed, e.valueName());
                if (k < 0 || fixed.containsKey(e.valueName())) throw new Refusal(e.opType(), e.getMessage());
                fixed.put(e.valueName(), inputs.get(k));
            }
        }
        List<Tensor> feeds = new ArrayList<>();
        for (int i = 0; i < fed.size(); i++) if (!fixed.containsKey(fed.get(i).getName())) feeds.add(inputs.get(i));
        List<Tensor> got;
        try {
            got = Interpreter.run(g, feeds, new ExecContext(new Generator(0)));
        } catch (JanusException e) {
            throw new RunFailure(set.getFileName() + ": the imported model failed to run: " + e.getMessage());
        }
        for (int k = 0; k < got.size(); k++) {
            String failure = compare(data(outFiles.get(k)), got.get(k), rtol, atol, worst);
            if (failure != null) return "output " + k + ": " + failure;
        }
        return null;
    }

    private static int indexOf(List<ValueInfoProto> values, String name) {
        for (int i = 0; i < values.size(); i++) if (values.get(i).getName().equals(name)) return i;
        return -1;
    }

    /** A data set's tensor; one Janus cannot hold (its element type, say) is a refusal. */
    private static Tensor data(Path file) {
        try {
            return OnnxTensors.load(file);
        } catch (JanusException e) {
            throw new Refusal("-", e.getMessage().replace(file.toString(), file.getParent().getFileName() + "/" + file.getFileName()));
        }
    }

    private static Graph importModel(ModelProto model, Path baseDir, ImportOptions options) {
        try {
            return OnnxImporter.read(model, baseDir, options);
        } catch (ConstantInputException e) {
            throw e;
        } catch (UnsupportedOpException e) {
            throw new Refusal(e.opType(), e.reason());
        } catch (OnnxException e) {
            throw new Refusal(e.opType() == null ? "-" : e.opType(), e.getMessage());
        } catch (JanusException e) {
            throw new Refusal("-", e.getMessage());
        }
    }

    /** Sequence, map and optional values are refused, naming what they are. */
    private static void requireTensor(ValueInfoProto v, String what) {
        String kind = GraphReader.nonTensorKind(v.getType());
        if (kind != null) throw new Refusal("-", what + " '" + v.getName() + "' is " + kind + "; Janus takes tensors only");
    }

    /** The graph inputs the data sets feed: those that are not initializers. */
    private static List<ValueInfoProto> fedInputs(ModelProto m) {
        Set<String> init = new HashSet<>();
        for (TensorProto t : m.getGraph().getInitializerList()) init.add(t.getName());
        List<ValueInfoProto> fed = new ArrayList<>();
        for (ValueInfoProto v : m.getGraph().getInputList()) if (!init.contains(v.getName())) fed.add(v);
        return fed;
    }

    /**
     * Null when |actual - expected| <= atol + rtol |expected| everywhere (NaN matching NaN, an
     * infinity matching itself), else the first element that is not; {@code worst} collects the
     * largest absolute and relative differences.
     */
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
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
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
                    .collect(Collectors.toList());
        }
    }

    /**
     * The report: the tolerances, one line per test (pass or fail with the worst error, unsupported
     * with the op and the reason), the refusals grouped by cause, and a summary line.
     */
    public static String table(List<Result> results) {
        int w = Math.max(4, results.stream().mapToInt(r -> r.name.length()).max().orElse(4));
        StringBuilder sb = new StringBuilder();
        Map<String, Long> tolerances = results.stream().collect(Collectors.groupingBy(
                r -> String.format(Locale.ROOT, "rtol %.3g, atol %.3g", r.rtol, r.atol), TreeMap::new, Collectors.counting()));
        sb.append("compared as ONNX's backend harness compares, |actual - expected| <= atol + rtol |expected|: ");
        sb.append(tolerances.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " tests)").collect(Collectors.joining("; "))).append('\n');
        String row = "%-" + w + "s  %-11s  %12s  %12s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "test", "result", "max |diff|", "max rel diff", "note"));
        Map<Status, Integer> count = new HashMap<>();
        Map<String, List<String>> causes = new TreeMap<>();
        for (Result r : results) {
            count.merge(r.status, 1, Integer::sum);
            boolean ran = r.status == Status.PASS || r.status == Status.FAIL;
            String note = r.status == Status.UNSUPPORTED ? (r.op.equals("-") ? "" : "op " + r.op + ": ") + r.detail : r.detail;
            sb.append(String.format(Locale.ROOT, row, r.name, r.status.name().toLowerCase(Locale.ROOT),
                    ran ? String.format(Locale.ROOT, "%.3g", r.maxAbsDiff) : "", ran ? String.format(Locale.ROOT, "%.3g", r.maxRelDiff) : "", note));
            if (r.status == Status.UNSUPPORTED) causes.computeIfAbsent(r.cause(), k -> new ArrayList<>()).add(r.name);
        }
        if (!causes.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nunsupported, by cause (%d causes):%n", causes.size()));
            causes.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size())
                    .forEach(e -> sb.append(String.format(Locale.ROOT, "  %4d  %s%n        %s%n", e.getValue().size(), e.getKey(), String.join(" ", e.getValue()))));
        }
        Map<String, Long> out = results.stream().filter(r -> r.outOfScope != null)
                .collect(Collectors.groupingBy(r -> r.outOfScope, TreeMap::new, Collectors.counting()));
        if (!out.isEmpty()) {
            long applies = results.stream().filter(r -> r.outOfScope == null).count();
            long passApplies = results.stream().filter(r -> r.outOfScope == null && r.status == Status.PASS).count();
            sb.append(String.format(Locale.ROOT, "%d of the %d tests that apply pass (%.1f%%); %d do not apply: %s%n", passApplies, applies,
                    applies == 0 ? 0 : 100.0 * passApplies / applies, results.size() - applies,
                    out.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
        }
        int n = results.size(), pass = count.getOrDefault(Status.PASS, 0);
        sb.append(String.format(Locale.ROOT, "%d passed, %d failed, %d unsupported, %d errors (%.1f%% of %d pass)%n", pass,
                count.getOrDefault(Status.FAIL, 0), count.getOrDefault(Status.UNSUPPORTED, 0), count.getOrDefault(Status.ERROR, 0),
                n == 0 ? 0 : 100.0 * pass / n, n));
        return sb.toString();
    }

    /** A clean refusal: the import or the data said no, naming the op ("-" when none) and why. */
    private static final class Refusal extends RuntimeException {
        final String op;

        Refusal(String op, String why) {
            super(why, null, false, false);
            this.op = op;
        }
    }

    /** The imported model failed while running: a failure of the test, not a refusal. */
    private static final class RunFailure extends RuntimeException {
        RunFailure(String why) {
            super(why, null, false, false);
        }
    }
}
