package dev.janus.examples.cli;

import dev.janus.examples.Demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code janus demo}: the iris MLP both ways, compared, exported and checked in ONNX Runtime. */
final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train the iris MLP eagerly and compiled from the same weights, compare, export to ONNX, check in ONNX Runtime";
    }

    @Override
    public String help() {
        return "usage: janus demo [--out DIR] [--epochs N] [--logdir DIR]\n\n"
                + "Trains the iris MLP (4 -> 64 relu -> dropout 0.3 -> 32 relu -> 3) PyTorch style (eager) and Keras style\n"
                + "(compiled) from the same seed and initial weights, prints both runs side by side per epoch (loss,\n"
                + "accuracy, validation), the time and memory per step, the largest weight difference at the end, exports\n"
                + "both models to ONNX, runs the files in ONNX Runtime on the test set and compares them with Janus, and\n"
                + "draws the training curves, the test confusion matrices and each class's precision and recall to PNGs.\n\n"
                + "  --out DIR     where the ONNX files and the charts go (default: demo-output)\n"
                + "  --epochs N    epochs to train (default: 50)\n"
                + "  --logdir DIR  also log both trainings for TensorBoard into DIR (DIR/eager and DIR/compiled, each with\n"
                + "                Keras's train/ and validation/ runs), so that it draws the two styles in the same charts:\n"
                + "                tensorboard --logdir DIR\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws CliError {
        Args a = Args.parse(args, Set.of("out", "epochs", "logdir"), Set.of());
        if (!a.positional().isEmpty()) throw CliError.usage("unexpected argument '" + a.positional().get(0) + "'");
        String logDir = a.get("logdir", null);
        Demo.run(Path.of(a.get("out", "demo-output")), a.integer("epochs", 50, 1), Demo.WARMUP_EPOCHS, out, logDir == null ? null : Path.of(logDir));
        return 0;
    }
}
