package dev.janus.export;

import dev.janus.core.JanusException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code onnx-test <folder> [--rtol R] [--atol A]}: runs ONNX test folders against the importer
 * and prints a pass/fail table with the worst error of each test. Exits 0 when every test passes,
 * 1 when any fails, is unsupported or cannot run, and 2 on a usage error.
 */
public final class OnnxTestCommand {
    static final double RTOL = 1e-4, ATOL = 1e-5;
    private static final String USAGE = "usage: onnx-test <folder> [--rtol R] [--atol A]   (defaults: rtol " + RTOL + ", atol " + ATOL + ")";

    private OnnxTestCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path folder = null;
        double rtol = RTOL, atol = ATOL;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rtol": rtol = Double.parseDouble(args[++i]); break;
                    case "--atol": atol = Double.parseDouble(args[++i]); break;
                    case "-h": case "--help": out.println(USAGE); return 0;
                    default:
                        if (folder != null || args[i].startsWith("-")) throw new IllegalArgumentException(args[i]);
                        folder = Path.of(args[i]);
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println(USAGE);
            return 2;
        }
        if (folder == null) {
            err.println(USAGE);
            return 2;
        }
        try {
            List<OnnxTestRunner.Result> results = OnnxTestRunner.runAll(folder, rtol, atol);
            out.print(OnnxTestRunner.table(results));
            return results.stream().allMatch(r -> r.status == OnnxTestRunner.Status.PASS) ? 0 : 1;
        } catch (JanusException e) {
            err.println("onnx-test: " + e.getMessage());
            return 1;
        }
    }
}
