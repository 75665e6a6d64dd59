package dev.janus.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs the JMH benchmarks, then the PyTorch peer scripts (when a Python with torch is found), and
 * writes jmh.json (JMH's own results) and summary.json (each Janus case against its peers from the
 * same run, as speed-ups), and prints the summary as a Markdown table.
 *
 * <p>Naming: a benchmark method "case_variant" belongs to the case "Class.case"; variants that
 * start with "janus" are Janus's ("janus", "janusEager", "janusCompiled"), the others are peers.
 * Every peer is set against every Janus variant of its case.
 *
 * <p>Usage: Bench [--quick] [--out DIR] [-p NAME=V1,V2...] [REGEX...]
 */
public final class Bench {
    static final String USAGE = "usage: benchmarks/run.sh [--quick] [--out DIR] [-p NAME=V1,V2...] [REGEX...]\n"
            + "  --quick    1 fork, 2 warm-up and 3 measured iterations of 0.5 s per benchmark (a few minutes in all)\n"
            + "             instead of 2 forks, 5 warm-up and 5 measured iterations of 1 s\n"
            + "  --out DIR  where jmh.json and summary.json go (default: benchmarks/results)\n"
            + "  -p NAME=V1,V2  only these values of a benchmark parameter (JMH's -p), e.g. -p w=64,1024\n"
            + "  REGEX      only the benchmarks that match (JMH include patterns)\n"
            + "PyTorch peers run after JMH with $JANUS_PYTHON, else benchmarks/.venv/bin/python, else python3, if it has torch:\n"
            + "  python3 -m venv benchmarks/.venv && benchmarks/.venv/bin/pip install torch\n";

    private Bench() {
    }

    /** The command line, parsed. */
    static final class Settings {
        boolean quick;
        Path out = Paths.get("benchmarks", "results");
        final List<String> includes = new ArrayList<>();
        final Map<String, String[]> params = new LinkedHashMap<>();
    }

    static Settings parse(String[] args) {
        Settings s = new Settings();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": s.quick = true; break;
                case "--out":
                    if (i + 1 == args.length) throw new IllegalArgumentException("--out needs a folder");
                    s.out = Paths.get(args[++i]);
                    break;
                case "-p":
                    int eq = i + 1 == args.length ? -1 : args[i + 1].indexOf('=');
                    if (eq < 1) throw new IllegalArgumentException("-p needs NAME=V1,V2...");
                    s.params.put(args[i + 1].substring(0, eq), args[i + 1].substring(eq + 1).split(","));
                    i++;
                    break;
                default:
                    if (args[i].startsWith("-")) throw new IllegalArgumentException("unknown option " + args[i]);
                    s.includes.add(args[i]);
            }
        }
        return s;
    }

    public static void main(String[] args) throws RunnerException, IOException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        Files.createDirectories(s.out);
        TimeValue iteration = s.quick ? TimeValue.milliseconds(500) : TimeValue.seconds(1);
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .forks(s.quick ? 1 : 2)
                .warmupIterations(s.quick ? 2 : 5).warmupTime(iteration)
                .measurementIterations(s.quick ? 3 : 5).measurementTime(iteration)
                .jvmArgsAppend("-Dorg.bytedeco.javacpp.maxphysicalbytes=0", "-Dorg.bytedeco.javacpp.maxbytes=0",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xmx4g")
                .resultFormat(ResultFormatType.JSON)
                .result(s.out.resolve("jmh.json").toString());
        // GpuBenchmark needs a GPU: it runs only when named (scripts/gpu-check does).
        if (s.includes.isEmpty()) opts.include("dev\\.janus\\.benchmarks\\.(?!GpuBenchmark).*");
        for (String inc : s.includes) opts.include(inc);
        for (Map.Entry<String, String[]> p : s.params.entrySet()) opts.param(p.getKey(), p.getValue());
        Collection<RunResult> results = new Runner(opts.build()).run();

        Map<String, Case> cases = cases(results);
        Set<String> ran = new HashSet<>();
        for (String key : cases.keySet()) ran.add(key.substring(0, key.indexOf('.')));
        PythonPeers.Outcome torch = PythonPeers.run(s.quick, ran);
        for (Map.Entry<String, Map<String, double[]>> e : torch.seconds.entrySet()) {
            Case c = cases.get(e.getKey());
            if (c == null) continue;
            for (Map.Entry<String, double[]> peer : e.getValue().entrySet()) {
                double f = perSecond(c.unit);
                c.peers.put(peer.getKey(), new double[] {peer.getValue()[0] * f, peer.getValue()[1] * f});
            }
        }
        Files.write(s.out.resolve("summary.json"), summary(cases, s.quick, torch.note).getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(table(cases));
        System.out.println("PyTorch peers: " + torch.note);
        System.out.println(blas() + "; load average " + load() + "; OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        System.out.println("Wrote " + s.out.resolve("jmh.json") + " and " + s.out.resolve("summary.json"));
    }

    /** One case ("IrisStepBenchmark.irisStep"): its Janus variants and its peers, each (score, error) in the case's unit. */
    static final class Case {
        final String unit;
        final Map<String, double[]> janus = new LinkedHashMap<>(), peers = new LinkedHashMap<>();

        Case(String unit) {
            this.unit = unit;
        }
    }

    static Map<String, Case> cases(Collection<RunResult> results) {
        Map<String, Case> m = new LinkedHashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String cls = full.substring(0, full.lastIndexOf('.'));
            String method = full.substring(full.lastIndexOf('.') + 1);
            int cut = method.lastIndexOf('_');
            if (cut < 0) continue;
            String key = cls.substring(cls.lastIndexOf('.') + 1) + "." + method.substring(0, cut) + params(r), variant = method.substring(cut + 1);
            Case c = m.computeIfAbsent(key, k -> new Case(r.getPrimaryResult().getScoreUnit()));
            double[] score = {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()};
            (variant.startsWith("janus") ? c.janus : c.peers).put(variant, score);
        }
        return m;
    }

    /** A parameterised benchmark's parameters as "[w=512]" (empty without parameters): part of the case's name. */
    static String params(RunResult r) {
        java.util.Collection<String> keys = r.getParams().getParamsKeys();
        if (keys.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("[");
        for (String k : keys) sb.append(sb.length() > 1 ? "," : "").append(k).append('=').append(r.getParams().getParam(k));
        return sb.append(']').toString();
    }

    /** How many of the unit ("us/op") make a second. */
    static double perSecond(String unit) {
        if (unit.startsWith("ns")) return 1e9;
        if (unit.startsWith("us")) return 1e6;
        if (unit.startsWith("ms")) return 1e3;
        if (unit.startsWith("s/")) return 1;
        throw new IllegalArgumentException("unknown JMH unit " + unit);
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux: keep the placeholder
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version");
    }

    /** The kernel OpenBLAS runs here ("SkylakeX", or what OPENBLAS_CORETYPE forces) and the variable's value. */
    static String blas() {
        org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_full.class);
        String core = org.bytedeco.openblas.global.openblas_full.openblas_get_corename().getString();
        return "OpenBLAS " + core + " kernel (OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE")
                + ", OPENBLAS_L2_SIZE=" + System.getenv("OPENBLAS_L2_SIZE") + ")";
    }

    /** The 1-, 5- and 15-minute load averages when the summary is written (a busy machine makes noisy numbers). */
    static String load() {
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/loadavg")).get(0).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String summary(Map<String, Case> cases, boolean quick, String torchNote) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"date\": ").append(json(LocalDate.now().toString())).append(",\n");
        sb.append("  \"machine\": ").append(json(machine())).append(",\n");
        sb.append("  \"mode\": ").append(json(quick ? "quick" : "full")).append(",\n");
        sb.append("  \"OMP_NUM_THREADS\": ").append(json(String.valueOf(System.getenv("OMP_NUM_THREADS")))).append(",\n");
        sb.append("  \"blas\": ").append(json(blas())).append(",\n");
        sb.append("  \"load\": ").append(json(load())).append(",\n");
        sb.append("  \"pytorch\": ").append(json(torchNote)).append(",\n");
        sb.append("  \"pairs\": [");
        boolean first = true;
        for (Map.Entry<String, Case> e : cases.entrySet()) {
            for (Map.Entry<String, double[]> janus : e.getValue().janus.entrySet()) {
                for (Map.Entry<String, double[]> peer : e.getValue().peers.entrySet()) {
                    sb.append(first ? "\n" : ",\n");
                    first = false;
                    sb.append(String.format(Locale.ROOT,
                            "    {\"case\": %s, \"unit\": %s, \"janus\": %s, \"janus_score\": %.4f, \"janus_error\": %.4f, "
                                    + "\"peer\": %s, \"peer_score\": %.4f, \"peer_error\": %.4f, \"speedup\": %.3f}",
                            json(e.getKey()), json(e.getValue().unit), json(janus.getKey()), janus.getValue()[0], janus.getValue()[1],
                            json(peer.getKey()), peer.getValue()[0], peer.getValue()[1], peer.getValue()[0] / janus.getValue()[0]));
                }
            }
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    /** Markdown: case, Janus variant and time, peer and time, speed-up (peer time / Janus time; above 1 means Janus is faster). */
    static String table(Map<String, Case> cases) {
        StringBuilder sb = new StringBuilder("| case | unit | Janus | time | peer | peer time | Janus speed-up |\n|---|---|---|---:|---|---:|---:|\n");
        for (Map.Entry<String, Case> e : cases.entrySet()) {
            for (Map.Entry<String, double[]> janus : e.getValue().janus.entrySet()) {
                for (Map.Entry<String, double[]> peer : e.getValue().peers.entrySet()) {
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s ± %s | %s | %s ± %s | %.2f× |%n", e.getKey(), e.getValue().unit,
                            janus.getKey(), num(janus.getValue()[0]), num(janus.getValue()[1]), peer.getKey(), num(peer.getValue()[0]),
                            num(peer.getValue()[1]), peer.getValue()[0] / janus.getValue()[0]));
                }
            }
        }
        return sb.toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) return "?";
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }
}
