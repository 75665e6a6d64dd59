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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the JMH benchmarks and writes jmh.json (JMH's own results) and summary.json (each Janus
 * benchmark "case_janus" against its peers "case_<peer>" from the same run, as speed-ups), and
 * prints the summary as a Markdown table.
 *
 * <p>Usage: Bench [--quick] [--out DIR] [REGEX...]
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        Path out = Paths.get("benchmarks", "results");
        List<String> includes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": quick = true; break;
                case "--out": out = Paths.get(args[++i]); break;
                default: includes.add(args[i]);
            }
        }
        Files.createDirectories(out);
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .forks(quick ? 1 : 2)
                .warmupIterations(quick ? 2 : 5).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Dorg.bytedeco.javacpp.maxphysicalbytes=0", "-Dorg.bytedeco.javacpp.maxbytes=0",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xmx4g")
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh.json").toString());
        if (includes.isEmpty()) opts.include("dev\\.janus\\.benchmarks\\..*");
        for (String inc : includes) opts.include(inc);
        Collection<RunResult> results = new Runner(opts.build()).run();
        String summary = summarise(results, quick);
        Files.write(out.resolve("summary.json"), summary.getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(table(results));
        System.out.println("Wrote " + out.resolve("jmh.json") + " and " + out.resolve("summary.json"));
    }

    /** benchmark class.case -> peer -> score, for names "case_peer". */
    private static Map<String, Map<String, double[]>> pairs(Collection<RunResult> results) {
        Map<String, Map<String, double[]>> m = new LinkedHashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String cls = full.substring(0, full.lastIndexOf('.'));
            String method = full.substring(full.lastIndexOf('.') + 1);
            int cut = method.lastIndexOf('_');
            if (cut < 0) continue;
            String key = cls.substring(cls.lastIndexOf('.') + 1) + "." + method.substring(0, cut);
            double score = r.getPrimaryResult().getScore(), err = r.getPrimaryResult().getScoreError();
            m.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(method.substring(cut + 1), new double[] {score, err});
        }
        return m;
    }

    private static String unit(Collection<RunResult> results, String key) {
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String cls = full.substring(0, full.lastIndexOf('.'));
            String method = full.substring(full.lastIndexOf('.') + 1);
            if ((cls.substring(cls.lastIndexOf('.') + 1) + "." + method).startsWith(key + "_")) return r.getPrimaryResult().getScoreUnit();
        }
        return "";
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

    private static String summarise(Collection<RunResult> results, boolean quick) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"date\": \"").append(LocalDate.now()).append("\",\n");
        sb.append("  \"machine\": \"").append(machine().replace("\"", "'")).append("\",\n");
        sb.append("  \"mode\": \"").append(quick ? "quick" : "full").append("\",\n");
        sb.append("  \"pairs\": [");
        boolean first = true;
        for (Map.Entry<String, Map<String, double[]>> e : pairs(results).entrySet()) {
            double[] janus = e.getValue().get("janus");
            if (janus == null) continue;
            for (Map.Entry<String, double[]> peer : e.getValue().entrySet()) {
                if (peer.getKey().equals("janus")) continue;
                sb.append(first ? "\n" : ",\n");
                first = false;
                sb.append(String.format(Locale.ROOT,
                        "    {\"case\": \"%s\", \"unit\": \"%s\", \"janus\": %.4f, \"janus_error\": %.4f, \"peer\": \"%s\", \"peer_score\": %.4f, \"peer_error\": %.4f, \"speedup\": %.3f}",
                        e.getKey(), unit(results, e.getKey()), janus[0], janus[1], peer.getKey(), peer.getValue()[0], peer.getValue()[1],
                        peer.getValue()[0] / janus[0]));
            }
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    /** Markdown: case, Janus, peer, speed-up (peer time / Janus time; above 1 means Janus is faster). */
    static String table(Collection<RunResult> results) {
        StringBuilder sb = new StringBuilder("| case | unit | Janus | peer | peer time | Janus speed-up |\n|---|---|---:|---|---:|---:|\n");
        for (Map.Entry<String, Map<String, double[]>> e : pairs(results).entrySet()) {
            double[] janus = e.getValue().get("janus");
            if (janus == null) continue;
            for (Map.Entry<String, double[]> peer : e.getValue().entrySet()) {
                if (peer.getKey().equals("janus")) continue;
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f ± %.3f | %s | %.3f ± %.3f | %.2f× |%n", e.getKey(), unit(results, e.getKey()),
                        janus[0], janus[1], peer.getKey(), peer.getValue()[0], peer.getValue()[1], peer.getValue()[0] / janus[0]));
            }
        }
        return sb.toString();
    }
}
