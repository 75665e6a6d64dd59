package dev.janus.export;

import dev.janus.core.JanusException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code onnx-test <folder> [--rtol R] [--atol A]}: runs ONNX test folders against the importer and
 * prints, per test, pass or fail with the worst error, or unsupported with the op and the reason,
 * then the refusals grouped by cause. Outputs are compared as ONNX's backend harness compares them
 * (rtol 1e-3, atol 1e-7, or what a folder's data.json says); --rtol and --atol fix both for every
 * test. Exits 0 when every test passes, 1 when any does not, and 2 on a usage error.
 */
public final class OnnxTestCommand {
    private static final String USAGE = "usage: onnx-test <folder> [--rtol R] [--atol A]   (default: each test's data.json, else rtol "
            + OnnxTestRunner.RTOL + ", atol " + OnnxTestRunner.ATOL + ", as ONNX's harness)";

    private OnnxTestCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path folder = null;
        Double rtol = null, atol = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rtol": rtol = tolerance(args[++i]); break;
                    case "--atol": atol = tolerance(args[++i]); break;
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
            List<OnnxTestRunner.Result> results = rtol == null && atol == null ? OnnxTestRunner.runAll(folder)
                    : OnnxTestRunner.runAll(folder, rtol == null ? OnnxTestRunner.RTOL : rtol, atol == null ? OnnxTestRunner.ATOL : atol);
            out.print(OnnxTestRunner.table(results));
            return results.stream().allMatch(r -> r.status == OnnxTestRunner.Status.PASS) ? 0 : 1;
        } catch (JanusException e) {
            err.println("onnx-test: " + e.getMessage());
            return 1;
        }
    }

    private static double tolerance(String s) {
        double v = Double.parseDouble(s);
        if (!(v >= 0)) throw new IllegalArgumentException(s);
        return v;
    }
}
