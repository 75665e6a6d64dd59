package dev.janus.examples.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code janus bench}: the JMH benchmarks against their peers, through benchmarks/run.sh (which
 * builds the benchmarks module and forks JMH's JVMs), quick mode unless --full.
 */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "run the benchmarks against their peers (quick mode, a few minutes); writes jmh.json and summary.json";
    }

    @Override
    public String help() {
        return "usage: janus bench [--full] [--out DIR] [REGEX...]\n\n"
                + "Runs the JMH benchmarks (benchmarks/run.sh): tiny ops against ND4J, the iris training step eager and\n"
                + "compiled against plain ND4J and Deeplearning4j, iris inference against ONNX Runtime, the 784-512-512-10\n"
                + "step at batch 1024 against Deeplearning4j, and, when Python with PyTorch is found, the PyTorch peer\n"
                + "scripts (benchmarks/peers/*.py). Writes DIR/jmh.json and DIR/summary.json (each Janus case against its\n"
                + "peers from the same run, as speed-ups) and prints the table. Everything runs on one thread unless\n"
                + "OMP_NUM_THREADS says otherwise (ND4J's OpenMP threads fight the JVM for the cores).\n\n"
                + "  --full      JMH's full settings (2 forks, 5 warm-up and 5 measured seconds each; about 15 minutes)\n"
                + "              instead of the quick mode (under 5 minutes)\n"
                + "  --out DIR   where the results go (default: benchmarks/results)\n"
                + "  REGEX       only the benchmarks that match (JMH's include patterns)\n\n"
                + "PyTorch peers: set JANUS_PYTHON to a Python with torch, or create benchmarks/.venv:\n"
                + "  python3 -m venv benchmarks/.venv && benchmarks/.venv/bin/pip install torch\n"
                + "Without it they are skipped, and the summary says so.\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, Set.of("out"), Set.of("full"));
        Path script = home().resolve("benchmarks").resolve("run.sh");
        if (!Files.isExecutable(script)) throw CliError.input(script + " is missing; janus bench runs from a checkout of the Janus repository", null);
        List<String> command = new ArrayList<>(List.of(script.toString()));
        if (!a.has("full")) command.add("--quick");
        if (a.get("out", null) != null) command.addAll(List.of("--out", a.get("out", null)));
        command.addAll(a.positional());
        out.println("running " + String.join(" ", command));
        out.flush();
        try {
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw CliError.input("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CliError.FAILED;
        }
    }

    /** The repository root: set by the launcher (-Djanus.home), else the working directory. */
    static Path home() {
        return Path.of(System.getProperty("janus.home", "."));
    }
}
