package dev.janus.examples.cli;

import dev.janus.export.OnnxTestCommand;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code janus onnx-test}: export's {@link OnnxTestCommand}, which runs ONNX test folders. */
final class OnnxTest implements Command {
    @Override
    public String name() {
        return "onnx-test";
    }

    @Override
    public String summary() {
        return "run ONNX test folders (model.onnx + test_data_set_N/) through the importer; a table of worst errors";
    }

    @Override
    public String help() {
        return "usage: janus onnx-test [<folder>] [--rtol R] [--atol A]\n\n"
                + "Imports each model.onnx under <folder> (default: ONNX's node suite in the source tree), runs it on its\n"
                + "test_data_set_N inputs and compares the outputs with the reference outputs as ONNX's harness does (rtol 1e-3,\n"
                + "atol 1e-7, or the folder's data.json; --rtol/--atol fix both). Prints pass, fail with the worst error, or\n"
                + "unsupported with the op and the reason, per test, then the refusals grouped by cause.\n"
                + "Exit status 0 when every test passes, 1 when any does not.\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        boolean folder = false;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith("-")) {
                if (args.get(i).startsWith("--")) i++;   // its value
            } else if (!Files.isDirectory(Path.of(args.get(i)))) {
                throw CliError.input(args.get(i) + ": no such folder", null);
            } else {
                folder = true;
            }
        }
        List<String> all = new ArrayList<>(args);
        String home = System.getProperty("janus.home");
        Path suite = home == null ? null : Path.of(home, "export", "src", "test", "resources", "onnx-node");
        if (!folder && suite != null && Files.isDirectory(suite)) all.add(0, suite.toString());
        return OnnxTestCommand.run(all.toArray(new String[0]), out, err);
    }
}
