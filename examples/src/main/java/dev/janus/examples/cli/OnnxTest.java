package dev.janus.examples.cli;

import dev.janus.export.OnnxTestCommand;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return "usage: janus onnx-test <folder> [--rtol R] [--atol A]\n\n"
                + "Imports each model.onnx under <folder>, runs it on its test_data_set_N inputs and compares the outputs\n"
                + "with the reference outputs. Exit status 0 when every test passes, 1 when any fails.\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith("--")) {
                i++;   // its value
            } else if (!Files.isDirectory(Path.of(args.get(i)))) {
                throw CliError.input(args.get(i) + ": no such folder", null);
            }
        }
        return OnnxTestCommand.run(args.toArray(new String[0]), out, err);
    }
}
