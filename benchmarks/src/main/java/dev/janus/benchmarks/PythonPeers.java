package dev.janus.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch peers: benchmarks/peers/*.py, run after JMH on the same machine when a Python with
 * torch is found ($JANUS_PYTHON, else benchmarks/.venv/bin/python, else python3). Each script
 * prints, as its last line, JSON of the form {"Class.case": {"peer": [seconds, spread]}}, which
 * joins the JMH cases of the same name.
 */
final class PythonPeers {
    static final Path DIR = Paths.get("benchmarks", "peers");
    // Each script and the benchmark classes whose cases it times: a run that left a class out skips its script.
    private static final Map<String, List<String>> SCRIPTS = Map.of(
            "eager_step_torch.py", List.of("IrisStepBenchmark"),
            "compiled_torch.py", List.of("CompiledIrisBenchmark", "CompiledMlpBenchmark"),
            "digits_cnn_torch.py", List.of("DigitsCnnBenchmark"),
            "cifar_cnn_torch.py", List.of("CifarCnnBenchmark"),
            "width_sweep_torch.py", List.of("WidthSweepBenchmark"),
            "gpu_torch.py", List.of("GpuBenchmark"));
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\":\\s*\\{([^}]*)}");
    private static final Pattern PEER = Pattern.compile("\"([^\"]+)\":\\s*\\[\\s*([-0-9.eE+]+)\\s*,\\s*([-0-9.eE+]+)\\s*]");

    /** Seconds per case and peer, and a line that says what ran (or why nothing did). */
    static final class Outcome {
        final Map<String, Map<String, double[]>> seconds = new LinkedHashMap<>();
        String note;
    }

    private PythonPeers() {
    }

    /** Runs the scripts that time a case of the benchmark classes {@code ran} (simple names). */
    static Outcome run(boolean quick, Set<String> ran) {
        Outcome o = new Outcome();
        String python = python();
        String version = python == null ? null : output(List.of(python, "-c", "import torch; print(torch.__version__)"), 120);
        if (version == null) {
            o.note = "skipped: no Python with torch (set JANUS_PYTHON, or: python3 -m venv benchmarks/.venv && benchmarks/.venv/bin/pip install torch)";
            return o;
        }
        for (String script : new TreeSet<>(SCRIPTS.keySet())) {
            if (SCRIPTS.get(script).stream().noneMatch(ran::contains)) continue;
            List<String> cmd = new ArrayList<>(List.of(python, DIR.resolve(script).toString(), "--json"));
            if (quick) cmd.add("--quick");
            System.out.println("# PyTorch peer: " + String.join(" ", cmd));
            String out = output(cmd, 900);
            if (out == null) {
                o.note = "torch " + version.strip() + " (" + python + "): " + script + " failed";
                return o;
            }
            String[] lines = out.strip().split("\n");
            for (int i = 0; i < lines.length - 1; i++) System.out.println("#   " + lines[i]);
            parse(lines[lines.length - 1], o.seconds);
        }
        o.note = "torch " + version.strip() + " (" + python + "), set_num_threads(1) unless the peer's name says otherwise";
        return o;
    }

    static void parse(String json, Map<String, Map<String, double[]>> into) {
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            Matcher p = PEER.matcher(m.group(2));
            while (p.find()) {
                into.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                        .put(p.group(1), new double[] {Double.parseDouble(p.group(2)), Double.parseDouble(p.group(3))});
            }
        }
    }

    static String python() {
        String env = System.getenv("JANUS_PYTHON");
        if (env != null && !env.isBlank()) return env;
        Path venv = Paths.get("benchmarks", ".venv", "bin", "python");
        if (Files.isExecutable(venv)) return venv.toString();
        return "python3";
    }

    /** The command's standard output, or null if it cannot start, fails or runs over time. */
    static String output(List<String> cmd, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            // run.sh sets OMP_NUM_THREADS=1 for ND4J; PyTorch would take it as its thread count too.
            String caller = System.getenv("JANUS_CALLER_OMP_NUM_THREADS");
            if (caller != null && caller.isEmpty()) pb.environment().remove("OMP_NUM_THREADS");
            else if (caller != null) pb.environment().put("OMP_NUM_THREADS", caller);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
